/** How much history the live dashboard keeps and shows (the subscribe answer's default too). */
export const HISTORY_MS = 5 * 60_000;
/** A participant's latest estimate counts as "now" for this long; older ones are stale. */
export const FRESH_MS = 5_000;
/**
 * Hard cap per participant: 5 minutes at 10 windows/s, far above the analyzer's normal rate, so
 * memory stays bounded even if the stride drops.
 */
export const MAX_SAMPLES_PER_PARTICIPANT = 3_000;
/** Room-mood points closer together than this replace each other (16 people ⇒ ≤ 2 points/s, not 16). */
export const ROOM_POINT_MIN_GAP_MS = 500;
/** Room-mood cap: HISTORY_MS at one point per ROOM_POINT_MIN_GAP_MS, plus slack. */
export const MAX_ROOM_POINTS = 700;
/** How often the page re-evaluates freshness, room mood and alerts without new samples. */
export const TICK_MS = 1_000;
