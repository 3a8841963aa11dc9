/**
 * Capacity: the largest number of participants this machine analyses at the configured rate
 * (ANALYZER_FPS, 15) with < 1 % dropped frames, found by adding one synthetic participant per trial
 * (the load tool's rig: real SFU, real analyzer, node-webrtc publishers of a real face), and, on the
 * same frames, what one core costs per frame for our analysis next to @vladmandic/human doing face +
 * mesh + emotion — so the ratio comes from one run on one machine.
 *   npm run bench:load [-- --max 8 --duration 20 --warmup 8 --width 640 --height 480 --frames 90]
 */
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { capacityOf, DEFAULT_CRITERION, judgeTrial, type TrialVerdict } from './lib/capacity.ts';
import { startLiveRig, type Publisher } from './lib/live-rig.ts';
import { int } from './lib/load-args.ts';
import { formatLoadResult, type LoadResult } from './lib/load-meter.ts';
import { compareOnSameFrames } from './lib/same-frames.ts';
import { mean, percentile } from './lib/stats.ts';
import { cell, formatTable } from './lib/table.ts';
import { runTrial } from './lib/trial.ts';

const USAGE = 'npm run bench:load -- [--max 8] [--duration 20] [--warmup 8] [--width 640] [--height 480] [--frames 90]';
let opts: { max: number; durationS: number; warmupS: number; width: number; height: number; frames: number };
try {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: { max: { type: 'string', default: '8' }, duration: { type: 'string', default: '20' }, warmup: { type: 'string', default: '8' }, width: { type: 'string', default: '640' }, height: { type: 'string', default: '480' }, frames: { type: 'string', default: '90' } },
    strict: true,
  });
  opts = { max: int('max', values.max, 1, 64), durationS: int('duration', values.duration, 2, 3600), warmupS: int('warmup', values.warmup, 0, 3600), width: int('width', values.width, 256, 4096), height: int('height', values.height, 16, 4096), frames: int('frames', values.frames, 10, 10_000) };
  if (opts.warmupS >= opts.durationS) throw new Error('--warmup must be shorter than --duration');
  if (opts.width % 2 || opts.height % 2) throw new Error('--width and --height must be even (I420)');
} catch (error) {
  console.error(`${error instanceof Error ? error.message : error}\nusage: ${USAGE}`);
  process.exit(2);
}

const rig = await startLiveRig();
const config = rig.local.config!;
const criterion = { ...DEFAULT_CRITERION, targetFps: config.ANALYZER_FPS };
const video = { width: opts.width, height: opts.height, fps: config.ANALYZER_FPS };
console.log(
  `bench:load on ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}): one more participant per trial, ${opts.durationS} s each (first ${opts.warmupS} s warm-up), ` +
    `VP8 ${video.width}x${video.height}@${video.fps}; pass: every participant analysed at ≥ ${(criterion.targetFps * (1 - criterion.fpsTolerance)).toFixed(2)} fps ` +
    `(ANALYZER_FPS ${criterion.targetFps} − ${criterion.fpsTolerance * 100} %: frames the VP8 path loses before the analyzer) with < ${criterion.maxDroppedPct} % dropped frames`,
);
console.log('  the publishers, the SFU and the analyzer share these cores, so the senders\' encoding counts against the capacity\n');

const publishers: Publisher[] = [];
const verdicts: TrialVerdict[] = [];
const results: LoadResult[] = [];
const rows: string[][] = [];
for (let n = 1; n <= opts.max; n++) {
  publishers.push(...(await rig.join(1, video)));
  const result = await runTrial(rig, publishers, {
    durationS: opts.durationS,
    warmupS: opts.warmupS,
    onTick: (s, phase, p) => process.stderr.write(`\r  N=${n}: ${s}/${opts.durationS} s (${phase}), analysed ${cell(p.analysedFps, 1)} fps/participant   `),
  });
  process.stderr.write('\r\x1b[K');
  const verdict = judgeTrial(result, criterion);
  verdicts.push(verdict);
  results.push(result);
  const e2e = result.participants.flatMap((p) => p.endToEnd ?? []);
  const receivers = result.processes.filter((p) => p.label === 'receiver child');
  rows.push([
    String(n),
    cell(verdict.minFps, 1),
    cell(mean(result.participants.map((p) => p.analysedFps)), 1),
    cell(Math.min(...result.participants.map((p) => p.sentFps)), 1),
    cell(Math.min(...result.participants.map((p) => p.receivedFps)), 1),
    cell(verdict.maxDroppedPct, 1),
    cell(percentile(e2e, 50)),
    cell(percentile(e2e, 95)),
    cell(percentile(e2e, 99)),
    cell(result.processes.find((p) => p.label.startsWith('load tool'))?.cpuPct),
    cell(receivers.reduce((a, p) => a + p.cpuPct, 0)),
    String(result.loadLevel ?? '–'),
    verdict.pass ? 'pass' : `FAIL: ${verdict.reason}`,
  ]);
  console.log(`  N=${n}: ${verdict.pass ? 'pass' : `fail (${verdict.reason})`}`);
  if (!verdict.pass) break;
}
const capacity = capacityOf(verdicts);
console.log(
  `\n${formatTable(['N', 'min fps', 'mean fps', 'min sent fps', 'min decoded fps', 'max drop %', 'capture→dash p50 ms', 'p95', 'p99', 'CPU % analyzer+SFU+senders', 'CPU % receivers', 'load level', 'verdict'], rows)}`,
);
const last = results.at(-1);
if (last) console.log(`\n  the last trial (N=${last.participants.length}) in full:\n${formatLoadResult(last, true)}`);
await rig.close();

console.log(`\n  same frames, one core each (${opts.frames} frames of the publishers' clip, ${opts.width}x${opts.height} RGB, decoding excluded):`);
const costs = await compareOnSameFrames({ config, width: opts.width, height: opts.height, frames: opts.frames, fps: config.ANALYZER_FPS, onProgress: (l) => process.stderr.write(`  ${l}\n`) });
console.log(
  formatTable(
    ['pipeline', 'ms/frame mean', 'p50', 'p95', 'face frames', `people per core @ ${config.ANALYZER_FPS} fps`, 'what runs'],
    costs.map((c) => [c.name, cell(c.msPerFrame.mean, 1), cell(c.msPerFrame.p50, 1), cell(c.msPerFrame.p95, 1), `${c.faceFrames}/${c.frames}`, cell(c.peoplePerCore, 1), c.detail]),
  ),
);
const [ours, human] = costs;
if (ours && human) {
  console.log(`\n  ratio: Moodroom analyses ${(human.msPerFrame.mean / ours.msPerFrame.mean).toFixed(1)}× as many frames per core as @vladmandic/human on the same frames`);
  console.log(`  Human on all ${cpus().length} cores, nothing else running (no decoding, no SFU, no senders): at most ${Math.floor(human.peoplePerCore * cpus().length)} people at ${config.ANALYZER_FPS} fps`);
}
console.log(`\n  capacity: ${capacity} participant(s) analysed at ${config.ANALYZER_FPS} fps with < ${criterion.maxDroppedPct} % dropped frames on this machine${capacity === opts.max ? ` (the most tried: raise --max)` : ''}`);
// node-webrtc's native teardown segfaults on a natural exit; leave explicitly.
process.exit(0);
