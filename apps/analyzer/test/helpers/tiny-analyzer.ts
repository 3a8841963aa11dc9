import { fileURLToPath } from 'node:url';
import { EMOTIONS } from '@moodroom/shared';
import { startAnalyzer, type RunningAnalyzer } from '../../src/app.ts';
import { loadAnalyzerConfig } from '../../src/config.ts';
import { colourAligner, colourTracker, type ColourLandmarks } from './colour-face.ts';
import { makeTinyWindowedModel } from './tiny-model.ts';

/**
 * A real analyzer (HTTP, socket.io, SQLite at `dbPath`, one inference worker) running a tiny ONNX
 * windowed model (T=4, 8x8) on colour "faces", for tests of everything around the models. `env`
 * adds or overrides configuration.
 */
export function startTinyAnalyzer(dbPath: string, env: Record<string, string> = {}): Promise<RunningAnalyzer<ColourLandmarks>> {
  const T = 4, H = 8, W = 8;
  return startAnalyzer(
    loadAnalyzerConfig({
      ANALYZER_PORT: '0',
      ANALYZER_DB_PATH: dbPath,
      ANALYZER_THREADS: '1',
      ANALYZER_FPS: '10',
      ANALYZER_SPAN_MS: '1000',
      ANALYZER_STRIDE_MS: '500',
      ANALYZER_STATUS_INTERVAL_MS: '60000',
      ANALYZER_RUNNER_MODULE: fileURLToPath(new URL('./onnx-window-runner.ts', import.meta.url)),
      ...env,
    }),
    { createTracker: colourTracker, align: colourAligner },
    {
      runnerOptions: { modelPath: makeTinyWindowedModel(T, H, W), name: 'tiny-test-windowed', frames: T, height: H, width: W, labels: [...EMOTIONS], mean: [0, 0, 0], std: [1, 1, 1] },
      log: () => {},
    },
  );
}
