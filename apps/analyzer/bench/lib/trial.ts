import type { LiveRig, Publisher } from './live-rig.ts';
import { LoadMeter, type LoadResult } from './load-meter.ts';
import { everySecond } from './ticker.ts';

export interface TrialOptions {
  durationS: number;
  /** Seconds before measuring starts (analysedFps is a 5 s trailing rate: warm up past it). */
  warmupS: number;
  external?: { analyzerPid?: number; sfuPid?: number };
  /** Once a second, for a progress line. */
  onTick?: (elapsedS: number, phase: 'warm-up' | 'measuring', progress: ReturnType<LoadMeter['progress']>) => void;
}

/** One measured run of the publishers already streaming: the load tool's run and each capacity trial. */
export async function runTrial(rig: LiveRig, publishers: Publisher[], options: TrialOptions): Promise<LoadResult> {
  if (options.warmupS >= options.durationS) throw new Error('the warm-up must be shorter than the run');
  const meter = new LoadMeter(rig, publishers, options.external ?? {});
  if (options.warmupS === 0) meter.start();
  await everySecond(options.durationS, (s) => {
    if (s === options.warmupS) meter.start();
    options.onTick?.(s, s <= options.warmupS ? 'warm-up' : 'measuring', meter.progress());
  });
  return meter.finish();
}
