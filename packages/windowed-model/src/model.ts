import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import '@moodroom/shared/onnxruntime-telemetry-off';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import type { EmotionProbs } from '@moodroom/shared';
import { readOnnxMetadata } from '@moodroom/vision/onnx-metadata';
import { parseWindowedMetadata, WindowedContractError, CONTRACT_DOC, type WindowedMetadata } from './contract.ts';
import { checkPixels, checkWeights, packWeights, packWindow, windowSize, type WindowInput } from './pack.ts';
import { probsFromLogits, type WindowProbs } from './probs.ts';

export interface WindowedModelInfo extends WindowedMetadata {
  path: string;
  /** Most windows this runner puts in one onnxruntime call (LoadOptions.maxBatch). */
  maxBatch: number;
  /** The model declares the optional `frame_weights` input (the runtime then always feeds it). */
  hasFrameWeights: boolean;
}

/**
 * Most windows per onnxruntime call unless told otherwise: 1, i.e. no batching. Measured with
 * `npm run bench -w packages/windowed-model` (2-core EPYC, onnxruntime-node 1.30, batch 4 vs 1 in
 * the same session, paired runs): windows/s ×0.86–0.95 for the baseline, ×0.90–0.98 for ViT-B S2D
 * fp32, ×1.00–1.09 for int8 — never a clear gain, while a batch of 4 makes every window in it wait
 * for all four (4× the latency). On this CPU, parallel 1-thread workers beat batching; raise
 * `maxBatch` only where the bench shows a gain (e.g. a GPU or a many-core CPU).
 */
export const RECOMMENDED_MAX_BATCH = 1;

export interface LoadOptions {
  /** onnxruntime intra-op threads (default 1: the analyzer runs one model per worker thread). */
  threads?: number;
  /** Alias of `threads`, matching onnxruntime's option name. */
  intraOpNumThreads?: number;
  /** Most windows per onnxruntime call; larger requests are split into several calls (default RECOMMENDED_MAX_BATCH). */
  maxBatch?: number;
}

export interface WindowResult extends WindowProbs {
  /** The model's raw output row, in `info.labels` order. */
  logits: Float32Array;
}

export interface RunResult {
  /** Canonical probabilities per window, in input order. */
  probs: EmotionProbs[];
  /** Everything per window: canonical probs, extras, raw logits. */
  windows: WindowResult[];
  /** Wall time of the whole call, ms (packing + inference + mapping). */
  latencyMs: number;
  /** Time inside onnxruntime, ms. */
  inferenceMs: number;
  /** Windows per onnxruntime call (the largest chunk when split by maxBatch). */
  batchSize: number;
  /** onnxruntime calls made. */
  calls: number;
}

export interface WindowedModel {
  readonly info: WindowedModelInfo;
  /** Runs all windows, batched; calls on one model are serialised (they share input buffers). */
  run(windows: readonly WindowInput[]): Promise<RunResult>;
  release(): Promise<void>;
}

type Dim = number | string;

function checkShape(path: string, what: string, shape: readonly Dim[] | undefined, want: readonly (number | null)[]): void {
  const show = (s: readonly (Dim | null)[]) => `[${s.map((d) => (d === null ? 'N' : String(d))).join(', ')}]`;
  if (!shape || shape.length !== want.length || want.some((d, i) => d !== null && shape[i] !== d)) {
    throw new WindowedContractError(
      `${path}: ${what} has shape ${shape ? show(shape) : 'unknown'}, the metadata implies ${show(want)} (see ${CONTRACT_DOC})`,
    );
  }
}

