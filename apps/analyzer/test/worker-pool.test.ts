import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { firstValueFrom } from 'rxjs';
import { EMOTIONS } from '@moodroom/shared';
import { InferenceWorkerPool } from '../src/inference/worker-pool.ts';
import { InferenceScheduler } from '../src/inference/scheduler.ts';
import type { PackedWindow } from '../src/ports.ts';
import type { OnnxRunnerOptions } from './helpers/onnx-window-runner.ts';
import { makeTinyWindowedModel, tinyModelUnavailable } from './helpers/tiny-model.ts';

// Real worker threads, each with its own real onnxruntime session on a small generated
// contract-following model (see helpers/make_tiny_windowed_model.py).
const skip = tinyModelUnavailable();
const FACTORY = fileURLToPath(new URL('./helpers/onnx-window-runner.ts', import.meta.url));
const T = 4, H = 8, W = 8;
let options: OnnxRunnerOptions;
let pool: InferenceWorkerPool;

before(async () => {
  if (skip) return;
  options = {
    modelPath: makeTinyWindowedModel(T, H, W),
    name: 'tiny-test-windowed',
    frames: T, height: H, width: W,
    labels: [...EMOTIONS],
    mean: [0, 0, 0], std: [1, 1, 1],
    crashOnWeight: 0.125,
  };
  pool = await InferenceWorkerPool.start({ factoryModule: FACTORY, factoryOptions: options, threads: 2 });
});
after(async () => {
  await pool?.close();
});

/** A window whose frames are solid colours, with per-frame weights. */
const window = (colours: [number, number, number][], weights: number[]): PackedWindow => {
  const pixels = new Uint8Array(T * H * W * 3);
  colours.forEach((rgb, t) => {
    for (let p = 0; p < H * W; p++) pixels.set(rgb, (t * H * W + p) * 3);
  });
  return { frames: T, height: H, width: W, pixels, weights: Float32Array.from(weights) };
};
const red: [number, number, number] = [255, 0, 0];
const green: [number, number, number] = [0, 255, 0];
/** The tiny model's output for a weighted mean colour (r, g, b in 0..1): softmax(4r, 4g, 4b, 0, 0, 0, 0). */
const expected = (r: number, g: number, b: number) => {
  const e = [4 * r, 4 * g, 4 * b, 0, 0, 0, 0].map(Math.exp);
  const sum = e.reduce((a, x) => a + x, 0);
  return e.map((x) => x / sum);
};
const close = (a: number[], b: number[]) => a.every((x, i) => Math.abs(x - b[i]!) < 1e-5);

test('the pool starts one worker per thread and reports the model', { skip: skip ?? false }, () => {
  assert.equal(pool.size, 2);
  assert.equal(pool.idle(), 2);
  assert.deepEqual(pool.model, { name: 'tiny-test-windowed', frames: T, height: H, width: W });
});

test('workers run real ONNX inference on batches, honouring frame weights', { skip: skip ?? false }, async () => {
  const { probs } = await pool.run([
    window([red, red, red, red], [1, 1, 1, 1]),
    window([red, red, green, green], [1, 1, 0, 0]),
    window([red, red, green, green], [1, 1, 1, 1]),
  ]);
  assert.equal(probs.length, 3);
  const arr = probs.map((p) => EMOTIONS.map((e) => p[e]));
  assert.ok(close(arr[0]!, expected(1, 0, 0)), JSON.stringify(arr[0]));
  assert.ok(close(arr[1]!, expected(1, 0, 0)), 'weight-0 frames must not count');
  assert.ok(close(arr[2]!, expected(0.5, 0.5, 0)), JSON.stringify(arr[2]));
});

test('the scheduler spreads participants over the real worker threads', { skip: skip ?? false }, async () => {
  const s = new InferenceScheduler(pool, { maxBatch: 4, settings: { fps: 15, strideMs: 1000 }, evaluateEveryMs: 0 });
  const outcomes = await Promise.all(
    ['p1', 'p2', 'p3', 'p4', 'p5'].map((p) => firstValueFrom(s.infer(p, window([green, green, green, green], [1, 1, 1, 1])))),
  );
  for (const o of outcomes) {
    assert.equal(o.status, 'done');
    if (o.status === 'done') assert.ok(close(EMOTIONS.map((e) => o.probs[e]), expected(0, 1, 0)));
  }
  s.close();
});

test('a crashing worker fails only its own batch and is replaced', { skip: skip ?? false }, async () => {
  await assert.rejects(pool.run([window([red, red, red, red], [0.125, 1, 1, 1])]), /inference worker died/);
  // The other worker still serves; the replacement joins shortly.
  const { probs } = await pool.run([window([red, red, red, red], [1, 1, 1, 1])]);
  assert.ok(probs[0]!.happy > 0.9);
  for (let i = 0; i < 100 && pool.size < 2; i++) await new Promise((r) => setTimeout(r, 50));
  assert.equal(pool.size, 2);
});

test('a factory module without createWindowRunner fails start-up with a clear error', { skip: skip ?? false }, async () => {
  const notAFactory = fileURLToPath(new URL('./helpers/fixtures.ts', import.meta.url));
  await assert.rejects(
    InferenceWorkerPool.start({ factoryModule: notAFactory, factoryOptions: {}, threads: 1 }),
    /could not load its model: .*fixtures\.ts does not export createWindowRunner/,
  );
});
