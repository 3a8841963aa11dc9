import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FaceDetection } from '../src/detection.ts';
import type { Frame } from '../src/frame.ts';
import type { RotatedRect } from '../src/geometry.ts';
import { matchTrackedFace, pickMainFace, FaceTracker } from '../src/tracker.ts';
import type { FaceMesh } from '../src/vision.ts';

const face = (x: number, y: number, s: number): FaceDetection => ({ box: { xMin: x, yMin: y, width: s, height: s }, keypoints: [{ x: x + s * 0.3, y: y + s * 0.4 }, { x: x + s * 0.7, y: y + s * 0.4 }], score: 0.9 });

describe('main face selection', () => {
  it('prefers the larger face, and a central one over an equal face in the corner', () => {
    const small = face(0, 0, 50);
    const large = face(300, 200, 100);
    assert.equal(pickMainFace([small, large], 640, 480), large);
    const corner = face(0, 0, 100);
    const centre = face(270, 190, 100);
    assert.equal(pickMainFace([corner, centre], 640, 480), centre);
    assert.equal(pickMainFace([], 640, 480), null);
  });

  it('keeps following the tracked face on re-detection even when another is bigger', () => {
    const tracked = face(10, 10, 80);
    const big = face(300, 200, 200);
    assert.equal(matchTrackedFace([big, face(15, 12, 82)], tracked.box)?.box.xMin, 15);
    assert.equal(matchTrackedFace([big], tracked.box), null);
  });
});

/**
 * Scripted stand-in for the models so the tracker's control flow (when the detector runs, what it
 * reports) is checked exactly; the real-model behaviour is checked in vision.test.ts.
 */
function scriptedVision(facesPerFrame: number[], presenceWhenTracking: number[]) {
  const calls: string[] = [];
  let frameIndex = 0;
  let trackIndex = 0;
  const mesh = (roi: RotatedRect, presence: number): FaceMesh => ({
    landmarks: Array.from({ length: 468 }, (_, i) => ({ x: 100 + (i % 20) * 5, y: 100 + Math.floor(i / 20) * 4, z: 0 })),
    presence,
    roi,
  });
  return {
    calls,
    nextFrame: () => { frameIndex++; },
    vision: {
      async detectFaces(_frame: Frame) {
        calls.push('detect');
        return Array.from({ length: facesPerFrame[frameIndex] ?? 0 }, (_, i) => face(100 + i * 200, 100, 100));
      },
      async faceLandmarks(_frame: Frame, f: FaceDetection | RotatedRect) {
        const fromDetection = 'box' in f;
        calls.push(fromDetection ? 'mesh(detection)' : 'mesh(roi)');
        const presence = fromDetection ? 0.99 : presenceWhenTracking[trackIndex++] ?? 0.99;
        return mesh(fromDetection ? { xCenter: 0, yCenter: 0, width: 10, height: 10, rotation: 0 } : f, presence);
      },
    },
  };
}

describe('FaceTracker control flow', () => {
  const frame: Frame = { width: 640, height: 480, format: 'rgba', data: new Uint8Array(640 * 480 * 4) };

  it('detects once, then tracks from the previous mesh without the detector', async () => {
    const s = scriptedVision([2, 2, 2, 2], []);
    const t = new FaceTracker(s.vision, { redetectEvery: 100 });
    const results = [];
    for (let i = 0; i < 4; i++) { results.push(await t.process(frame)); s.nextFrame(); }
    assert.deepEqual(results.map((r) => r.detectorRan), [true, false, false, false]);
    assert.deepEqual(results.map((r) => r.facesDetected), [2, null, null, null]);
    assert.ok(results.every((r) => r.face !== null));
    assert.deepEqual(s.calls, ['detect', 'mesh(detection)', 'mesh(roi)', 'mesh(roi)', 'mesh(roi)']);
  });

  it('re-detects on the same frame when presence drops, and reports no face when none is found', async () => {
    const s = scriptedVision([1, 0, 0], [0.1]);
    const t = new FaceTracker(s.vision, { redetectEvery: 100 });
    const first = await t.process(frame); s.nextFrame();
    const lost = await t.process(frame); s.nextFrame();
    const still = await t.process(frame);
    assert.equal(first.face !== null, true);
    assert.deepEqual([lost.detectorRan, lost.facesDetected, lost.face], [true, 0, null]);
    assert.deepEqual([still.detectorRan, still.facesDetected, still.face], [true, 0, null]);
    assert.deepEqual(s.calls, ['detect', 'mesh(detection)', 'mesh(roi)', 'detect', 'detect']);
  });

  it('runs the detector every redetectEvery frames while tracking', async () => {
    const s = scriptedVision(Array(7).fill(1), []);
    const t = new FaceTracker(s.vision, { redetectEvery: 3 });
    const ran = [];
    for (let i = 0; i < 7; i++) { ran.push((await t.process(frame)).detectorRan); s.nextFrame(); }
    assert.deepEqual(ran, [true, false, false, true, false, false, true]);
  });
});
