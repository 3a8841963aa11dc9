/**
 * One inference worker of the bench's "W workers × 1 thread" rows, the analyzer's deployment shape
 * (apps/analyzer runs one model per worker thread): loads the model, warms up, reports ready, waits
 * for "go" so all workers start together, then runs batch-1 windows until the deadline.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadWindowedModel } from '../src/index.ts';

export interface ParallelJob { path: string; threads: number; seconds: number; maxRuns: number; seed: number }
export interface ParallelResult { latencies: number[]; elapsedMs: number }

const job = workerData as ParallelJob;
const port = parentPort!;
const model = await loadWindowedModel(job.path, { threads: job.threads, maxBatch: 1 });
const { frames, height, width } = model.info;
const pixels = new Uint8Array(frames * height * width * 3);
for (let k = 0; k < pixels.length; k++) pixels[k] = (k * 7 + job.seed * 31) & 0xff;
const windows = [{ pixels, weights: new Float32Array(frames).fill(1) }];
await model.run(windows);
port.postMessage({ type: 'ready' });
port.once('message', async () => {
  const latencies: number[] = [];
  const start = performance.now();
  while (latencies.length < job.maxRuns && (performance.now() - start < job.seconds * 1000 || latencies.length < 2)) {
    latencies.push((await model.run(windows)).latencyMs);
  }
  const result: ParallelResult = { latencies, elapsedMs: performance.now() - start };
  await model.release();
  port.postMessage({ type: 'done', result });
});
