import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generateSsdAnchors } from '../src/anchors.ts';
import { alignmentTransform, alignAnchors } from '../src/align.ts';
import { decodeDetections, weightedNms, transformDetection, type FaceDetection } from '../src/detection.ts';
import { assertFrame, type Frame } from '../src/frame.ts';
import { applyAffine, composeAffine, estimateSimilarity, invertAffine, iou, rectToCropMatrix, type Affine } from '../src/geometry.ts';
import { letterboxMatrix, readPixel, resizeMatrix, toI420, toRgba, warpAffineToRgb, warpAffineToTensor } from '../src/kernels.ts';
import { MESH } from '../src/mesh.ts';
import { readOnnxMetadata } from '../src/onnx-metadata.ts';
import { detectionToRoi, landmarksToRoi, rotationFromVector, type Landmark } from '../src/roi.ts';

const close = (a: number, b: number, tol: number, msg = ''): void => assert.ok(Math.abs(a - b) <= tol, `${msg} ${a} vs ${b} (tol ${tol})`);

function gradientFrame(width: number, height: number): Frame {
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 4;
      data[o] = (x * 7) % 256; data[o + 1] = (y * 5) % 256; data[o + 2] = (x + y) % 256; data[o + 3] = 255;
    }
  }
  return { width, height, format: 'rgba', data };
}

describe('SSD anchors', () => {
  const anchors = generateSsdAnchors();
  it('makes the 896 BlazeFace short-range anchors', () => assert.equal(anchors.length, 896));
  it('puts 2 anchors per 16x16 cell, then 6 per 8x8 cell, centred in their cells', () => {
    assert.deepEqual(anchors[0], { xCenter: 0.5 / 16, yCenter: 0.5 / 16, width: 1, height: 1 });
    assert.deepEqual(anchors[1], anchors[0]);
    assert.deepEqual(anchors[2], { xCenter: 1.5 / 16, yCenter: 0.5 / 16, width: 1, height: 1 });
    assert.deepEqual(anchors[511], { xCenter: 15.5 / 16, yCenter: 15.5 / 16, width: 1, height: 1 });
    for (let k = 512; k < 518; k++) assert.deepEqual(anchors[k], { xCenter: 0.5 / 8, yCenter: 0.5 / 8, width: 1, height: 1 });
    assert.deepEqual(anchors[518], { xCenter: 1.5 / 8, yCenter: 0.5 / 8, width: 1, height: 1 });
    assert.deepEqual(anchors[895], { xCenter: 7.5 / 8, yCenter: 7.5 / 8, width: 1, height: 1 });
  });
});

