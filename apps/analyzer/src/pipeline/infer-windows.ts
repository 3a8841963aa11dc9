import { catchError, EMPTY, filter, map, mergeMap, Observable, of, type OperatorFunction } from 'rxjs';
import type { EmotionProbs } from '@moodroom/shared';
import type { PackedWindow, WindowedModelInfo } from '../ports.ts';
import { packWindow } from './pack-window.ts';
import type { FrameWindow } from './sliding-window.ts';
import { errorMessage } from './track-face.ts';

export type InferenceOutcome =
  | { status: 'done'; probs: EmotionProbs; queueMs: number; inferenceMs: number }
  /** A newer window of the same participant took this one's place in the queue. */
  | { status: 'superseded' };

/** The shared inference service as one participant's pipeline sees it (inference/scheduler.ts). */
export interface WindowInference {
  readonly model: WindowedModelInfo;
  /**
   * Cold: subscribing queues the window, unsubscribing withdraws it. Emits one outcome and
   * completes, or errors when the model failed on it.
   */
  infer(participantId: string, window: PackedWindow): Observable<InferenceOutcome>;
}

export interface InferredWindow {
  t: number;
  windowStart: number;
  faceCount: number;
  quality: number;
  facePresent: boolean;
  /** Raw model probabilities; null when the window had no usable face (no inference ran). */
  probs: EmotionProbs | null;
  queueMs: number;
  inferenceMs: number;
}

export interface InferWindowsOptions {
  participantId: string;
  /** Share of the window's frames that must hold a face for it to count as "face present". */
  minFaceShare?: number;
  onError?: (message: string) => void;
}

/**
 * Sends face windows to the shared inference service and passes face-less windows straight
 * through (probs null: nothing is invented). Windows are never queued here: the service keeps at
 * most one waiting window per participant and reports older ones as superseded, which are
 * dropped. A failed inference drops that window only. Results older than one already emitted are
 * dropped, so output times only go forward.
 */
export function inferWindows(inference: WindowInference, options: InferWindowsOptions): OperatorFunction<FrameWindow, InferredWindow> {
  const minFaceShare = options.minFaceShare ?? 0.25;
  return (source) => {
    let lastT = Number.NEGATIVE_INFINITY;
    return source.pipe(
      mergeMap((window): Observable<InferredWindow> => {
        const base = { t: window.t, windowStart: window.windowStart, faceCount: window.faceCount, quality: window.quality };
        const faceShare = window.crops.filter((c) => c !== null).length / window.crops.length;
        const packed = faceShare >= minFaceShare ? packWindow(window, inference.model) : null;
        if (!packed) return of({ ...base, facePresent: false, probs: null, queueMs: 0, inferenceMs: 0 });
        return inference.infer(options.participantId, packed).pipe(
          filter((o) => o.status === 'done'),
          map((o) => ({ ...base, facePresent: true, probs: o.probs, queueMs: o.queueMs, inferenceMs: o.inferenceMs })),
          catchError((err) => {
            options.onError?.(`inference failed for a window of ${options.participantId}: ${errorMessage(err)}`);
            return EMPTY;
          }),
        );
      }),
      filter((w) => {
        if (w.t <= lastT) return false;
        lastT = w.t;
        return true;
      }),
    );
  };
}
