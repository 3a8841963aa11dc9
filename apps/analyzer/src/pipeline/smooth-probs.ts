import { Observable, type OperatorFunction } from 'rxjs';
import { EMOTIONS, type EmotionProbs } from '@moodroom/shared';

export interface SmoothProbsOptions {
  /** Time for an old estimate's weight to halve, ms. */
  halfLifeMs: number;
  /** A gap between face estimates longer than this restarts smoothing (nothing stale carries over). */
  maxGapMs?: number;
}

/**
 * Time-aware exponential moving average over probability vectors. The weight of the new estimate
 * is 1 − 2^(−Δt / halfLife), so irregular windows (stride changes, dropped windows) smooth the
 * same per second of time. Face-less windows pass with probs null and do not touch the state.
 */
export function smoothProbs<W extends { t: number; probs: EmotionProbs | null }>(
  options: SmoothProbsOptions,
): OperatorFunction<W, W & { smoothingReset: boolean }> {
  const { halfLifeMs } = options;
  const maxGapMs = options.maxGapMs ?? 5000;
  if (!(halfLifeMs >= 0)) throw new Error(`smoothProbs: halfLifeMs must be ≥ 0, got ${halfLifeMs}`);
  return (source) =>
    new Observable((subscriber) => {
      let state: { t: number; probs: EmotionProbs } | null = null;
      return source.subscribe({
        next(w) {
          if (!w.probs) {
            subscriber.next({ ...w, smoothingReset: false });
            return;
          }
          const reset = state === null || w.t - state.t > maxGapMs || w.t <= state.t;
          const probs = reset ? { ...w.probs } : blend(state!.probs, w.probs, 1 - 2 ** (-(w.t - state!.t) / Math.max(halfLifeMs, 1e-9)));
          state = { t: w.t, probs };
          subscriber.next({ ...w, probs, smoothingReset: reset });
        },
        error: (err) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
    });
}

/** (1 − α)·previous + α·next, renormalised so rounding never lets the sum drift from 1. */
export function blend(previous: EmotionProbs, next: EmotionProbs, alpha: number): EmotionProbs {
  const out = {} as EmotionProbs;
  let sum = 0;
  for (const e of EMOTIONS) {
    out[e] = (1 - alpha) * previous[e] + alpha * next[e];
    sum += out[e];
  }
  if (sum > 0) for (const e of EMOTIONS) out[e] /= sum;
  return out;
}