describe('detection decoding and weighted NMS', () => {
  const anchors = generateSsdAnchors();
  it('decodes offsets relative to the anchor, scaled by the input size, and thresholds sigmoid scores', () => {
    const reg = new Float32Array(896 * 16);
    const logits = new Float32Array(896).fill(-10);
    const i = 600;
    logits[i] = 2;
    reg.set([12.8, -6.4, 32, 64, 0, 0, 1.28, 1.28, 0, 0, 0, 0, 0, 0, 0, 0], i * 16);
    const out = decodeDetections(reg, logits, anchors);
    assert.equal(out.length, 1);
    const a = anchors[i]!;
    const d = out[0]!;
    close(d.score, 1 / (1 + Math.exp(-2)), 1e-9);
    close(d.box.xMin + d.box.width / 2, a.xCenter + 0.1, 1e-6);
    close(d.box.yMin + d.box.height / 2, a.yCenter - 0.05, 1e-6);
    close(d.box.width, 0.25, 1e-6);
    close(d.box.height, 0.5, 1e-6);
    close(d.keypoints[1]!.x, a.xCenter + 0.01, 1e-6);
    close(d.keypoints[0]!.x, a.xCenter, 1e-6);
  });

  it('clamps huge logits instead of producing NaN', () => {
    const reg = new Float32Array(896 * 16);
    const logits = new Float32Array(896).fill(-1e9);
    logits[3] = 1e9;
    const out = decodeDetections(reg, logits, anchors);
    assert.equal(out.length, 1);
    close(out[0]!.score, 1, 1e-9);
  });

  const det = (x: number, y: number, s: number, score: number): FaceDetection => ({
    box: { xMin: x, yMin: y, width: s, height: s },
    keypoints: [{ x: x + s / 3, y: y + s / 3 }, { x: x + (2 * s) / 3, y: y + s / 3 }],
    score,
  });

  it('merges overlapping detections into their score-weighted mean with the best score', () => {
    const out = weightedNms([det(10, 10, 100, 0.6), det(20, 10, 100, 0.9), det(500, 500, 50, 0.7)]);
    assert.equal(out.length, 2);
    assert.equal(out[0]!.score, 0.9);
    close(out[0]!.box.xMin, (10 * 0.6 + 20 * 0.9) / 1.5, 1e-9);
    close(out[0]!.keypoints[0]!.x, ((10 + 100 / 3) * 0.6 + (20 + 100 / 3) * 0.9) / 1.5, 1e-9);
    assert.deepEqual(out[1], det(500, 500, 50, 0.7));
  });

  it('keeps detections that overlap at or below the IoU threshold apart', () => {
    const a = det(0, 0, 100, 0.9);
    const b = det(80, 0, 100, 0.8);
    assert.ok(iou(a.box, b.box) < 0.3);
    assert.equal(weightedNms([a, b]).length, 2);
    assert.deepEqual(weightedNms([]), []);
  });

  it('maps detections back through the letterbox', () => {
    const m = invertAffine([128 / 640, 0, 0, 0, 128 / 640, 16]); // 640x480 into 128x128 (frame→input)
    const d = transformDetection(det(0, 16, 128, 1), composeAffine(m, [1, 0, 0, 0, 1, 0]));
    close(d.box.xMin, 0, 1e-9);
    close(d.box.yMin, 0, 1e-9);
    close(d.box.width, 640, 1e-9);
  });
});

describe('geometry', () => {
  it('inverts and composes affine transforms', () => {
    const m: Affine = [1.2, -0.3, 5, 0.4, 0.9, -7];
    const id = composeAffine(m, invertAffine(m));
    [1, 0, 0, 0, 1, 0].forEach((v, i) => close(id[i]!, v, 1e-12));
    assert.throws(() => invertAffine([0, 0, 0, 0, 0, 0]), /singular/);
  });

  it('recovers a known similarity transform from points', () => {
    const s = 1.7, t = 0.4;
    const m: Affine = [s * Math.cos(t), -s * Math.sin(t), 12, s * Math.sin(t), s * Math.cos(t), -3];
    const from = [{ x: 10, y: 20 }, { x: 50, y: 22 }, { x: 30, y: 70 }, { x: 5, y: 90 }];
    const to = from.map((p) => applyAffine(m, p.x, p.y));
    const est = estimateSimilarity(from, to);
    m.forEach((v, i) => close(est[i]!, v, 1e-9));
  });

  it('maps crop corners onto the rotated rect', () => {
    const m = rectToCropMatrix({ xCenter: 100, yCenter: 50, width: 40, height: 20, rotation: Math.PI / 2 }, 192, 192);
    const c = applyAffine(m, 96, 96);
    close(c.x, 100, 1e-9); close(c.y, 50, 1e-9);
    // Rotated 90° clockwise: the crop's +x runs down the frame.
    const r = applyAffine(m, 192, 96);
    close(r.x, 100, 1e-9); close(r.y, 70, 1e-9);
  });

  it('levels the eyes: rotation follows the eye vector, clockwise positive', () => {
    close(rotationFromVector({ x: 0, y: 0 }, { x: 10, y: 0 }), 0, 1e-12);
    close(rotationFromVector({ x: 0, y: 0 }, { x: 10, y: 10 }), Math.PI / 4, 1e-12);
    close(Math.cos(rotationFromVector({ x: 0, y: 0 }, { x: -10, y: 0 })), -1, 1e-12);
  });

  it('builds the face ROI 1.5x the long side around the box centre', () => {
    const roi = detectionToRoi({ box: { xMin: 100, yMin: 50, width: 80, height: 100 }, keypoints: [{ x: 120, y: 80 }, { x: 160, y: 80 }], score: 1 });
    assert.deepEqual(roi, { xCenter: 140, yCenter: 100, width: 150, height: 150, rotation: 0 });
  });

  it('derives the tracking ROI from landmarks, rotated by the outer eye corners', () => {
    const lm: Landmark[] = Array.from({ length: 468 }, (_, i) => ({ x: 100 + (i % 20) * 5, y: 200 + Math.floor(i / 20) * 4, z: 0 }));
    lm[MESH.rightEyeOuter] = { x: 120, y: 220, z: 0 };
    lm[MESH.leftEyeOuter] = { x: 170, y: 270, z: 0 };
    const roi = landmarksToRoi(lm);
    close(roi.rotation, Math.PI / 4, 1e-12);
    close(roi.xCenter, 100 + 95 / 2, 1e-9);
    close(roi.width, 1.5 * Math.max(95, 23 * 4), 1e-9);
  });
});

