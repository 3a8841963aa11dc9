import type { EmotionProbs } from '@moodroom/shared';
import type { PackedWindow, WindowedModelInfo } from '../ports.ts';

/** Messages between the scheduler (main thread) and an inference worker thread. */
export interface WorkerInit {
  /** File path or URL of a module exporting `createWindowRunner(options)`. */
  factoryModule: string;
  factoryOptions: unknown;
}

export type ToWorker = { type: 'run'; id: number; windows: PackedWindow[] } | { type: 'close' };

export type FromWorker =
  | { type: 'ready'; info: WindowedModelInfo }
  | { type: 'fatal'; message: string }
  | { type: 'result'; id: number; probs: EmotionProbs[]; inferenceMs: number }
  | { type: 'error'; id: number; message: string }
  | { type: 'closed' };
