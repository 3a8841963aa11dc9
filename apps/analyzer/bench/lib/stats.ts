/** Small statistics shared by the benches and the load tools (pure). */

/** p-th percentile (0..100) of raw values, nearest rank; NaN when there are none. */
export function percentile(values: readonly number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export const mean = (values: readonly number[]): number => (values.length ? values.reduce((a, b) => a + b, 0) / values.length : NaN);

export interface HistogramBucket {
  /** Upper bound (Infinity for +Inf). */
  le: number;
  /** Cumulative count. */
  count: number;
}

/** p-th percentile from a Prometheus histogram's cumulative buckets (linear within a bucket). */
export function histogramPercentile(buckets: readonly HistogramBucket[], p: number): number {
  const total = buckets.at(-1)?.count ?? 0;
  if (!total) return NaN;
  const target = (p / 100) * total;
  let prevLe = 0;
  let prevCount = 0;
  for (const b of buckets) {
    // +Inf has no width: assume the overflow lies within twice the last finite bound.
    if (b.count >= target) return prevLe + ((target - prevCount) / Math.max(1, b.count - prevCount)) * ((Number.isFinite(b.le) ? b.le : prevLe * 2) - prevLe);
    prevLe = b.le;
    prevCount = b.count;
  }
  return prevLe;
}

/**
 * RSS growth after warm-up, as a fraction: the mean of the last `k` samples over the mean of the
 * first `k` samples taken after `warmupMs` (means of a few, so one GC pause does not decide it).
 * null when there are fewer than 2k samples after the warm-up.
 */
export function growthAfterWarmup(samples: readonly { atMs: number; value: number }[], warmupMs: number, k = 3): number | null {
  const steady = samples.filter((s) => s.atMs >= warmupMs).map((s) => s.value);
  if (steady.length < 2 * k) return null;
  const first = mean(steady.slice(0, k));
  const last = mean(steady.slice(-k));
  return last / first - 1;
}
