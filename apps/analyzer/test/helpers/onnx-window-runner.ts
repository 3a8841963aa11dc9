import '@moodroom/shared/onnxruntime-telemetry-off';
import * as ort from 'onnxruntime-node';
import { canonicalEmotion, EMOTIONS, type EmotionProbs } from '@moodroom/shared';
import type { PackedWindow, WindowRunner } from '../../src/ports.ts';

/**
 * A test-side WindowRunner factory: runs a windowed-v1 ONNX model with onnxruntime-node inside an
 * inference worker. It takes the metadata as options (the real runtime, packages/windowed-model,
 * reads it from the model file). Loaded by path, like any factory module.
 */
export interface OnnxRunnerOptions {
  modelPath: string;
  name: string;
  frames: number;
  height: number;
  width: number;
  labels: string[];
  mean: [number, number, number];
  std: [number, number, number];
  intraOpThreads?: number;
  /** Test hook: crash the worker thread when a window's first weight equals this value. */
  crashOnWeight?: number;
}

export async function createWindowRunner(raw: unknown): Promise<WindowRunner> {
  const o = raw as OnnxRunnerOptions;
  const session = await ort.InferenceSession.create(o.modelPath, { intraOpNumThreads: o.intraOpThreads ?? 1, interOpNumThreads: 1 });
  const hasWeights = session.inputNames.includes('frame_weights');
  const { frames: T, height: H, width: W } = o;
  return {
    info: { name: o.name, frames: T, height: H, width: W },
    async run(windows: PackedWindow[]) {
      const N = windows.length;
      if (o.crashOnWeight !== undefined && windows.some((w) => w.weights[0] === o.crashOnWeight)) process.exit(3);
      const input = new Float32Array(N * T * 3 * H * W);
      const weights = new Float32Array(N * T);
      windows.forEach((win, n) => {
        weights.set(win.weights, n * T);
        for (let t = 0; t < T; t++)
          for (let c = 0; c < 3; c++) {
            const base = ((n * T + t) * 3 + c) * H * W;
            for (let p = 0; p < H * W; p++) input[base + p] = (win.pixels[(t * H * W + p) * 3 + c]! / 255 - o.mean[c]!) / o.std[c]!;
          }
      });
      const feeds: Record<string, ort.Tensor> = { frames: new ort.Tensor('float32', input, [N, T, 3, H, W]) };
      if (hasWeights) feeds.frame_weights = new ort.Tensor('float32', weights, [N, T]);
      const { logits } = await session.run(feeds);
      const data = logits!.data as Float32Array;
      const C = o.labels.length;
      return windows.map((_, n) => softmaxToCanonical(data.subarray(n * C, (n + 1) * C), o.labels));
    },
    async close() {
      await session.release();
    },
  };
}

function softmaxToCanonical(logits: Float32Array, labels: string[]): EmotionProbs {
  const max = Math.max(...logits);
  const exps = Array.from(logits, (x) => Math.exp(x - max));
  const probs = Object.fromEntries(EMOTIONS.map((e) => [e, 0])) as EmotionProbs;
  let sum = 0;
  labels.forEach((label, i) => {
    const e = canonicalEmotion(label);
    if (e) {
      probs[e] += exps[i]!;
      sum += exps[i]!;
    }
  });
  for (const e of EMOTIONS) probs[e] = sum > 0 ? probs[e] / sum : 0;
  return probs;
}
