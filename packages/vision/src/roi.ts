import type { FaceDetection } from './detection.ts';
import { normalizeRadians, type Point, type RotatedRect } from './geometry.ts';
import { MESH } from './mesh.ts';

/** 3-D landmark: x, y in frame pixels, z in the same pixel scale (relative depth, smaller = nearer). */
export interface Landmark {
  x: number;
  y: number;
  z: number;
}

/** RectTransformationCalculator settings of MediaPipe's face landmark ROI. */
export interface RoiOptions {
  scale: number;
  squareLong: boolean;
}

/** face_detection_front_detection_to_roi / face_landmark_landmarks_to_roi: 1.5x, square on the long side. */
export const FACE_ROI: RoiOptions = { scale: 1.5, squareLong: true };

/** Rotation that makes the vector start→end horizontal (DetectionsToRectsCalculator::ComputeRotation, target angle 0). */
export function rotationFromVector(start: Point, end: Point): number {
  return normalizeRadians(-Math.atan2(-(end.y - start.y), end.x - start.x));
}

/** Axis-aligned box centre/size + rotation → the enlarged, squared ROI (all in pixels). */
export function roiFromBox(xCenter: number, yCenter: number, width: number, height: number, rotation: number, opts: RoiOptions = FACE_ROI): RotatedRect {
  let w = width;
  let h = height;
  if (opts.squareLong) w = h = Math.max(w, h);
  return { xCenter, yCenter, width: w * opts.scale, height: h * opts.scale, rotation };
}

/** The landmark model's ROI for a fresh detection: its box centre, rotated so the eyes are level. */
export function detectionToRoi(face: FaceDetection, opts: RoiOptions = FACE_ROI): RotatedRect {
  const rotation = rotationFromVector(face.keypoints[0]!, face.keypoints[1]!);
  const { xMin, yMin, width, height } = face.box;
  return roiFromBox(xMin + width / 2, yMin + height / 2, width, height, rotation, opts);
}

/** Bounding box of points, as xMin/yMin/width/height. */
export function boundingBox(points: readonly Point[]): { xMin: number; yMin: number; width: number; height: number } {
  let x1 = Infinity, y1 = Infinity, x2 = -Infinity, y2 = -Infinity;
  for (const p of points) {
    if (p.x < x1) x1 = p.x;
    if (p.y < y1) y1 = p.y;
    if (p.x > x2) x2 = p.x;
    if (p.y > y2) y2 = p.y;
  }
  return { xMin: x1, yMin: y1, width: x2 - x1, height: y2 - y1 };
}

/**
 * The next frame's ROI from this frame's mesh (MediaPipe's tracking path): the mesh's bounding box,
 * rotated by the outer eye corners, 1.5x and squared, so the detector can be skipped while the face stays.
 */
export function landmarksToRoi(landmarks: readonly Landmark[], opts: RoiOptions = FACE_ROI): RotatedRect {
  const box = boundingBox(landmarks);
  const rotation = rotationFromVector(landmarks[MESH.rightEyeOuter]!, landmarks[MESH.leftEyeOuter]!);
  return roiFromBox(box.xMin + box.width / 2, box.yMin + box.height / 2, box.width, box.height, rotation, opts);
}
