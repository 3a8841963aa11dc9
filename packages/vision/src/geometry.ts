/** 2-D point in pixel coordinates. */
export interface Point {
  x: number;
  y: number;
}

/** Axis-aligned box in pixel coordinates. */
export interface Box {
  xMin: number;
  yMin: number;
  width: number;
  height: number;
}

/**
 * A rotated square/rectangle in frame pixels, as MediaPipe's NormalizedRect but in pixels:
 * centre, size and rotation (radians, clockwise in image coordinates where y points down).
 */
export interface RotatedRect {
  xCenter: number;
  yCenter: number;
  width: number;
  height: number;
  rotation: number;
}

/**
 * Affine 2x3 matrix [a, b, c, d, e, f] mapping (x, y) to (a·x + b·y + c, d·x + e·y + f).
 * Coordinates follow OpenCV's convention (pixel centres at integers), the one MediaPipe's CPU
 * image-to-tensor path uses, so crops and landmark projections match the original pipeline.
 */
export type Affine = [number, number, number, number, number, number];

export function applyAffine(m: Affine, x: number, y: number): Point {
  return { x: m[0] * x + m[1] * y + m[2], y: m[3] * x + m[4] * y + m[5] };
}

/** m1 ∘ m2: first m2, then m1. */
export function composeAffine(m1: Affine, m2: Affine): Affine {
  return [
    m1[0] * m2[0] + m1[1] * m2[3],
    m1[0] * m2[1] + m1[1] * m2[4],
    m1[0] * m2[2] + m1[1] * m2[5] + m1[2],
    m1[3] * m2[0] + m1[4] * m2[3],
    m1[3] * m2[1] + m1[4] * m2[4],
    m1[3] * m2[2] + m1[4] * m2[5] + m1[5],
  ];
}

export function invertAffine(m: Affine): Affine {
  const det = m[0] * m[4] - m[1] * m[3];
  if (Math.abs(det) < 1e-12) throw new RangeError('affine transform is singular (zero-size crop or degenerate points)');
  const ia = m[4] / det;
  const ib = -m[1] / det;
  const id = -m[3] / det;
  const ie = m[0] / det;
  return [ia, ib, -(ia * m[2] + ib * m[5]), id, ie, -(id * m[2] + ie * m[5])];
}

export function normalizeRadians(angle: number): number {
  return angle - 2 * Math.PI * Math.floor((angle + Math.PI) / (2 * Math.PI));
}

/**
 * Maps crop pixels (0..cropWidth, 0..cropHeight) onto the rotated rect in the frame: crop corner
 * (0,0) lands on the rect's top-left corner, the crop's x axis along the rect's rotated x axis.
 */
export function rectToCropMatrix(rect: RotatedRect, cropWidth: number, cropHeight: number): Affine {
  const cos = Math.cos(rect.rotation);
  const sin = Math.sin(rect.rotation);
  const sx = rect.width / cropWidth;
  const sy = rect.height / cropHeight;
  // src = centre + R · ((u - W/2)·sx, (v - H/2)·sy)
  const a = cos * sx;
  const b = -sin * sy;
  const d = sin * sx;
  const e = cos * sy;
  return [a, b, rect.xCenter - a * cropWidth / 2 - b * cropHeight / 2, d, e, rect.yCenter - d * cropWidth / 2 - e * cropHeight / 2];
}

/**
 * Least-squares similarity transform (rotation, uniform scale, translation) taking `from` onto
 * `to` (Umeyama 1991 without reflection; closed form for 2-D).
 */
export function estimateSimilarity(from: readonly Point[], to: readonly Point[]): Affine {
  const n = from.length;
  if (n < 2 || to.length !== n) throw new RangeError(`similarity needs at least 2 matching point pairs, got ${n} and ${to.length}`);
  let fx = 0, fy = 0, tx = 0, ty = 0;
  for (let i = 0; i < n; i++) {
    fx += from[i]!.x; fy += from[i]!.y; tx += to[i]!.x; ty += to[i]!.y;
  }
  fx /= n; fy /= n; tx /= n; ty /= n;
  // With complex numbers z = x + iy: to ≈ s·e^{iθ}·from + t; s·e^{iθ} = Σ conj(f)·t / Σ |f|².
  let re = 0, im = 0, norm = 0;
  for (let i = 0; i < n; i++) {
    const ax = from[i]!.x - fx, ay = from[i]!.y - fy;
    const bx = to[i]!.x - tx, by = to[i]!.y - ty;
    re += ax * bx + ay * by;
    im += ax * by - ay * bx;
    norm += ax * ax + ay * ay;
  }
  if (norm < 1e-12) throw new RangeError('similarity source points all coincide');
  const a = re / norm;
  const b = im / norm;
  return [a, -b, tx - (a * fx - b * fy), b, a, ty - (b * fx + a * fy)];
}

export function iou(p: Box, q: Box): number {
  const x1 = Math.max(p.xMin, q.xMin);
  const y1 = Math.max(p.yMin, q.yMin);
  const x2 = Math.min(p.xMin + p.width, q.xMin + q.width);
  const y2 = Math.min(p.yMin + p.height, q.yMin + q.height);
  const inter = Math.max(0, x2 - x1) * Math.max(0, y2 - y1);
  const union = p.width * p.height + q.width * q.height - inter;
  return union > 0 ? inter / union : 0;
}
