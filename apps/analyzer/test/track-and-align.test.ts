import assert from 'node:assert/strict';
import { test } from 'node:test';
import { firstValueFrom, from, map, of, toArray } from 'rxjs';
import { alignCrops } from '../src/pipeline/align-crops.ts';
import { exhaustMapDropping } from '../src/pipeline/exhaust-map-dropping.ts';
import { trackFace, type TrackedFrame } from '../src/pipeline/track-face.ts';
import type { FaceAligner, FaceTracker } from '../src/ports.ts';
import { crop, frameAt } from './helpers/fixtures.ts';
import { marbles } from './helpers/marbles.ts';

test('exhaustMapDropping drops (and reports) values that arrive while the inner work runs', () => {
  const dropped: string[] = [];
  marbles().run(({ hot, cold, expectObservable }) => {
    const source = hot('a 4ms b 4ms c 9ms d|');
    const work = (v: string) => cold('-----(x|)', { x: v.toUpperCase() });
    expectObservable(source.pipe(exhaustMapDropping(work, (v) => dropped.push(v)))).toBe('----- A 9ms C 9ms (D|)', { A: 'A', C: 'C', D: 'D' });
  });
  assert.deepEqual(dropped, ['b']);
});

test('exhaustMapDropping handles synchronous inner work without dropping', () => {
  marbles().run(({ cold, expectObservable }) => {
    expectObservable(cold('abc|').pipe(exhaustMapDropping((v: string) => of(v)))).toBe('abc|');
  });
});

type L = { eyeX: number };
const tracker: FaceTracker<L> = {
  track: (frame, t) => (t % 2 === 0 ? { face: { landmarks: { eyeX: t }, score: 0.8 }, faceCount: 2 } : { face: null, faceCount: 0 }),
};

test('trackFace emits the face, face count and quality per frame (marbles, sync tracker)', () => {
  marbles().run(({ cold, expectObservable }) => {
    const frames = { a: frameAt(10), b: frameAt(11) };
    const out = cold('ab|', frames).pipe(
      trackFace(tracker),
      map((f) => ({ t: f.t, face: f.face, faceCount: f.faceCount, quality: f.quality })),
    );
    expectObservable(out).toBe('xy|', {
      x: { t: 10, face: { landmarks: { eyeX: 10 }, score: 0.8 }, faceCount: 2, quality: 0.8 },
      y: { t: 11, face: null, faceCount: 0, quality: 0 },
    });
  });
});

test('trackFace turns a tracker failure into a face-less frame and keeps going', async () => {
  let calls = 0;
  const flaky: FaceTracker<L> = {
    async track(_frame, t) {
      calls++;
      if (t === 2) throw new Error('onnx exploded');
      return { face: { landmarks: { eyeX: 1 }, score: 1.5 }, faceCount: 1 };
    },
  };
  const out = await firstValueFrom(from([frameAt(1), frameAt(2), frameAt(3)]).pipe(trackFace(flaky), toArray()));
  // Async tracker: frames arriving while it is busy are dropped, not queued.
  assert.equal(calls, 1);
  assert.equal(out.length, 1);
  const results: TrackedFrame<L>[] = [];
  for (const t of [1, 2, 3]) results.push(await firstValueFrom(of(frameAt(t)).pipe(trackFace(flaky))));
  assert.deepEqual(results.map((r) => [r.t, r.face !== null, r.quality, r.error]), [
    [1, true, 1, undefined],
    [2, false, 0, 'onnx exploded'],
    [3, true, 1, undefined],
  ]);
});

test('alignCrops cuts crops for face frames, passes face-less frames with weight 0, and rejects wrong crop sizes', () => {
  const align: FaceAligner<L> = (_frame, landmarks) => (landmarks.eyeX === 99 ? crop(3, [1, 2, 3]) : crop(2, [landmarks.eyeX, 0, 0]));
  marbles().run(({ cold, expectObservable }) => {
    const tracked = (t: number, eyeX: number | null): TrackedFrame<L> => ({
      t,
      frame: frameAt(t).frame,
      face: eyeX === null ? null : { landmarks: { eyeX }, score: 0.7 },
      faceCount: eyeX === null ? 0 : 1,
      quality: eyeX === null ? 0 : 0.7,
    });
    const out = cold('abc|', { a: tracked(1, 5), b: tracked(2, null), c: tracked(3, 99) }).pipe(
      alignCrops(align, { width: 2, height: 2 }),
      map((f) => ({ t: f.t, first: f.crop?.data[0] ?? null, weight: f.weight, error: f.error ?? null })),
    );
    expectObservable(out).toBe('xyz|', {
      x: { t: 1, first: 5, weight: 0.7, error: null },
      y: { t: 2, first: null, weight: 0, error: null },
      z: { t: 3, first: null, weight: 0, error: 'aligner returned 3x3 (27 bytes), expected 2x2 RGB' },
    });
  });
});
