import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { finalize, tap } from 'rxjs';
import { samplesToCsv } from '@moodroom/shared';
import { fromVideoFrames } from '../adapters/vision.ts';
import { startAnalyzer } from '../app.ts';
import { loadAnalyzerConfig } from '../config.ts';
import { probeVideoFile, readVideoFile, VideoFileError } from '../video-file/index.ts';
import { loadFaceDeps } from '../vision-deps.ts';
import { buildFileReport } from './file-report.ts';
import { createProgressBar } from './progress-bar.ts';

const USAGE = `usage: npm run analyze -- <video file> [--out DIR] [--fps N] [--speed X] [--model FILE.onnx]

Runs the analyzer's own pipeline (face tracking → aligned crops → windows → windowed model →
smoothing) on a recorded video and writes DIR/<name>.emotions.json and .csv (estimates, not facts).
  --out DIR     where to write the report (default: next to the video)
  --fps N       analysis frames per second (default: ANALYZER_FPS or 15)
  --speed X     decode at X times real time (default 2); lower it if the report says frames were skipped
  --model FILE  a windowed-contract ONNX model (default: ANALYZER_MODEL_PATH, the bundled baseline)`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { out: { type: 'string' }, fps: { type: 'string' }, speed: { type: 'string' }, model: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
});
if (values.help || positionals.length !== 1) {
  console.error(USAGE);
  process.exit(values.help ? 0 : 2);
}
const file = path.resolve(process.env.INIT_CWD ?? process.cwd(), positionals[0]!);
const speed = Number(values.speed ?? 2);
if (!(speed > 0 && speed <= 64)) {
  console.error(`--speed must be a number in (0, 64], got "${values.speed}"`);
  process.exit(2);
}

const config = loadAnalyzerConfig({
  ...process.env,
  // Nothing is served and nothing is kept: samples live in memory until the report is written.
  ANALYZER_PORT: '0',
  ANALYZER_DB_PATH: ':memory:',
  ANALYZER_RETENTION_DAYS: '0',
  ...(values.fps ? { ANALYZER_FPS: values.fps } : {}),
  ...(values.model ? { ANALYZER_MODEL_PATH: path.resolve(process.env.INIT_CWD ?? process.cwd(), values.model) } : {}),
});

let info;
try {
  info = await probeVideoFile(file);
} catch (error) {
  console.error(error instanceof VideoFileError ? error.message : error);
  process.exit(1);
}

const quiet = () => {};
const analyzer = await startAnalyzer(config, loadFaceDeps({ ...(config.ANALYZER_VISION_MODELS_DIR ? { modelsDir: config.ANALYZER_VISION_MODELS_DIR } : {}) }), { log: quiet });
const sessionId = 'file';
const participantId = 'video';
await analyzer.service.participantJoined({ sessionId, roomId: sessionId, participantId, displayName: path.basename(file), analysisConsent: true });

const progress = createProgressBar('analyzing');
const expectedFrames = info.durationSec ? Math.round(info.durationSec * config.ANALYZER_FPS) : null;
let framesDecoded = 0;
let sourceDone = false;
const frames$ = readVideoFile(file, { fps: config.ANALYZER_FPS, width: 640, speed }).pipe(
  tap(() => {
    framesDecoded++;
    progress.update(framesDecoded, expectedFrames, `${(framesDecoded / config.ANALYZER_FPS).toFixed(1)}/${info.durationSec?.toFixed(1) ?? '?'} s`);
  }),
  finalize(() => (sourceDone = true)),
  fromVideoFrames(),
);
analyzer.service.startAnalysis(sessionId, participantId, frames$, { rateClock: 'frame' });

// The pipeline completes after the source does and its last windows are inferred.
while (!sourceDone || analyzer.service.activeCount > 0) await new Promise((r) => setTimeout(r, 100));
await analyzer.service.close(); // flushes the batched sample writer

const samples = await analyzer.repo.listSamples(sessionId);
const metricValue = async (name: string, label?: [string, string]) => {
  const metric = (await analyzer.metrics.registry.getMetricsAsJSON()).find((m) => m.name === name);
  return (metric?.values ?? []).filter((v) => !label || v.labels[label[0]] === label[1]).reduce((a, v) => a + Number(v.value), 0);
};
const report = buildFileReport({
  file,
  durationSec: info.durationSec,
  settings: { fps: config.ANALYZER_FPS, speed, spanMs: config.ANALYZER_SPAN_MS, strideMs: config.ANALYZER_STRIDE_MS },
  samples,
  framesDecoded,
  framesDroppedBusy: await metricValue('moodroom_analyzer_frames_dropped_total', ['reason', 'busy']),
  windowsSuperseded: await metricValue('moodroom_analyzer_windows_superseded_total'),
});
await analyzer.close();

const outDir = path.resolve(process.env.INIT_CWD ?? process.cwd(), values.out ?? path.dirname(file));
await mkdir(outDir, { recursive: true });
const base = path.join(outDir, path.basename(file).replace(/\.[^.]+$/, ''));
await writeFile(`${base}.emotions.json`, JSON.stringify(report, null, 2));
await writeFile(`${base}.emotions.csv`, samplesToCsv(samples));
const top = Object.entries(report.summary.dominantShare).sort((a, b) => b[1] - a[1])[0];
progress.done(
  `analysed ${framesDecoded} frames → ${samples.length} samples (${report.summary.samplesWithFace} with a face)` +
    (top && report.summary.samplesWithFace ? `; mostly ${top[0]} (${(top[1] * 100).toFixed(0)} % of face samples, an estimate)` : '') +
    `\n${report.dataQuality.note}\nwrote ${base}.emotions.json and ${base}.emotions.csv`,
);
process.exit(0);
