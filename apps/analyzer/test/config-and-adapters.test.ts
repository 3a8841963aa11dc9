import assert from 'node:assert/strict';
import { test } from 'node:test';
import { firstValueFrom, from, toArray } from 'rxjs';
import { analyzerConfigSchema, loadAnalyzerConfig } from '../src/config.ts';
import { fromVideoFrames, fromVisionAligner, fromVisionTracker, type VisionFaceTracker } from '../src/adapters/vision.ts';
import { dummyFrame } from './helpers/fixtures.ts';

test('loadAnalyzerConfig applies defaults: port 4100, 15 fps, 2 s span, 1 s stride, db under var/', () => {
  const c = loadAnalyzerConfig({});
  assert.equal(c.ANALYZER_PORT, 4100);
  assert.equal(c.ANALYZER_FPS, 15);
  assert.equal(c.ANALYZER_SPAN_MS, 2000);
  assert.equal(c.ANALYZER_STRIDE_MS, 1000);
  assert.match(c.ANALYZER_DB_PATH, /\/var\/analyzer\/analytics\.sqlite$/);
  assert.ok(c.ANALYZER_THREADS >= 1);
  assert.ok(analyzerConfigSchema.safeParse({ ANALYZER_DB_PATH: ':memory:' }).success);
});

test('loadAnalyzerConfig names every bad variable', () => {
  assert.throws(
    () => loadAnalyzerConfig({ ANALYZER_FPS: 'fast', ANALYZER_PORT: '70000', ANALYZER_SPAN_MS: '1000', ANALYZER_STRIDE_MS: '3000' }),
    (err: Error) => /ANALYZER_FPS/.test(err.message) && /ANALYZER_PORT/.test(err.message),
  );
  assert.throws(() => loadAnalyzerConfig({ ANALYZER_SPAN_MS: '1000', ANALYZER_STRIDE_MS: '3000' }), /ANALYZER_STRIDE_MS: stride \(3000\) must not exceed the span/);
});

test('fromVisionTracker maps presence to score and carries the face count between detector runs', async () => {
  const script = [
    { facesDetected: 2, face: { landmarks: 'L1', presence: 0.9 } },
    { facesDetected: null, face: { landmarks: 'L2', presence: 0.8 } },
    { facesDetected: 0, face: null },
    { facesDetected: null, face: null },
  ];
  let resets = 0;
  const visionTracker: VisionFaceTracker<string> = { process: async () => script.shift()!, reset: () => void resets++ };
  const tracker = fromVisionTracker(visionTracker);
  const out = [];
  for (let i = 0; i < 4; i++) out.push(await tracker.track(dummyFrame(), i));
  assert.deepEqual(out, [
    { face: { landmarks: 'L1', score: 0.9 }, faceCount: 2 },
    { face: { landmarks: 'L2', score: 0.8 }, faceCount: 2 },
    { face: null, faceCount: 0 },
    { face: null, faceCount: 0 },
  ]);
  tracker.close!();
  assert.equal(resets, 1);
});

test('fromVisionAligner asks for a square crop of the model size and refuses non-square models', () => {
  const align = fromVisionAligner<string>({ alignFace: (_f, _l, size) => ({ crop: { width: size, height: size, data: new Uint8Array(size * size * 3) } }) });
  const crop = align(dummyFrame(), 'L', { width: 4, height: 4 });
  assert.equal((crop as { width: number }).width, 4);
  assert.throws(() => align(dummyFrame(), 'L', { width: 4, height: 3 }), /square crops/);
});

test('fromVideoFrames turns shared VideoFrames into timed frames', async () => {
  const frame = { ...dummyFrame(), t: 1234, seq: 7 };
  const [timed] = await firstValueFrom(from([frame]).pipe(fromVideoFrames(), toArray()));
  assert.equal(timed!.t, 1234);
  assert.equal(timed!.frame, frame);
});
