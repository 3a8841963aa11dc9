import { readFile } from 'node:fs/promises';
import '@moodroom/shared/onnxruntime-telemetry-off';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { readOnnxMetadata } from './onnx-metadata.ts';

/** An ONNX session with its metadata, one preallocated input tensor and a lock so the buffer is never shared by two runs. */
export interface ModelSession {
  name: string;
  path: string;
  session: InferenceSession;
  metadata: Record<string, string>;
  inputName: string;
  /** NHWC input shape with the batch fixed to 1. */
  inputShape: [number, number, number, number];
  /** The reused input buffer: fill it, then call run(). */
  input: Float32Array;
  /** Runs the model on `input` (after fill() wrote it) under the session's lock and returns the named outputs. */
  run<T>(fill: (input: Float32Array) => void, read: (outputs: InferenceSession.OnnxValueMapType) => T): Promise<T>;
  release(): Promise<void>;
}

export interface SessionOptions {
  threads: number;
}

function fixedDim(d: unknown, what: string): number {
  if (typeof d === 'number' && d > 0) return d;
  throw new Error(`${what}: dimension ${String(d)} is not fixed; the vision models need fixed H, W and C`);
}

/** Loads an ONNX model once: reads its metadata_props, checks it takes one NHWC float image, preallocates that input. */
export async function loadModelSession(name: string, path: string, opts: SessionOptions): Promise<ModelSession> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw new Error(`cannot read the ${name} model at ${path} (${(err as Error).message}); pass modelsDir to createVision or regenerate the models (see models/README.md)`);
  }
  const metadata = readOnnxMetadata(bytes);
  const session = await InferenceSession.create(bytes, {
    intraOpNumThreads: opts.threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  const inputName = session.inputNames[0];
  const meta = session.inputMetadata[0];
  if (session.inputNames.length !== 1 || inputName === undefined || meta === undefined || !meta.isTensor) {
    throw new Error(`${name} model (${path}) must take exactly one tensor input, has ${session.inputNames.join(', ')}`);
  }
  if (meta.shape.length !== 4) throw new Error(`${name} model input ${inputName} must be NHWC (rank 4), got shape [${meta.shape.join(', ')}]`);
  const inputShape: [number, number, number, number] = [
    1,
    fixedDim(meta.shape[1], `${name} input height`),
    fixedDim(meta.shape[2], `${name} input width`),
    fixedDim(meta.shape[3], `${name} input channels`),
  ];
  const input = new Float32Array(inputShape[1] * inputShape[2] * inputShape[3]);
  const tensor = new Tensor('float32', input, inputShape);
  const feeds = { [inputName]: tensor };
  let tail: Promise<unknown> = Promise.resolve();
  return {
    name,
    path,
    session,
    metadata,
    inputName,
    inputShape,
    input,
    run<T>(fill: (input: Float32Array) => void, read: (outputs: InferenceSession.OnnxValueMapType) => T): Promise<T> {
      const job = tail.then(async () => {
        fill(input);
        return read(await session.run(feeds));
      });
      tail = job.catch(() => undefined);
      return job;
    },
    release: () => session.release(),
  };
}

/** Parses a JSON metadata entry, or returns undefined when absent; a malformed one is an error naming the key. */
export function jsonMetadata<T>(model: Pick<ModelSession, 'metadata' | 'path'>, key: string): T | undefined {
  const raw = model.metadata[key];
  if (raw === undefined) return undefined;
  try {
    return JSON.parse(raw) as T;
  } catch {
    throw new Error(`metadata ${key} of ${model.path} is not valid JSON: ${raw.slice(0, 80)}`);
  }
}

/** Reads one named float output. */
export function outputData(outputs: InferenceSession.OnnxValueMapType, name: string, model: string): Float32Array {
  const t = outputs[name];
  if (!t || !(t.data instanceof Float32Array)) {
    throw new Error(`${model} model produced no float output "${name}" (outputs: ${Object.keys(outputs).join(', ')})`);
  }
  return t.data;
}
