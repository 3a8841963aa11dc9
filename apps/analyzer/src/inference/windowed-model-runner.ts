import type { EmotionProbs } from '@moodroom/shared';
import type { PackedWindow, WindowedModelInfo, WindowRunner } from '../ports.ts';

/**
 * The default factory module for inference workers: adapts packages/windowed-model
 * (`loadWindowedModel(path)` → `{ info, run(windows) }`) to the analyzer's WindowRunner. Loaded by
 * specifier at run time so the analyzer builds and tests before that package lands; the shapes
 * below are what this adapter expects from it (see README "Adapters").
 */
interface WindowedModelPackage {
  loadWindowedModel(path: string, options?: { intraOpNumThreads?: number }): Promise<{
    info: WindowedModelInfo;
    run(windows: { pixels: Uint8Array; weights: Float32Array }[]): Promise<{ probs: EmotionProbs[] } | EmotionProbs[]>;
    release?(): Promise<void>;
  }>;
}

export interface WindowedModelRunnerOptions {
  modelPath: string;
  intraOpThreads?: number;
}

export async function createWindowRunner(raw: unknown): Promise<WindowRunner> {
  const options = raw as WindowedModelRunnerOptions;
  const specifier = '@moodroom/windowed-model';
  let pkg: WindowedModelPackage;
  try {
    pkg = (await import(specifier)) as WindowedModelPackage;
  } catch (err) {
    throw new Error(
      `${specifier} is not available (${err instanceof Error ? err.message : err}); ` +
        'install the workspace, or point ANALYZER_RUNNER_MODULE at another module exporting createWindowRunner(options)',
    );
  }
  const model = await pkg.loadWindowedModel(options.modelPath, { intraOpNumThreads: options.intraOpThreads ?? 1 });
  const { name, frames, height, width } = model.info;
  return {
    info: { name, frames, height, width },
    async run(windows: PackedWindow[]) {
      const out = await model.run(windows.map((w) => ({ pixels: w.pixels, weights: w.weights })));
      return Array.isArray(out) ? out : out.probs;
    },
    async close() {
      await model.release?.();
    },
  };
}
