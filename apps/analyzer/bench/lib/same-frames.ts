import path from 'node:path';
import type { AnalyzerConfig } from '../../src/config.ts';
import { createWindowRunner } from '../../src/inference/windowed-model-runner.ts';
import { packWindow } from '../../src/pipeline/pack-window.ts';
import { buildWindow } from '../../src/pipeline/sliding-window.ts';
import type { AlignedFrame } from '../../src/pipeline/align-crops.ts';
import { faceClip } from '../../src/receiver/testing/face-clip.ts';
import { loadFaceDeps } from '../../src/vision-deps.ts';
import { createHuman } from '../../../../packages/vision/bench/human.ts';
import { ROOT } from './live-rig.ts';
import { mean, percentile } from './stats.ts';

/** Per-frame cost of one pipeline on one core, and what that means at the analysis rate. */
export interface PipelineCost {
  name: string;
  detail: string;
  frames: number;
  faceFrames: number;
  /** Wall ms per frame, one thread, frames back to back (mean, p50, p95). */
  msPerFrame: { mean: number; p50: number; p95: number };
  /** People one core keeps up with at `fps` (1000 / (ms per frame × fps)). */
  peoplePerCore: number;
}

export interface SameFramesOptions {
  config: AnalyzerConfig;
  width: number;
  height: number;
  frames: number;
  fps: number;
  onProgress?: (line: string) => void;
}

const cost = (name: string, detail: string, perFrame: number[], faceFrames: number, fps: number): PipelineCost => ({
  name,
  detail,
  frames: perFrame.length,
  faceFrames,
  msPerFrame: { mean: mean(perFrame), p50: percentile(perFrame, 50), p95: percentile(perFrame, 95) },
  peoplePerCore: 1000 / (mean(perFrame) * fps),
});

/**
 * Our analysis (face tracking, landmarks, aligned crops, and one S2D-contract window inference
 * every stride, amortised over the frames it covers) and @vladmandic/human (face + mesh + emotion,
 * every frame) on the same frames — the publishers' astronaut clip in RGB — one after the other,
 * each on one thread. Decoding is left out of both: the live trials measure it separately.
 */
export async function compareOnSameFrames(options: SameFramesOptions): Promise<PipelineCost[]> {
  const { config, width, height, fps } = options;
  const clip = await faceClip(path.join(ROOT, 'fixtures/faces/astronaut.png'), { width, height, frames: 45, format: 'rgb' });
  const frames = Array.from({ length: options.frames }, (_, i) => clip[i % clip.length]!);
  const results: PipelineCost[] = [];

  options.onProgress?.(`ours: ${frames.length} frames…`);
  const face = await loadFaceDeps();
  const runner = await createWindowRunner({ modelPath: config.ANALYZER_MODEL_PATH, intraOpThreads: 1 });
  const tracker = face.createTracker();
  const size = { width: runner.info.width, height: runner.info.height };
  const strideFrames = Math.max(1, Math.round((config.ANALYZER_STRIDE_MS / 1000) * fps));
  const buffer: AlignedFrame[] = [];
  const ours: number[] = [];
  let oursFaces = 0;
  for (let i = -10; i < frames.length; i++) {
    const frame = { width, height, format: 'rgb' as const, data: frames[Math.max(0, i) % frames.length]! };
    const t = (i + 10) * (1000 / fps);
    const t0 = performance.now();
    const tracked = await tracker.track(frame, t);
    const crop = tracked.face ? await face.align(frame, tracked.face.landmarks, size) : null;
    buffer.push({ t, crop, weight: tracked.face?.score ?? 0, faceCount: tracked.faceCount });
    while (buffer.length && buffer[0]!.t < t - config.ANALYZER_SPAN_MS) buffer.shift();
    if ((i + 10) % strideFrames === 0) {
      const packed = packWindow(buildWindow(buffer, t, config.ANALYZER_SPAN_MS, runner.info.frames), runner.info);
      if (packed) await runner.run([packed]);
    }
    if (i < 0) continue; // warm-up
    ours.push(performance.now() - t0);
    if (tracked.face) oursFaces++;
  }
  tracker.close?.();
  await runner.close?.();
  results.push(cost('Moodroom analyzer', `tracker + landmarks + align every frame, ${runner.info.name} (T=${runner.info.frames}) every ${strideFrames} frames`, ours, oursFaces, fps));

  options.onProgress?.(`@vladmandic/human: ${frames.length} frames…`);
  const human = await createHuman(true);
  const theirs: number[] = [];
  let theirFaces = 0;
  for (let i = -5; i < frames.length; i++) {
    const frame = { width, height, format: 'rgb' as const, data: frames[Math.max(0, i)]! };
    const t0 = performance.now();
    const r = await human.run(frame);
    if (i < 0) continue;
    theirs.push(performance.now() - t0);
    if (r.faces > 0) theirFaces++;
  }
  results.push(cost('@vladmandic/human', `${human.detail}; detector boxes reused between frames, emotion every frame`, theirs, theirFaces, fps));
  return results;
}
