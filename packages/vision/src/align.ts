import type { Frame } from './frame.ts';
import { estimateSimilarity, invertAffine, type Affine, type Point } from './geometry.ts';
import { warpAffineToRgb } from './kernels.ts';
import { MESH } from './mesh.ts';
import type { Landmark } from './roi.ts';

/**
 * Where the anchor points land in the aligned crop, as fractions of its side: the centres of the
 * right and left eye (image left and right) and the midpoint of the mouth corners. Chosen so the
 * crop spans brows to chin and cheek to cheek, the framing both static classifiers were trained on
 * (a face-detector box) and that the windowed contract calls `face-aligned`.
 */
export interface AlignTemplate {
  rightEye: Point;
  leftEye: Point;
  mouth: Point;
}

export const DEFAULT_ALIGN_TEMPLATE: AlignTemplate = {
  rightEye: { x: 0.32, y: 0.38 },
  leftEye: { x: 0.68, y: 0.38 },
  mouth: { x: 0.5, y: 0.74 },
};

/** An aligned face crop and the transforms between it and the frame. */
export interface AlignedFace {
  crop: Frame & { format: 'rgb' };
  /** crop pixel → frame pixel. */
  frameFromCrop: Affine;
  /** frame pixel → crop pixel. */
  cropFromFrame: Affine;
}

function mean(landmarks: readonly Landmark[], indices: readonly number[]): Point {
  let x = 0, y = 0;
  for (const i of indices) { x += landmarks[i]!.x; y += landmarks[i]!.y; }
  return { x: x / indices.length, y: y / indices.length };
}

/** The anchor points (right eye, left eye, mouth) of a 468-point mesh, in frame pixels. */
export function alignAnchors(landmarks: readonly Landmark[]): [Point, Point, Point] {
  if (landmarks.length < 468) throw new RangeError(`alignment needs the 468-point mesh, got ${landmarks.length} points`);
  return [mean(landmarks, MESH.rightEyeContour), mean(landmarks, MESH.leftEyeContour), mean(landmarks, [MESH.mouthRight, MESH.mouthLeft])];
}

/** Similarity transform frame → crop of side `size` that puts the anchors on the template. */
export function alignmentTransform(landmarks: readonly Landmark[], size: number, template: AlignTemplate = DEFAULT_ALIGN_TEMPLATE): Affine {
  const dst = [template.rightEye, template.leftEye, template.mouth].map((p) => ({ x: p.x * size, y: p.y * size }));
  return estimateSimilarity(alignAnchors(landmarks), dst);
}

/**
 * Cuts a size x size RGB crop with the face's eyes and mouth on the template, upright whatever the
 * head roll. `out` may be passed to reuse a buffer across frames.
 */
export function alignFace(frame: Frame, landmarks: readonly Landmark[], size: number, options: { template?: AlignTemplate; out?: Uint8Array } = {}): AlignedFace {
  if (!Number.isInteger(size) || size <= 0) throw new RangeError(`aligned crop size must be a positive integer, got ${size}`);
  const cropFromFrame = alignmentTransform(landmarks, size, options.template);
  const frameFromCrop = invertAffine(cropFromFrame);
  const data = options.out ?? new Uint8Array(size * size * 3);
  warpAffineToRgb(frame, frameFromCrop, size, size, data, 'replicate');
  return { crop: { width: size, height: size, format: 'rgb', data }, frameFromCrop, cropFromFrame };
}
