import { combineMood, type EmotionProbs, type EmotionSample, type RoomMood } from '@moodroom/shared';
import { FRESH_MS } from './constants.ts';

/** The fields of a participant that decide whether they count towards the room's mood right now. */
export interface MoodInput {
  analysisConsent: boolean;
  leftAt: number | null;
  latest: EmotionSample | null;
}

/**
 * Whether `p` is in the call at `now`, consenting, and their latest window saw a face within
 * FRESH_MS of it (`now` can be a past moment when history is replayed).
 */
export function hasFreshFace(p: MoodInput, now: number): boolean {
  const s = p.latest;
  return (p.leftAt === null || p.leftAt > now) && p.analysisConsent && s !== null && s.probs !== null && now - s.t <= FRESH_MS;
}

/**
 * The room's mood now: combineMood over each present, consenting participant's latest estimate
 * with a face that is at most FRESH_MS old; null when no face is visible.
 */
export function roomMoodNow(participants: Iterable<MoodInput>, now: number): RoomMood | null {
  const estimates: EmotionProbs[] = [];
  for (const p of participants) if (hasFreshFace(p, now)) estimates.push(p.latest!.probs!);
  return combineMood(estimates);
}
