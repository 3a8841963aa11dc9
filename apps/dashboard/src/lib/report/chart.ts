import { EMOTIONS, type Emotion, type MoodPoint } from '@moodroom/shared';
import { formatClock } from './format.ts';

/**
 * SVG geometry for the report's charts, kept free of React so it can be tested as plain strings.
 * Points are time buckets (MoodPoint.t = bucket start); each is drawn as a flat step across its
 * bucket, which is what the data is (a bucket mean), and a bucket with no estimate is left empty
 * rather than interpolated across, so camera-off stretches read as gaps, not as calm.
 */

export interface ChartFrame {
  width: number;
  height: number;
  /** Time at the left and right edge, ms since the epoch. */
  t0: number;
  t1: number;
}

export function xOf(frame: ChartFrame, t: number): number {
  const span = frame.t1 - frame.t0;
  if (span <= 0) return 0;
  return ((t - frame.t0) / span) * frame.width;
}

/** Width of one bucket: the smallest spacing between points (the grid is regular), else `fallbackMs`. */
export function bucketMsOf(points: readonly MoodPoint[], fallbackMs = 1000): number {
  let best = Infinity;
  for (let i = 1; i < points.length; i++) {
    const d = points[i]!.t - points[i - 1]!.t;
    if (d > 0 && d < best) best = d;
  }
  return Number.isFinite(best) ? best : fallbackMs;
}

/** The frame a series spans: from its first bucket's start to its last bucket's end. */
export function frameFor(points: readonly MoodPoint[], width: number, height: number, bucketMs = bucketMsOf(points)): ChartFrame | null {
  if (points.length === 0) return null;
  return { width, height, t0: points[0]!.t, t1: points[points.length - 1]!.t + bucketMs };
}

const num = (x: number) => (Math.round(x * 100) / 100).toString();

/** Runs of consecutive points with an estimate. */
function segments(points: readonly MoodPoint[]): (MoodPoint & { probs: NonNullable<MoodPoint['probs']> })[][] {
  const out: (MoodPoint & { probs: NonNullable<MoodPoint['probs']> })[][] = [];
  let run: (MoodPoint & { probs: NonNullable<MoodPoint['probs']> })[] = [];
  for (const p of points) {
    if (p.probs) run.push(p as MoodPoint & { probs: NonNullable<MoodPoint['probs']> });
    else if (run.length > 0) (out.push(run), (run = []));
  }
  if (run.length > 0) out.push(run);
  return out;
}

/**
 * One closed path per emotion, stacked bottom-up in EMOTIONS order; probabilities are normalised
 * per point so rounding never makes the stack overflow the chart.
 */
export function stackedAreaPaths(points: readonly MoodPoint[], frame: ChartFrame, bucketMs = bucketMsOf(points)): { emotion: Emotion; d: string }[] {
  const y = (share: number) => frame.height - share * frame.height;
  return EMOTIONS.map((emotion, k) => {
    const parts: string[] = [];
    for (const run of segments(points)) {
      const top: string[] = [];
      const bottom: string[] = [];
      for (const p of run) {
        const total = EMOTIONS.reduce((s, e) => s + p.probs[e], 0) || 1;
        let below = 0;
        for (let j = 0; j < k; j++) below += p.probs[EMOTIONS[j]!] / total;
        const above = below + p.probs[emotion] / total;
        const x0 = num(xOf(frame, p.t));
        const x1 = num(xOf(frame, Math.min(frame.t1, p.t + bucketMs)));
        top.push(`${x0},${num(y(above))}`, `${x1},${num(y(above))}`);
        bottom.push(`${x0},${num(y(below))}`, `${x1},${num(y(below))}`);
      }
      // Along the top left to right, back along the bottom right to left.
      parts.push(`M${top.join('L')}L${bottom.reverse().join('L')}Z`);
    }
    return { emotion, d: parts.join('') };
  });
}

/** A polyline of `value(point)` in [min, max], broken wherever the value is null. */
export function linePath(points: readonly MoodPoint[], frame: ChartFrame, value: (p: MoodPoint) => number | null, min: number, max: number, bucketMs = bucketMsOf(points)): string {
  const range = max - min || 1;
  let d = '';
  let pen = false;
  for (const p of points) {
    const v = value(p);
    if (v === null) {
      pen = false;
      continue;
    }
    const x = num(xOf(frame, Math.min(frame.t1, p.t + bucketMs / 2)));
    const yv = num(frame.height - ((Math.min(max, Math.max(min, v)) - min) / range) * frame.height);
    d += `${pen ? 'L' : 'M'}${x},${yv}`;
    pen = true;
  }
  return d;
}

const TICK_STEPS_MS = [5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800].map((s) => s * 1000);

/** Evenly spaced, round time ticks (at most `maxTicks`), labelled as time since the start. */
export function timeTicks(frame: ChartFrame, maxTicks = 6): { x: number; label: string }[] {
  const span = frame.t1 - frame.t0;
  if (span <= 0) return [];
  const step = TICK_STEPS_MS.find((s) => span / s <= maxTicks - 1) ?? Math.ceil(span / (maxTicks - 1) / 3_600_000) * 3_600_000;
  const ticks: { x: number; label: string }[] = [];
  for (let off = 0; off <= span; off += step) ticks.push({ x: xOf(frame, frame.t0 + off), label: formatClock(off) });
  return ticks;
}
