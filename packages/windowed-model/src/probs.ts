import { EMOTIONS, type EmotionProbs } from '@moodroom/shared';
import type { WindowedMetadata } from './contract.ts';

/** What one window's logits mean on the canonical label set. */
export interface WindowProbs {
  /** The canonical 7, renormalised to sum to 1 (0 for canonical emotions the model lacks). */
  probs: EmotionProbs;
  /** Softmax probability of each extra (non-canonical) class, out of all classes. */
  extras: Record<string, number>;
  /** Share of the full softmax on canonical classes (1 for models without extras). */
  canonicalMass: number;
}

/** Numerically stable softmax. */
export function softmax(logits: ArrayLike<number>): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]!);
  const out = new Float64Array(logits.length);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += out[i] = Math.exp(logits[i]! - max);
  for (let i = 0; i < out.length; i++) out[i]! /= sum;
  return out;
}

/** Softmax over the model's classes, mapped by label name onto the canonical emotions (extras reported separately). */
export function probsFromLogits(logits: ArrayLike<number>, labels: Pick<WindowedMetadata, 'labels' | 'canonicalIndex' | 'extras'>): WindowProbs {
  if (logits.length !== labels.labels.length) {
    throw new RangeError(`model returned ${logits.length} logits for ${labels.labels.length} labels`);
  }
  const p = softmax(logits);
  let mass = 0;
  for (const e of EMOTIONS) {
    const i = labels.canonicalIndex[e];
    if (i !== null) mass += p[i]!;
  }
  const probs = Object.fromEntries(
    EMOTIONS.map((e) => {
      const i = labels.canonicalIndex[e];
      return [e, i === null || mass === 0 ? 0 : p[i]! / mass];
    }),
  ) as EmotionProbs;
  const extras: Record<string, number> = {};
  labels.labels.forEach((l, i) => {
    if (labels.extras.includes(l)) extras[l] = p[i]!;
  });
  return { probs, extras, canonicalMass: mass };
}
