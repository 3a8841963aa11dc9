/**
 * Inference scheduler throughput: N participants' windows through real worker threads and real
 * onnxruntime, comparing thread counts and batch sizes in one run. Uses the tiny generated
 * contract model (test/helpers), so it measures the scheduler + transfer + normalisation + ORT
 * call overhead, not a heavy network: rerun with a real model via BENCH_MODEL / BENCH_T / BENCH_SIZE.
 *
 *   npm run bench:scheduler -w apps/analyzer      (BENCH_WINDOWS=200 BENCH_PARTICIPANTS=8)
 */
import { fileURLToPath } from 'node:url';
import { firstValueFrom } from 'rxjs';
import { EMOTIONS } from '@moodroom/shared';
import { InferenceScheduler } from '../src/inference/scheduler.ts';
import { InferenceWorkerPool } from '../src/inference/worker-pool.ts';
import type { PackedWindow } from '../src/ports.ts';
import { percentile } from '../src/pipeline/participant-stats.ts';
import { makeTinyWindowedModel } from '../test/helpers/tiny-model.ts';

const T = Number(process.env.BENCH_T ?? 16);
const SIZE = Number(process.env.BENCH_SIZE ?? 112);
const WINDOWS = Number(process.env.BENCH_WINDOWS ?? 200);
const PARTICIPANTS = Number(process.env.BENCH_PARTICIPANTS ?? 8);
const modelPath = process.env.BENCH_MODEL ?? makeTinyWindowedModel(T, SIZE, SIZE);
const factoryModule = fileURLToPath(new URL('../test/helpers/onnx-window-runner.ts', import.meta.url));

const makeWindow = (): PackedWindow => {
  const pixels = new Uint8Array(T * SIZE * SIZE * 3);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 31) & 255;
  return { frames: T, height: SIZE, width: SIZE, pixels, weights: new Float32Array(T).fill(1) };
};

async function run(threads: number, maxBatch: number) {
  const pool = await InferenceWorkerPool.start({
    factoryModule,
    factoryOptions: { modelPath, name: 'bench', frames: T, height: SIZE, width: SIZE, labels: [...EMOTIONS], mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] },
    threads,
  });
  const scheduler = new InferenceScheduler(pool, { maxBatch, settings: { fps: 15, strideMs: 1000 }, evaluateEveryMs: 0 });
  const latencies: number[] = [];
  const batchMs: number[] = [];
  let done = 0;
  const started = performance.now();
  // Every participant keeps one window in the system at a time, like a pipeline under load.
  await Promise.all(
    Array.from({ length: PARTICIPANTS }, async (_, p) => {
      while (done < WINDOWS) {
        done++;
        const o = await firstValueFrom(scheduler.infer(`p${p}`, makeWindow()));
        if (o.status === 'done') {
          latencies.push(o.queueMs + o.inferenceMs);
          batchMs.push(o.inferenceMs);
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  scheduler.close();
  await pool.close();
  return { threads, maxBatch, windowsPerSec: latencies.length / seconds, p50: percentile(latencies, 50)!, p95: percentile(latencies, 95)! };
}

console.log(`windows: ${WINDOWS}, participants: ${PARTICIPANTS}, window: ${T}x${SIZE}x${SIZE}, model: ${process.env.BENCH_MODEL ?? 'tiny generated'}`);
console.log('threads  maxBatch  windows/s  latency p50 ms  p95 ms');
for (const [threads, maxBatch] of [
  [1, 1],
  [1, 4],
  [2, 1],
  [2, 4],
] as const) {
  const r = await run(threads, maxBatch);
  console.log(`${String(r.threads).padStart(7)}  ${String(r.maxBatch).padStart(8)}  ${r.windowsPerSec.toFixed(1).padStart(9)}  ${r.p50.toFixed(1).padStart(14)}  ${r.p95.toFixed(1).padStart(6)}`);
}
