import { dominantEmotion, EMOTIONS, valenceOf, type Emotion, type EmotionProbs } from './emotions.ts';

/**
 * The room's mood at one moment: the mean of the participants' current estimates (each person
 * counts once, whatever their window rate), or null when nobody's face is visible. Used live by
 * the dashboard and afterwards by the report, so both say the same thing.
 */
export interface RoomMood {
  probs: EmotionProbs;
  dominant: Emotion;
  valence: number;
  faces: number;
}

export function combineMood(estimates: readonly EmotionProbs[]): RoomMood | null {
  if (estimates.length === 0) return null;
  const probs = Object.fromEntries(EMOTIONS.map((e) => [e, 0])) as EmotionProbs;
  for (const p of estimates) for (const e of EMOTIONS) probs[e] += p[e] / estimates.length;
  return { probs, dominant: dominantEmotion(probs), valence: Math.max(-1, Math.min(1, valenceOf(probs))), faces: estimates.length };
}

/** Emotions read as negative affect (for "sustained negative affect" alerts and report notes). */
export const NEGATIVE_EMOTIONS: readonly Emotion[] = ['sad', 'angry', 'disgust', 'fear'];

/** Total-variation distance between two estimates (0 = identical, 1 = disjoint). */
export function probsDistance(a: EmotionProbs, b: EmotionProbs): number {
  let d = 0;
  for (const e of EMOTIONS) d += Math.abs(a[e] - b[e]);
  return Math.min(1, d / 2);
}
