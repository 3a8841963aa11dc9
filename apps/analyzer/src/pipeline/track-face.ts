import { catchError, from, map, of, type Observable, type OperatorFunction } from 'rxjs';
import type { FaceTracker, Frame, TimedFrame, TrackedFace } from '../ports.ts';
import { exhaustMapDropping } from './exhaust-map-dropping.ts';

export interface TrackedFrame<L> {
  t: number;
  frame: Frame;
  /** The participant's face, or null when none was found (or tracking failed on this frame). */
  face: TrackedFace<L> | null;
  faceCount: number;
  /** 0..1: the face's score, 0 without a face. */
  quality: number;
  /** Why tracking failed on this frame, when it did; the pipeline keeps going. */
  error?: string;
}

/**
 * Runs the participant's face tracker on each frame. While the tracker is busy with one frame,
 * newer frames are dropped rather than queued (exhaustMap): latency stays bounded under load.
 * A tracker error on one frame becomes a "no face" result for that frame, never a dead pipeline.
 */
export function trackFace<L>(tracker: FaceTracker<L>, onDrop?: (frame: TimedFrame) => void): OperatorFunction<TimedFrame, TrackedFrame<L>> {
  return exhaustMapDropping(({ t, frame }) => {
    const noFace = (error?: string): TrackedFrame<L> => ({ t, frame, face: null, faceCount: 0, quality: 0, ...(error ? { error } : {}) });
    let result;
    try {
      result = tracker.track(frame, t);
    } catch (err) {
      return of(noFace(errorMessage(err)));
    }
    const result$: Observable<Awaited<typeof result>> = result instanceof Promise ? from(result) : of(result);
    return result$.pipe(
      map(({ face, faceCount }): TrackedFrame<L> => ({
        t,
        frame,
        face,
        faceCount: Math.max(faceCount, face ? 1 : 0),
        quality: face ? clamp01(face.score) : 0,
      })),
      catchError((err) => of(noFace(errorMessage(err)))),
    );
  }, onDrop);
}

export const clamp01 = (x: number) => (Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0);
export const errorMessage = (err: unknown) => (err instanceof Error ? err.message : String(err));