describe('pixel kernels', () => {
  const frame = gradientFrame(40, 30);

  it('reproduces the frame under an identity warp', () => {
    const out = new Float32Array(40 * 30 * 3);
    warpAffineToTensor(frame, [1, 0, 0, 0, 1, 0], { data: out, width: 40, height: 30, channels: 3, scale: 1, offset: 0 }, 'zero');
    for (let i = 0, o = 0; i < 40 * 30; i++, o += 4) {
      assert.equal(out[i * 3], frame.data[o]);
      assert.equal(out[i * 3 + 2], frame.data[o + 2]);
    }
  });

  it('interpolates bilinearly and normalises with scale/offset', () => {
    const out = new Float32Array(3);
    warpAffineToTensor(frame, [1, 0, 2.5, 0, 1, 3.25], { data: out, width: 1, height: 1, channels: 3, scale: 2 / 255, offset: -1 }, 'zero');
    // Red is 7x, linear in x: at x = 2.5 it is 17.5.
    close(out[0]!, (17.5 * 2) / 255 - 1, 1e-6);
    close(out[1]!, (3.25 * 5 * 2) / 255 - 1, 1e-6);
  });

  it('pads with black (zero) or the edge (replicate) outside the frame', () => {
    const out = new Float32Array(3);
    const t = { data: out, width: 1, height: 1, channels: 3 as const, scale: 1, offset: 0 };
    warpAffineToTensor(frame, [1, 0, -5, 0, 1, 10], t, 'zero');
    assert.deepEqual([...out], [0, 0, 0]);
    warpAffineToTensor(frame, [1, 0, -5, 0, 1, 10], t, 'replicate');
    assert.deepEqual([...out], [0, 50, 10]);
  });

  it('writes luma for one-channel targets', () => {
    const out = new Float32Array(1);
    warpAffineToTensor(frame, [1, 0, 3, 0, 1, 4], { data: out, width: 1, height: 1, channels: 1, scale: 1, offset: 0 }, 'zero');
    close(out[0]!, 0.2989 * 21 + 0.587 * 20 + 0.114 * 7, 1e-4);
  });

  it('letterboxes keeping the aspect ratio with equal padding', () => {
    const m = letterboxMatrix(640, 480, 128, 128);
    const top = applyAffine(m, 0, 16);
    close(top.x, 0, 1e-9); close(top.y, 0, 1e-9);
    const bottom = applyAffine(m, 128, 112);
    close(bottom.x, 640, 1e-9); close(bottom.y, 480, 1e-9);
    assert.deepEqual(resizeMatrix(100, 50, 10, 10), [10, 0, 4.5, 0, 5, 2]);
    assert.deepEqual(resizeMatrix(64, 64, 64, 64), [1, 0, 0, 0, 1, 0]);
  });

  it('round-trips RGB through I420 within chroma-subsampling error', () => {
    const flat: Frame = { width: 8, height: 6, format: 'rgba', data: new Uint8Array(8 * 6 * 4) };
    for (let i = 0; i < 48; i++) flat.data.set([200, 120, 40, 255], i * 4);
    const back = toRgba(toI420(flat));
    for (let i = 0; i < 48; i++) {
      for (let c = 0; c < 3; c++) close(back.data[i * 4 + c]!, flat.data[i * 4 + c]!, 2, `pixel ${i} channel ${c}`);
    }
    const i420 = toI420(frame);
    assert.equal(i420.data.length, 40 * 30 + 2 * 20 * 15);
    const p = [0, 0, 0];
    readPixel(i420, 39, 29, p);
    assert.ok(p.every((v) => v >= 0 && v <= 255));
  });

  it('handles odd-sized I420 frames', () => {
    const odd = gradientFrame(5, 3);
    const i420 = toI420(odd);
    assert.equal(i420.data.length, 15 + 2 * 3 * 2);
    assert.doesNotThrow(() => assertFrame(i420));
    const out = new Uint8Array(5 * 3 * 3);
    warpAffineToRgb(i420, [1, 0, 0, 0, 1, 0], 5, 3, out, 'replicate');
  });

  it('rejects malformed frames with a clear error', () => {
    assert.throws(() => assertFrame({ width: 10, height: 10, format: 'rgba', data: new Uint8Array(10) }), /needs 400 bytes/);
    assert.throws(() => assertFrame({ width: 0, height: 10, format: 'rgba', data: new Uint8Array(10) }), /invalid size/);
    assert.throws(() => assertFrame({ width: 1, height: 1, format: 'bgr' as 'rgb', data: new Uint8Array(10) }), /unsupported format/);
  });
});