/** Reads a windowed-v1 model, checks its metadata against its graph, and returns a batched runner. */
export async function loadWindowedModel(path: string, options: LoadOptions = {}): Promise<WindowedModel> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw new Error(
      `cannot read the windowed model at ${path} (${(err as Error).message}); the bundled baseline is models/expression-window-baseline.onnx (npm run build:baseline -w models), S2D exports come from models/s2d/export.py`,
    );
  }
  const meta = parseWindowedMetadata(readOnnxMetadata(bytes), path);
  const threads = options.threads ?? options.intraOpNumThreads ?? 1;
  const maxBatch = options.maxBatch ?? RECOMMENDED_MAX_BATCH;
  if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`threads must be a positive integer, got ${threads}`);
  if (!Number.isInteger(maxBatch) || maxBatch < 1) throw new RangeError(`maxBatch must be a positive integer, got ${maxBatch}`);
  const session = await InferenceSession.create(bytes, {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  try {
    const input = (name: string) => session.inputMetadata.find((m) => m.name === name);
    const frames = input('frames');
    if (!frames?.isTensor) throw new WindowedContractError(`${path}: no float tensor input "frames" (inputs: ${session.inputNames.join(', ')}; see ${CONTRACT_DOC})`);
    checkShape(path, 'input "frames"', frames.shape, [null, meta.frames, 3, meta.height, meta.width]);
    const weightsInput = input('frame_weights');
    if (weightsInput) checkShape(path, 'input "frame_weights"', weightsInput.isTensor ? weightsInput.shape : undefined, [null, meta.frames]);
    const extra = session.inputNames.filter((n) => n !== 'frames' && n !== 'frame_weights');
    if (extra.length) throw new WindowedContractError(`${path}: unexpected inputs ${extra.join(', ')}; the contract allows frames and frame_weights (${CONTRACT_DOC})`);
    const logits = session.outputMetadata.find((m) => m.name === 'logits');
    if (!logits?.isTensor) throw new WindowedContractError(`${path}: no tensor output "logits" (outputs: ${session.outputNames.join(', ')}; see ${CONTRACT_DOC})`);
    checkShape(path, 'output "logits"', logits.shape, [null, typeof logits.shape[1] === 'number' ? meta.labels.length : null]);
    const info: WindowedModelInfo = { ...meta, path, maxBatch, hasFrameWeights: weightsInput !== undefined };
    return createRunner(session, info);
  } catch (err) {
    await session.release();
    throw err;
  }
}

interface Buffers {
  frames: Float32Array;
  weights: Float32Array;
  feeds: Record<string, Tensor>;
}

function createRunner(session: InferenceSession, info: WindowedModelInfo): WindowedModel {
  const { maxBatch } = info;
  const perWindow = windowSize(info);
  // One set of input tensors per batch size, allocated on first use and reused: a steady stream of
  // same-sized batches allocates nothing.
  const buffers = new Map<number, Buffers>();
  const buffersFor = (n: number): Buffers => {
    let b = buffers.get(n);
    if (!b) {
      const frames = new Float32Array(n * perWindow);
      const weights = new Float32Array(n * info.frames);
      const feeds: Record<string, Tensor> = { frames: new Tensor('float32', frames, [n, info.frames, 3, info.height, info.width]) };
      if (info.hasFrameWeights) feeds.frame_weights = new Tensor('float32', weights, [n, info.frames]);
      b = { frames, weights, feeds };
      buffers.set(n, b);
    }
    return b;
  };
  let tail: Promise<unknown> = Promise.resolve();
  let released = false;

  async function runAll(windows: readonly WindowInput[]): Promise<RunResult> {
    if (released) throw new Error(`windowed model ${info.name} was released`);
    const t0 = performance.now();
    // Check every window before running any, so a bad one fails the call without partial work.
    windows.forEach((w, i) => {
      try {
        checkPixels(w.pixels, info);
        checkWeights(w.weights, info.frames);
      } catch (err) {
        throw new RangeError(`window ${i}: ${(err as Error).message}`);
      }
    });
    const results: WindowResult[] = [];
    let inferenceMs = 0;
    let calls = 0;
    for (let start = 0; start < windows.length; start += maxBatch) {
      const chunk = windows.slice(start, start + maxBatch);
      const b = buffersFor(chunk.length);
      chunk.forEach((w, i) => {
        packWindow(w.pixels, info, b.frames, i * perWindow);
        packWeights(w.weights, info.frames, b.weights, i * info.frames);
      });
      const ti = performance.now();
      const out = await session.run(b.feeds, ['logits']);
      inferenceMs += performance.now() - ti;
      calls++;
      const data = out.logits?.data;
      if (!(data instanceof Float32Array)) throw new Error(`${info.path}: output "logits" is not float32`);
      const c = info.labels.length;
      for (let i = 0; i < chunk.length; i++) {
        const row = data.slice(i * c, (i + 1) * c);
        results.push({ ...probsFromLogits(row, info), logits: row });
      }
    }
    return {
      probs: results.map((r) => r.probs),
      windows: results,
      latencyMs: performance.now() - t0,
      inferenceMs,
      batchSize: Math.min(maxBatch, windows.length),
      calls,
    };
  }

  return {
    info,
    run(windows) {
      const job = tail.then(() => runAll(windows));
      tail = job.catch(() => undefined);
      return job;
    },
    async release() {
      if (released) return;
      released = true;
      await tail;
      buffers.clear();
      await session.release();
    },
  };
}
