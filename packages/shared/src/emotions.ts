import { z } from 'zod';

/**
 * The canonical emotion label set. The order is DFEW's (the dataset S2D is reported on first), so
 * S2D checkpoints trained on DFEW map onto it index for index; every other model maps by name.
 */
export const EMOTIONS = ['happy', 'sad', 'neutral', 'angry', 'surprise', 'disgust', 'fear'] as const;
export type Emotion = (typeof EMOTIONS)[number];
export const emotionSchema = z.enum(EMOTIONS);

/** Probabilities over EMOTIONS, in EMOTIONS order. */
export type EmotionProbs = Record<Emotion, number>;
export const emotionProbsSchema = z.object(
  Object.fromEntries(EMOTIONS.map((e) => [e, z.number().min(0).max(1)])) as Record<Emotion, z.ZodNumber>,
);

/**
 * Names that model vendors use for the canonical emotions. Label maps in model metadata are
 * resolved through this table so that e.g. face-api's "surprised" and FERV39k's "Surprise" land on
 * the same canonical label.
 */
const ALIASES: Record<string, Emotion> = {
  happy: 'happy', happiness: 'happy', joy: 'happy',
  sad: 'sad', sadness: 'sad',
  neutral: 'neutral', calm: 'neutral',
  angry: 'angry', anger: 'angry',
  surprise: 'surprise', surprised: 'surprise',
  disgust: 'disgust', disgusted: 'disgust',
  fear: 'fear', fearful: 'fear', afraid: 'fear',
};

/** Maps a vendor label to the canonical emotion, or null when it is an extra class (e.g. MAFW's "contempt"). */
export function canonicalEmotion(label: string): Emotion | null {
  return ALIASES[label.trim().toLowerCase()] ?? null;
}

/**
 * Valence (pleasant ↔ unpleasant) per emotion, from the circumplex literature (Russell 1980);
 * used only to give a single rough "how positive" estimate, presented as an estimate.
 */
export const EMOTION_VALENCE: Readonly<EmotionProbs> = {
  happy: 0.8, surprise: 0.2, neutral: 0, sad: -0.6, angry: -0.7, disgust: -0.6, fear: -0.6,
};

export function dominantEmotion(probs: EmotionProbs): Emotion {
  let best: Emotion = EMOTIONS[0];
  for (const e of EMOTIONS) if (probs[e] > probs[best]) best = e;
  return best;
}

export function valenceOf(probs: EmotionProbs): number {
  let v = 0;
  for (const e of EMOTIONS) v += probs[e] * EMOTION_VALENCE[e];
  return v;
}

export function probsFromArray(values: ArrayLike<number>): EmotionProbs {
  if (values.length !== EMOTIONS.length) {
    throw new Error(`expected ${EMOTIONS.length} probabilities in EMOTIONS order, got ${values.length}`);
  }
  return Object.fromEntries(EMOTIONS.map((e, i) => [e, values[i]!])) as EmotionProbs;
}

export function probsToArray(probs: EmotionProbs): number[] {
  return EMOTIONS.map((e) => probs[e]);
}
