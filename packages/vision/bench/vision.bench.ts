/**
 * Per-stage latency of the vision pipeline (detect, landmarks, align, classify) at 1 and 2
 * onnxruntime intra-op threads, and frames/s of the tracking loop on a face video, next to
 * @vladmandic/human doing the same job (face + mesh + emotion) on the same frames.
 *
 *   npm run bench -w packages/vision      (BENCH_FRAMES=120 sets the frame count)
 */
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import type { Frame } from '../src/frame.ts';
import { createVision, type ExpressionModelName } from '../src/vision.ts';
import { FaceTracker } from '../src/tracker.ts';
import { rectToCropMatrix } from '../src/geometry.ts';
import { warpAffineToRgb } from '../src/kernels.ts';
import { ASTRONAUT_PNG, decodeWithFfmpeg, hasFfmpeg, loadAstronaut, REPO_ROOT } from '../test/images.ts';
import { createHuman } from './human.ts';

const FRAMES = Number(process.env.BENCH_FRAMES ?? 120);
/** VISION_MODELS_DIR: benchmark other exports of the same models (default: the repository's models/). */
const modelsDir = process.env.VISION_MODELS_DIR;
const VIDEO = `${REPO_ROOT}../shared/data/videos/pyfeat_WolfgangLanger_Pexels.mp4`;

function log(msg: string): void {
  process.stderr.write(`${msg}\n`);
}

/** Frames of a real face video, or, without one, a synthetic clip of the astronaut drifting and turning. */
function loadFrames(): { frames: Frame[]; source: string } {
  if (existsSync(VIDEO) && hasFfmpeg()) {
    // 19.7 s at 24 fps: sample evenly so the clip covers the crying and the laughing parts.
    const fps = Math.max(1, Math.ceil(FRAMES / 19));
    const frames = decodeWithFfmpeg(VIDEO, { format: 'rgb', fps, maxFrames: FRAMES });
    return { frames, source: `${VIDEO.replace(REPO_ROOT, '')} (${frames[0]!.width}x${frames[0]!.height}, ${fps} fps sample)` };
  }
  log(`(no ${VIDEO} or no ffmpeg: using a clip made from ${ASTRONAUT_PNG})`);
  const still = loadAstronaut();
  const frames: Frame[] = [];
  for (let i = 0; i < FRAMES; i++) {
    const t = i / FRAMES;
    const m = rectToCropMatrix({ xCenter: 256 + 30 * Math.sin(6 * t), yCenter: 256 + 20 * Math.cos(4 * t), width: 512, height: 512 * 0.75, rotation: 0.25 * Math.sin(5 * t) }, 640, 480);
    const data = new Uint8Array(640 * 480 * 3);
    warpAffineToRgb(still, m, 640, 480, data, 'replicate');
    frames.push({ width: 640, height: 480, format: 'rgb', data });
  }
  return { frames, source: `astronaut.png moved/rotated into ${FRAMES} 640x480 frames` };
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
}

const ms = (x: number): string => x.toFixed(2).padStart(8);

interface Row { name: string; p50: number; p95: number; n: number }
const row = (name: string, xs: number[]): Row => ({ name, p50: quantile(xs, 0.5), p95: quantile(xs, 0.95), n: xs.length });

async function stages(frames: Frame[], threads: number, expressionModel: ExpressionModelName): Promise<Row[]> {
  const vision = await createVision({ threads, expressionModel, ...(modelsDir ? { modelsDir } : {}) });
  const t: Record<string, number[]> = { detect: [], landmarks: [], align: [], classify: [], total: [] };
  const size = vision.expressionInputSize;
  const out = new Uint8Array(size * size * 3);
  for (let i = -5; i < frames.length; i++) {
    const frame = frames[Math.max(0, i)]!;
    const t0 = performance.now();
    const faces = await vision.detectFaces(frame);
    const t1 = performance.now();
    if (!faces[0]) continue;
    const mesh = await vision.faceLandmarks(frame, faces[0]);
    const t2 = performance.now();
    const aligned = vision.alignFace(frame, mesh.landmarks, size, { out });
    const t3 = performance.now();
    await vision.classifyExpression(aligned.crop);
    const t4 = performance.now();
    if (i < 0) continue; // warm-up
    t.detect!.push(t1 - t0); t.landmarks!.push(t2 - t1); t.align!.push(t3 - t2); t.classify!.push(t4 - t3); t.total!.push(t4 - t0);
  }
  await vision.release();
  return [
    row(`detect (BlazeFace 128)`, t.detect!),
    row(`landmarks (mesh 192)`, t.landmarks!),
    row(`align (${size}x${size})`, t.align!),
    row(`classify (${expressionModel})`, t.classify!),
    row(`all stages, every frame`, t.total!),
  ];
}

