/**
 * Display formatting for the report. Durations and shares come from @moodroom/shared
 * (formatDuration, formatShare) so the report's notes and its page agree; this adds what only the
 * page shows.
 */

/** Offset from the session start as a clock: 75 000 → "1:15", 3 723 000 → "1:02:03". */
export function formatClock(offsetMs: number): string {
  const total = Math.max(0, Math.floor(offsetMs / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** "12 Mar 2026, 14:05" in the reader's locale and time zone (both injectable for tests). */
export function formatDateTime(ms: number, locale?: string, timeZone?: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', ...(timeZone ? { timeZone } : {}) }).format(new Date(ms));
}

/** A signed valence change for humans: +0.45 reads "more positive", −0.8 "more negative". */
export function describeValenceChange(change: number): string {
  if (Math.abs(change) < 0.1) return 'about as positive';
  return change > 0 ? 'more positive' : 'more negative';
}
