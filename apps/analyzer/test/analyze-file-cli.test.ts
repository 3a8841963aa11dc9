import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { SAMPLE_CSV_COLUMNS } from '@moodroom/shared';
import type { FileReport } from '../src/cli/file-report.ts';

/**
 * `npm run analyze -- <file>` for real: the bundled models, ffmpeg decoding, the analyzer's own
 * service and operators, on a real face clip (the astronaut, zooming) and — where ../shared/data is
 * present — a labelled recording whose first half is sad and second half happy.
 */
const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CLI = fileURLToPath(new URL('../src/cli/analyze-file.ts', import.meta.url));
const LABELLED = path.join(ROOT, '../shared/data/videos/pyfeat_WolfgangLanger_Pexels.mp4');
let dir: string;

before(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'moodroom-cli-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

async function analyze(file: string, ...args: string[]) {
  const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', CLI, file, '--out', dir, ...args], { cwd: ROOT, timeout: 120_000 });
  const base = path.join(dir, path.basename(file).replace(/\.[^.]+$/, ''));
  const report = JSON.parse(readFileSync(`${base}.emotions.json`, 'utf8')) as FileReport;
  const csv = readFileSync(`${base}.emotions.csv`, 'utf8').trimEnd().split('\n');
  return { report, csv, output: stdout + stderr };
}

test('a smiling face clip: happy samples, a JSON report and a CSV with one row per sample', async () => {
  const clip = path.join(dir, 'astronaut.mp4');
  await run('ffmpeg', [
    '-v', 'error', '-loop', '1', '-i', path.join(ROOT, 'fixtures/faces/astronaut.png'), '-t', '5',
    '-vf', "zoompan=z='min(1+0.002*on,1.2)':x='iw/2-(iw/zoom/2)':y='ih/2-(ih/zoom/2)':d=1:s=512x512:fps=15",
    '-c:v', 'libx264', '-pix_fmt', 'yuv420p', clip,
  ]);
  const { report, csv, output } = await analyze(clip, '--speed', '1');
  assert.match(output, /analysing|analyzing/);
  assert.ok(report.summary.samples >= 3, `samples: ${report.summary.samples}`);
  assert.equal(report.summary.samplesWithFace, report.summary.samples, 'the face is visible throughout');
  assert.ok(report.summary.dominantShare.happy > 0.9, JSON.stringify(report.summary.dominantShare));
  assert.equal(report.model, 'expression-window-baseline');
  assert.equal(csv[0], SAMPLE_CSV_COLUMNS.join(','));
  assert.equal(csv.length, report.samples.length + 1);
});

test('a labelled recording: sad while crying, happy while laughing', { skip: !existsSync(LABELLED) && `no ${LABELLED} (shared test data absent)` }, async () => {
  const { report } = await analyze(LABELLED);
  const t0 = report.samples[0]!.windowStart;
  const segment = (from: number, to: number) => report.samples.filter((s) => s.facePresent && s.t - t0 >= from * 1000 && s.t - t0 <= to * 1000);
  const dominantOf = (samples: typeof report.samples) => {
    const counts = new Map<string, number>();
    for (const s of samples) counts.set(s.dominant!, (counts.get(s.dominant!) ?? 0) + 1);
    return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0];
  };
  // labels.csv: sad 0–9.5 s, happy 10–19.7 s (approximate, by eye); allow the smoothing to lag.
  assert.equal(dominantOf(segment(1, 9)), 'sad');
  assert.equal(dominantOf(segment(13, 20)), 'happy');
});