describe('alignment', () => {
  it('puts the eye and mouth anchors on the template under rotation and scale', () => {
    const lm: Landmark[] = Array.from({ length: 468 }, () => ({ x: 0, y: 0, z: 0 }));
    const t = 0.5, s = 3;
    const place = (indices: readonly number[], x: number, y: number): void => {
      for (const i of indices) lm[i] = { x: 200 + s * (Math.cos(t) * x - Math.sin(t) * y), y: 100 + s * (Math.sin(t) * x + Math.cos(t) * y), z: 0 };
    };
    place(MESH.rightEyeContour, 32, 38);
    place(MESH.leftEyeContour, 68, 38);
    place([MESH.mouthRight, MESH.mouthLeft], 50, 74);
    const m = alignmentTransform(lm, 100);
    const [re, le, mouth] = alignAnchors(lm).map((p) => applyAffine(m, p.x, p.y));
    close(re!.x, 32, 1e-6); close(re!.y, 38, 1e-6);
    close(le!.x, 68, 1e-6); close(mouth!.y, 74, 1e-6);
  });
});

describe('ONNX metadata reader', () => {
  it('reads metadata_props and skips other ModelProto fields', () => {
    const enc = new TextEncoder();
    const str = (field: number, s: string): number[] => { const b = [...enc.encode(s)]; return [(field << 3) | 2, b.length, ...b]; };
    const entry = (k: string, v: string): number[] => { const body = [...str(1, k), ...str(2, v)]; return [(14 << 3) | 2, body.length, ...body]; };
    const bytes = new Uint8Array([
      (1 << 3) | 0, 8, // ir_version = 8
      ...str(2, 'producer'),
      ...entry('moodroom.labels', '["happy","sad"]'),
      (8 << 3) | 2, 2, 0x0a, 0x00, // opset_import (skipped)
      ...entry('k', 'v'),
    ]);
    assert.deepEqual(readOnnxMetadata(bytes), { 'moodroom.labels': '["happy","sad"]', k: 'v' });
  });
});
