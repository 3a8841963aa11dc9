import { isObservable, Observable, of, type OperatorFunction } from 'rxjs';
import type { FaceCrop } from '../ports.ts';
import type { AlignedFrame } from './align-crops.ts';

export interface SlidingWindowOptions {
  /** T: frames per window (the model's `moodroom.frames`). */
  frames: number;
  /** Time the T frames are spread over, ms. */
  spanMs?: number;
  /** A window is emitted every stride, ms (may change at run time under overload). */
  strideMs?: number | Observable<number>;
  /**
   * How much time the frames must cover before the first window of a stream (or after a gap),
   * ms; default the whole span. Shorter gives a first estimate sooner (a participant who just
   * turned on their camera, an analyzer that restarted mid-call): that window holds its earliest
   * frame over the part of the span not covered yet.
   */
  firstWindowMs?: number;
}

export interface FrameWindow {
  /** Time of the window's last frame (the newest frame seen). */
  t: number;
  /** Time of the window's first chosen frame. */
  windowStart: number;
  /** T crops, oldest first; null where the chosen frame had no face. Frames may repeat when the input rate is below T / span. */
  crops: (FaceCrop | null)[];
  /** T weights in 0..1; 0 where there is no face. */
  weights: number[];
  /** Times of the chosen frames. */
  times: number[];
  /** Most faces seen in any frame of the span. */
  faceCount: number;
  /** Mean weight: share of usable face frames × their confidence. */
  quality: number;
}

/**
 * Picks, for each of T evenly spaced times over the last `spanMs`, the frame nearest to it, and
 * emits that window every `strideMs` of FRAME time (not wall time), so recorded video analysed
 * faster than real time gets the same windows as a live call.
 *
 * The first window comes once the frames cover `firstWindowMs` (default: a whole span); a gap
 * longer than the span (camera off, stream stalled) starts over, so a window never mixes frames
 * from before and after it.
 * Frames older than the current span are released; out-of-order frames are ignored.
 */
export function slidingWindow(options: SlidingWindowOptions): OperatorFunction<AlignedFrame, FrameWindow> {
  const T = options.frames;
  const spanMs = options.spanMs ?? 2000;
  if (!Number.isInteger(T) || T < 1) throw new Error(`slidingWindow: frames must be an integer ≥ 1, got ${T}`);
  if (!(spanMs > 0)) throw new Error(`slidingWindow: spanMs must be > 0, got ${spanMs}`);
  const firstWindowMs = options.firstWindowMs ?? spanMs;
  if (!(firstWindowMs >= 0 && firstWindowMs <= spanMs)) throw new Error(`slidingWindow: firstWindowMs must be within 0..spanMs (${spanMs}), got ${firstWindowMs}`);
  const stride$ = isObservable(options.strideMs) ? options.strideMs : of(options.strideMs ?? 1000);
  const stepMs = T > 1 ? spanMs / (T - 1) : spanMs;

  return (source) =>
    new Observable<FrameWindow>((subscriber) => {
      let strideMs = Number.NaN;
      const strideSub = stride$.subscribe((value) => {
        if (!(value > 0)) subscriber.error(new Error(`slidingWindow: strideMs must be > 0, got ${value}`));
        strideMs = value;
      });
      if (Number.isNaN(strideMs)) {
        subscriber.error(new Error('slidingWindow: the stride observable must emit synchronously on subscribe (use a BehaviorSubject)'));
        return strideSub;
      }

      let buffer: AlignedFrame[] = [];
      let nextEmitAt = Number.NaN;

      const sub = source.subscribe({
        next(frame) {
          const last = buffer[buffer.length - 1];
          if (last && frame.t <= last.t) return;
          if (!last || frame.t - last.t > spanMs) {
            buffer = [];
            nextEmitAt = frame.t + firstWindowMs;
          }
          buffer.push(frame);
          const start = frame.t - spanMs;
          // Keep one step of slack before the span: the first target's nearest frame may lie there.
          let drop = 0;
          while (drop < buffer.length - 1 && buffer[drop]!.t < start - stepMs) drop++;
          if (drop > 0) buffer = buffer.slice(drop);
          if (frame.t < nextEmitAt) return;
          nextEmitAt += strideMs;
          if (nextEmitAt <= frame.t) nextEmitAt = frame.t + strideMs;
          subscriber.next(buildWindow(buffer, frame.t, spanMs, T));
        },
        error: (err) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
      sub.add(strideSub);
      return () => {
        sub.unsubscribe();
        buffer = [];
      };
    });
}

/** Nearest-frame selection of T evenly spaced times over [end − span, end] (ties go to the newer frame); `buffer` is sorted by t. */
export function buildWindow(buffer: readonly AlignedFrame[], end: number, spanMs: number, T: number): FrameWindow {
  const crops: (FaceCrop | null)[] = [];
  const weights: number[] = [];
  const times: number[] = [];
  let j = 0;
  for (let i = 0; i < T; i++) {
    const target = T > 1 ? end - spanMs + (i * spanMs) / (T - 1) : end;
    while (j + 1 < buffer.length && Math.abs(buffer[j + 1]!.t - target) <= Math.abs(buffer[j]!.t - target)) j++;
    const chosen = buffer[j]!;
    crops.push(chosen.crop);
    weights.push(chosen.crop ? chosen.weight : 0);
    times.push(chosen.t);
  }
  let faceCount = 0;
  for (const f of buffer) if (f.t >= end - spanMs && f.faceCount > faceCount) faceCount = f.faceCount;
  const quality = weights.reduce((a, b) => a + b, 0) / T;
  return { t: end, windowStart: times[0]!, crops, weights, times, faceCount, quality };
}
