import { catchError, from, map, of, type Observable, type OperatorFunction } from 'rxjs';
import type { FaceAligner, FaceCrop } from '../ports.ts';
import { exhaustMapDropping } from './exhaust-map-dropping.ts';
import { errorMessage, type TrackedFrame } from './track-face.ts';

/** A frame reduced to what the windowing needs: the full frame is released here. */
export interface AlignedFrame {
  t: number;
  /** Aligned RGB face crop, or null without a usable face. */
  crop: FaceCrop | null;
  /** Per-frame weight for the model: the face quality, 0 without a face. */
  weight: number;
  faceCount: number;
  error?: string;
}

/**
 * Cuts the aligned face crop (size × size, the model's H × W) out of each frame that has a face.
 * Frames without a face pass through with crop null and weight 0 so windows keep their timing.
 * Busy → drop (exhaustMap), and an aligner error only blanks that one frame.
 */
export function alignCrops<L>(
  align: FaceAligner<L>,
  size: { width: number; height: number },
  onDrop?: (frame: TrackedFrame<L>) => void,
): OperatorFunction<TrackedFrame<L>, AlignedFrame> {
  return exhaustMapDropping((tracked: TrackedFrame<L>) => {
    const base = { t: tracked.t, faceCount: tracked.faceCount };
    const blank = (error?: string): AlignedFrame => ({ ...base, crop: null, weight: 0, ...(error ? { error } : {}) });
    if (!tracked.face) return of(blank(tracked.error));
    const face = tracked.face;
    let result;
    try {
      result = align(tracked.frame, face.landmarks, size);
    } catch (err) {
      return of(blank(errorMessage(err)));
    }
    const crop$: Observable<FaceCrop> = result instanceof Promise ? from(result) : of(result);
    return crop$.pipe(
      map((crop): AlignedFrame => {
        if (crop.width !== size.width || crop.height !== size.height || crop.data.length !== size.width * size.height * 3) {
          return blank(`aligner returned ${crop.width}x${crop.height} (${crop.data.length} bytes), expected ${size.width}x${size.height} RGB`);
        }
        return { ...base, crop, weight: tracked.quality };
      }),
      catchError((err) => of(blank(errorMessage(err)))),
    );
  }, onDrop);
}
