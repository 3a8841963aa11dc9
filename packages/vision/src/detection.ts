import type { Anchor } from './anchors.ts';
import { applyAffine, iou, type Affine, type Box, type Point } from './geometry.ts';

/** BlazeFace keypoint order (the subject's right/left: on an unmirrored image the right eye is on the image's left). */
export const FACE_KEYPOINTS = ['rightEye', 'leftEye', 'noseTip', 'mouthCenter', 'rightEarTragion', 'leftEarTragion'] as const;
export type FaceKeypointName = (typeof FACE_KEYPOINTS)[number];

/** A detected face in frame pixels. */
export interface FaceDetection {
  box: Box;
  /** 6 points in FACE_KEYPOINTS order. */
  keypoints: Point[];
  /** Sigmoid confidence 0..1. */
  score: number;
}

/** The TensorsToDetectionsCalculator options BlazeFace short range uses. */
export interface DecodeOptions {
  /** Raw values per anchor: 4 box + 2 per keypoint. */
  numCoords: number;
  numKeypoints: number;
  /** Divides the raw offsets (the detector's input size). */
  scale: number;
  minScore: number;
  /** Logits are clamped to ±this before the sigmoid. */
  scoreClip: number;
}

export const BLAZEFACE_DECODE: DecodeOptions = { numCoords: 16, numKeypoints: 6, scale: 128, minScore: 0.5, scoreClip: 100 };

export const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/**
 * Decodes raw SSD outputs into detections in normalised detector-input coordinates (0..1):
 * centre offsets and sizes relative to each anchor, keypoints likewise, sigmoid scores.
 */
export function decodeDetections(
  regressors: ArrayLike<number>,
  logits: ArrayLike<number>,
  anchors: readonly Anchor[],
  opts: DecodeOptions = BLAZEFACE_DECODE,
): FaceDetection[] {
  if (logits.length < anchors.length || regressors.length < anchors.length * opts.numCoords) {
    throw new RangeError(`detector output too small for ${anchors.length} anchors: ${regressors.length} regressors, ${logits.length} scores`);
  }
  const out: FaceDetection[] = [];
  for (let i = 0; i < anchors.length; i++) {
    const logit = Math.max(-opts.scoreClip, Math.min(opts.scoreClip, logits[i]!));
    const score = sigmoid(logit);
    if (score < opts.minScore) continue;
    const a = anchors[i]!;
    const r = i * opts.numCoords;
    const xc = (regressors[r]! / opts.scale) * a.width + a.xCenter;
    const yc = (regressors[r + 1]! / opts.scale) * a.height + a.yCenter;
    const w = (regressors[r + 2]! / opts.scale) * a.width;
    const h = (regressors[r + 3]! / opts.scale) * a.height;
    const keypoints: Point[] = [];
    for (let k = 0; k < opts.numKeypoints; k++) {
      keypoints.push({
        x: (regressors[r + 4 + 2 * k]! / opts.scale) * a.width + a.xCenter,
        y: (regressors[r + 5 + 2 * k]! / opts.scale) * a.height + a.yCenter,
      });
    }
    out.push({ box: { xMin: xc - w / 2, yMin: yc - h / 2, width: w, height: h }, keypoints, score });
  }
  return out;
}

/**
 * MediaPipe's WEIGHTED non-max suppression: repeatedly take the best remaining detection, gather
 * every remaining one overlapping it by more than `iouThreshold` (itself included), and emit their
 * score-weighted mean box and keypoints with the best one's score. Averaging the overlapping
 * anchors' boxes is what keeps BlazeFace's boxes steady from frame to frame.
 */
export function weightedNms(detections: readonly FaceDetection[], iouThreshold = 0.3): FaceDetection[] {
  let remaining = [...detections].sort((p, q) => q.score - p.score);
  const out: FaceDetection[] = [];
  while (remaining.length > 0) {
    const best = remaining[0]!;
    const cluster: FaceDetection[] = [];
    const rest: FaceDetection[] = [];
    for (const d of remaining) (iou(best.box, d.box) > iouThreshold || d === best ? cluster : rest).push(d);
    remaining = rest;
    if (cluster.length === 1) {
      out.push(best);
      continue;
    }
    let total = 0, xMin = 0, yMin = 0, xMax = 0, yMax = 0;
    const kps = best.keypoints.map(() => ({ x: 0, y: 0 }));
    for (const d of cluster) {
      total += d.score;
      xMin += d.box.xMin * d.score;
      yMin += d.box.yMin * d.score;
      xMax += (d.box.xMin + d.box.width) * d.score;
      yMax += (d.box.yMin + d.box.height) * d.score;
      d.keypoints.forEach((p, k) => { kps[k]!.x += p.x * d.score; kps[k]!.y += p.y * d.score; });
    }
    xMin /= total; yMin /= total; xMax /= total; yMax /= total;
    out.push({
      box: { xMin, yMin, width: xMax - xMin, height: yMax - yMin },
      keypoints: kps.map((p) => ({ x: p.x / total, y: p.y / total })),
      score: best.score,
    });
  }
  return out;
}

/** Maps a detection through an affine transform that is a scale + translation (box stays axis-aligned). */
export function transformDetection(d: FaceDetection, m: Affine): FaceDetection {
  const p1 = applyAffine(m, d.box.xMin, d.box.yMin);
  const p2 = applyAffine(m, d.box.xMin + d.box.width, d.box.yMin + d.box.height);
  return {
    box: { xMin: Math.min(p1.x, p2.x), yMin: Math.min(p1.y, p2.y), width: Math.abs(p2.x - p1.x), height: Math.abs(p2.y - p1.y) },
    keypoints: d.keypoints.map((p) => applyAffine(m, p.x, p.y)),
    score: d.score,
  };
}
