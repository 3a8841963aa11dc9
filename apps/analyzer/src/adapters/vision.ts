import { map, type OperatorFunction } from 'rxjs';
import type { FaceAligner, FaceTracker, Frame, TimedFrame } from '../ports.ts';

/**
 * Adapters from packages/vision and the shared frame type to the analyzer's ports. Written
 * against the minimal shapes they need (structural types), so any object with these members fits:
 * @moodroom/vision's `FaceTracker` and `Vision` do.
 */

/** The part of @moodroom/vision's FaceTracker the analyzer uses. */
export interface VisionFaceTracker<L> {
  process(frame: Frame): Promise<{ facesDetected: number | null; face: { landmarks: L; presence: number } | null }>;
  reset(): void;
}

/** The part of @moodroom/vision's Vision the analyzer uses. */
export interface VisionAligner<L> {
  alignFace(frame: Frame, landmarks: L, size: number): { crop: { width: number; height: number; data: Uint8Array } };
}

/**
 * vision's tracker only counts faces on frames where its detector runs (facesDetected null
 * otherwise); between detections the last count holds.
 */
export function fromVisionTracker<L>(tracker: VisionFaceTracker<L>): FaceTracker<L> {
  let lastCount = 0;
  return {
    async track(frame) {
      const r = await tracker.process(frame);
      if (r.facesDetected !== null) lastCount = r.facesDetected;
      const face = r.face ? { landmarks: r.face.landmarks, score: r.face.presence } : null;
      if (!face) lastCount = r.facesDetected ?? 0;
      return { face, faceCount: face ? Math.max(1, lastCount) : lastCount };
    },
    close: () => tracker.reset(),
  };
}

/** vision aligns to a square crop; the model's H × W must therefore be square. */
export function fromVisionAligner<L>(vision: VisionAligner<L>): FaceAligner<L> {
  return (frame, landmarks, size) => {
    if (size.width !== size.height) throw new Error(`vision.alignFace makes square crops; the model wants ${size.width}x${size.height}`);
    const { crop } = vision.alignFace(frame, landmarks, size.width);
    return { width: crop.width, height: crop.height, data: crop.data };
  };
}

/** Shared VideoFrames (packages/shared frames.ts: the receiver's output) → the pipeline's TimedFrames. */
export const fromVideoFrames = <F extends Frame & { t: number }>(): OperatorFunction<F, TimedFrame> => map((frame) => ({ t: frame.t, frame }));