async function trackingLoop(frames: Frame[], threads: number): Promise<{ fps: number; detectorFrames: number; faceFrames: number; perFrame: number[] }> {
  const vision = await createVision({ threads, ...(modelsDir ? { modelsDir } : {}) });
  const tracker = new FaceTracker(vision);
  const size = vision.expressionInputSize;
  const out = new Uint8Array(size * size * 3);
  for (const f of frames.slice(0, 5)) await tracker.process(f);
  tracker.reset();
  let detectorFrames = 0, faceFrames = 0;
  const perFrame: number[] = [];
  const start = performance.now();
  for (const frame of frames) {
    const t0 = performance.now();
    const r = await tracker.process(frame);
    if (r.detectorRan) detectorFrames++;
    if (r.face) {
      faceFrames++;
      await vision.classifyExpression(vision.alignFace(frame, r.face.landmarks, size, { out }).crop);
    }
    perFrame.push(performance.now() - t0);
  }
  const fps = frames.length / ((performance.now() - start) / 1000);
  await vision.release();
  return { fps, detectorFrames, faceFrames, perFrame };
}

async function humanLoop(frames: Frame[], tracking: boolean): Promise<{ fps: number; faceFrames: number; perFrame: number[]; detail: string }> {
  const human = await createHuman(tracking);
  for (const f of frames.slice(0, 5)) await human.run(f);
  const perFrame: number[] = [];
  let faceFrames = 0;
  const start = performance.now();
  for (const frame of frames) {
    const t0 = performance.now();
    const r = await human.run(frame);
    if (r.meshPoints > 0) faceFrames++;
    perFrame.push(performance.now() - t0);
  }
  return { fps: frames.length / ((performance.now() - start) / 1000), faceFrames, perFrame, detail: human.detail };
}

async function main(): Promise<void> {
  const { frames, source } = loadFrames();
  console.log(`@moodroom/vision benchmark — ${frames.length} frames of ${source}`);
  console.log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}\n`);

  console.log('Per-stage latency, ms (one face per frame; detector + mesh from scratch on every frame)');
  console.log(`${'stage'.padEnd(28)}${'threads'.padStart(8)}${'p50'.padStart(9)}${'p95'.padStart(9)}`);
  for (const threads of [1, 2]) {
    for (const model of ['faceapi', 'minixception'] as const) {
      log(`measuring stages: ${threads} thread(s), ${model}…`);
      const rows = await stages(frames, threads, model);
      for (const r of rows) {
        if (model === 'minixception' && !r.name.startsWith('classify')) continue;
        console.log(`${r.name.padEnd(28)}${String(threads).padStart(8)} ${ms(r.p50)} ${ms(r.p95)}`);
      }
    }
  }

  console.log('\nTracking loop on the same frames: face + 468-point mesh + aligned crop + emotion per frame');
  console.log(`${'runner'.padEnd(58)}${'frames/s'.padStart(9)}${'p50 ms'.padStart(9)}${'p95 ms'.padStart(9)}  notes`);
  for (const threads of [1, 2]) {
    log(`tracking loop: ${threads} thread(s)…`);
    const r = await trackingLoop(frames, threads);
    console.log(`${`@moodroom/vision tracker, onnxruntime-node, ${threads} thread(s)`.padEnd(58)}${r.fps.toFixed(1).padStart(9)}${ms(quantile(r.perFrame, 0.5)).padStart(9)}${ms(quantile(r.perFrame, 0.95)).padStart(9)}  detector on ${r.detectorFrames}/${frames.length} frames, face on ${r.faceFrames}`);
  }
  for (const tracking of [true, false]) {
    log(`@vladmandic/human (${tracking ? 'box caching' : 'detect every frame'})…`);
    const r = await humanLoop(frames, tracking);
    console.log(`${`@vladmandic/human, ${tracking ? 'detector reused ≤29 frames' : 'detector every frame'}`.padEnd(58)}${r.fps.toFixed(1).padStart(9)}${ms(quantile(r.perFrame, 0.5)).padStart(9)}${ms(quantile(r.perFrame, 0.95)).padStart(9)}  face on ${r.faceFrames}; backend ${r.detail}`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
