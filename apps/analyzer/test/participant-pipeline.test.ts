import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { BehaviorSubject, concatMap, firstValueFrom, from, map, timer, toArray } from 'rxjs';
import { emotionSampleSchema, EMOTIONS } from '@moodroom/shared';
import { InferenceWorkerPool } from '../src/inference/worker-pool.ts';
import { InferenceScheduler } from '../src/inference/scheduler.ts';
import { createParticipantPipeline } from '../src/pipeline/participant-pipeline.ts';
import { ParticipantStats } from '../src/pipeline/participant-stats.ts';
import type { TimedFrame } from '../src/ports.ts';
import { colourAligner, colourTracker, solidFrame } from './helpers/colour-face.ts';
import { makeTinyWindowedModel, tinyModelUnavailable } from './helpers/tiny-model.ts';

/**
 * Whole pipeline: frames → rate limit → tracker → aligner → windows → REAL worker-thread ONNX
 * inference (tiny generated model) → smoothing → samples. The face tracker and aligner stand in
 * for packages/vision at its port (helpers/colour-face.ts).
 */
const skip = tinyModelUnavailable();
const T = 4, H = 8, W = 8;
let pool: InferenceWorkerPool;
let scheduler: InferenceScheduler;

before(async () => {
  if (skip) return;
  pool = await InferenceWorkerPool.start({
    factoryModule: fileURLToPath(new URL('./helpers/onnx-window-runner.ts', import.meta.url)),
    factoryOptions: { modelPath: makeTinyWindowedModel(T, H, W), name: 'tiny-test-windowed', frames: T, height: H, width: W, labels: [...EMOTIONS], mean: [0, 0, 0], std: [1, 1, 1] },
    threads: 1,
  });
  scheduler = new InferenceScheduler(pool, { maxBatch: 4, settings: { fps: 10, strideMs: 500 }, evaluateEveryMs: 0 });
});
after(async () => {
  scheduler?.close();
  await pool?.close();
});

const tracker = colourTracker();
const align = colourAligner;
const solid = solidFrame;

test('a participant pipeline turns frames into validated, smoothed samples and never invents emotions', { skip: skip ?? false }, async () => {
  const t0 = 1_700_000_000_000;
  // 30 fps of frame time: 3 s happy (red), 2 s no face (black), 3 s sad (green).
  const frames: TimedFrame[] = [];
  for (let i = 0; i < 240; i++) {
    const t = t0 + Math.round((i * 1000) / 30);
    frames.push(solid(t, i < 90 ? [255, 0, 0] : i < 150 ? [0, 0, 0] : [0, 255, 0]));
  }
  const stats = new ParticipantStats('p1');
  const pipeline = createParticipantPipeline(
    { sessionId: 's1', participantId: 'p1', settings: new BehaviorSubject({ fps: 10, strideMs: 500 }), spanMs: 1000, halfLifeMs: 500, rateClock: 'frame' },
    { tracker, align, inference: scheduler, stats },
  );
  // Pace the frames a little so each window's inference finishes before the next (as in a call).
  const samples = await firstValueFrom(
    from(frames).pipe(
      concatMap((f, i) => (i % 15 === 0 ? timer(5).pipe(map(() => f)) : [f])),
      pipeline,
      toArray(),
    ),
  );
  for (const s of samples) assert.deepEqual(emotionSampleSchema.parse(s), s);
  assert.ok(samples.length >= 12, `expected a sample per 500 ms stride, got ${samples.length}`);
  const at = (ms: number) => samples.filter((s) => s.t - t0 <= ms).at(-1)!;
  assert.equal(at(2900).dominant, 'happy');
  assert.equal(at(2900).facePresent, true);
  assert.equal(at(2900).model, 'tiny-test-windowed');
  const noFace = samples.filter((s) => s.t - t0 >= 4200 && s.t - t0 <= 4900);
  assert.ok(noFace.length > 0 && noFace.every((s) => !s.facePresent && s.probs === null && s.dominant === null));
  assert.equal(samples.at(-1)!.dominant, 'sad');
  assert.ok(samples.every((s, i) => i === 0 || s.t > samples[i - 1]!.t), 'sample times only go forward');
  // 30 fps in, 10 fps analysed: two thirds dropped by the rate limit.
  assert.equal(stats.framesReceived, 240);
  assert.equal(stats.framesAnalysed, 80);
  assert.equal(stats.framesDropped, 160);
  assert.ok(stats.windowsInferred >= 8);
});
