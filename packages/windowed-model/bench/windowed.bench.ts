/**
 * Windowed-model latency and throughput on this CPU: the bundled baseline (face-api per frame +
 * temporal mean) against full ViT-B S2D with random weights (same architecture and cost as the real
 * checkpoints) at fp32 and int8, 1 and 2 intra-op threads, batch 1 and 4.
 *
 *   npm run bench -w packages/windowed-model               # everything (< 10 min incl. a first S2D export)
 *   npm run bench -w packages/windowed-model -- --no-s2d   # baseline only
 *   BENCH_SECONDS=20 ...                                   # time budget per S2D configuration (default 12)
 *
 * S2D exports are written once to <repo>/.cache/bench/ (git-ignored) by models/s2d/export.py and
 * reused; delete that folder to re-export.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadWindowedModel } from '../src/index.ts';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const MODELS = join(REPO, 'models');
const CACHE = join(REPO, '.cache/bench');
const BASELINE = join(MODELS, 'expression-window-baseline.onnx');
const S2D_FP32 = join(CACHE, 's2d-vit-b-random.onnx');
const S2D_INT8 = join(CACHE, 's2d-vit-b-random.int8.onnx');
const args = new Set(process.argv.slice(2));
const S2D_SECONDS = Number(process.env.BENCH_SECONDS ?? 12);
const BASELINE_SECONDS = 4;

const log = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);

/** Exports random-weight ViT-B S2D (fp32 + int8) into .cache/bench once; returns why not when it cannot. */
async function ensureS2d(): Promise<string | null> {
  if (args.has('--no-s2d')) return 'skipped (--no-s2d)';
  if (existsSync(S2D_FP32) && existsSync(S2D_INT8)) return null;
  if (!existsSync(join(MODELS, 's2d/export.py'))) return 'models/s2d/export.py does not exist yet';
  const python = join(MODELS, '.venv/bin/python');
  if (!existsSync(python)) return `${python} missing: run bash models/setup-venv.sh`;
  mkdirSync(CACHE, { recursive: true });
  log(`exporting random-weight ViT-B S2D to ${CACHE} (one-off, a few minutes; progress below)`);
  const code = await new Promise<number>((resolve) => {
    const p = spawn(python, ['-m', 's2d.export', '--random-weights', '--config', 'vit-b', '--dataset', 'dfew', '--int8', '--out', S2D_FP32],
      { cwd: MODELS, stdio: ['ignore', 'ignore', 'inherit'] });
    p.on('close', (c) => resolve(c ?? 1));
    p.on('error', () => resolve(1));
  });
  if (code !== 0 || !existsSync(S2D_FP32) || !existsSync(S2D_INT8)) return `the S2D export failed (exit ${code}); see the messages above`;
  return null;
}

interface Row {
  model: string;
  threads: number;
  batch: number;
  runs: number;
  p50: number;
  p95: number;
  windowsPerS: number;
}

function quantile(sorted: number[], q: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i]!;
}

/** Times `model` at one thread count and batch size: one warm-up run, then runs until the budget or maxRuns. */
async function measure(label: string, path: string, threads: number, batch: number, seconds: number, maxRuns: number): Promise<Row> {
  const model = await loadWindowedModel(path, { threads, maxBatch: batch });
  try {
    const { frames, height, width } = model.info;
    const windows = Array.from({ length: batch }, (_, i) => {
      const pixels = new Uint8Array(frames * height * width * 3);
      for (let k = 0; k < pixels.length; k++) pixels[k] = (k * 7 + i * 31) & 0xff;
      return { pixels, weights: new Float32Array(frames).fill(1) };
    });
    const warm = await model.run(windows);
    log(`${label} threads=${threads} batch=${batch}: warm-up ${warm.latencyMs.toFixed(0)} ms`);
    const perWindow: number[] = [];
    const start = performance.now();
    while (perWindow.length < maxRuns && (performance.now() - start < seconds * 1000 || perWindow.length < 2)) {
      const r = await model.run(windows);
      perWindow.push(r.latencyMs / batch);
      if (performance.now() - start > 5000) log(`  ${label} run ${perWindow.length}: ${(r.latencyMs / batch).toFixed(0)} ms/window`);
    }
    const elapsed = (performance.now() - start) / 1000;
    const sorted = [...perWindow].sort((a, b) => a - b);
    return { model: label, threads, batch, runs: perWindow.length, p50: quantile(sorted, 0.5), p95: quantile(sorted, 0.95), windowsPerS: (perWindow.length * batch) / elapsed };
  } finally {
    await model.release();
  }
}

function table(rows: Row[]): string {
  const head = ['model', 'threads', 'batch', 'runs', 'p50 ms/window', 'p95 ms/window', 'windows/s'];
  const body = rows.map((r) => [r.model, String(r.threads), String(r.batch), String(r.runs), r.p50.toFixed(1), r.p95.toFixed(1), r.windowsPerS.toFixed(r.windowsPerS < 10 ? 3 : 1)]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

async function main(): Promise<void> {
  if (!existsSync(BASELINE)) throw new Error(`${BASELINE} missing: run npm run build:baseline -w models`);
  log(`CPU: ${cpus()[0]?.model ?? '?'} × ${availableParallelism()}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const s2dMissing = await ensureS2d();
  const plan: [string, string, number, number][] = [['baseline', BASELINE, BASELINE_SECONDS, 200]];
  if (!s2dMissing) plan.push(['s2d-vit-b fp32', S2D_FP32, S2D_SECONDS, 20], ['s2d-vit-b int8', S2D_INT8, S2D_SECONDS, 20]);
  const rows: Row[] = [];
  for (const [label, path, seconds, maxRuns] of plan) {
    for (const threads of [1, 2]) {
      for (const batch of [1, 4]) rows.push(await measure(label, path, threads, batch, seconds, maxRuns));
    }
  }
  console.log(`\nWindowed models on ${cpus()[0]?.model ?? '?'} (${availableParallelism()} cores), onnxruntime-node, 16-frame windows; latency = run time / batch size\n`);
  console.log(table(rows));
  if (s2dMissing) {
    console.log(`\nS2D NOT BENCHMARKED: ${s2dMissing}. Only the baseline was measured.`);
    return;
  }
  const best = (m: string) => rows.filter((r) => r.model === m).sort((a, b) => b.windowsPerS - a.windowsPerS)[0]!;
  const base = best('baseline');
  console.log('\nHow often can each participant get a fresh window inference (whole CPU, best configuration of each)?');
  for (const r of [best('s2d-vit-b fp32'), best('s2d-vit-b int8'), base]) {
    const every = (p: number) => `${(p / r.windowsPerS).toFixed(p / r.windowsPerS < 1 ? 2 : 1)} s`;
    console.log(`  ${r.model.padEnd(15)} (${r.threads} thread(s), batch ${r.batch}: ${r.windowsPerS.toFixed(3)} windows/s): 1 participant every ${every(1)}, 4 every ${every(4)}, 8 every ${every(8)}`);
  }
  const s2d = [best('s2d-vit-b fp32'), best('s2d-vit-b int8')].sort((a, b) => b.windowsPerS - a.windowsPerS)[0]!;
  console.log(`\nConclusion: full S2D (${s2d.model}) sustains ${s2d.windowsPerS.toFixed(2)} windows/s here, ${(base.windowsPerS / s2d.windowsPerS).toFixed(0)}× fewer than the baseline; ` +
    `with N participants each gets a fresh S2D estimate every ≈${(1 / s2d.windowsPerS).toFixed(1)}·N s, while the baseline keeps up with a window every ${(1000 / base.windowsPerS).toFixed(0)} ms.`);
  console.log('These are random weights: speed only, outputs are meaningless. The CPU is shared, so treat the numbers as ±20%.');
}

main().catch((err) => {
  console.error(`[bench] failed: ${err instanceof Error ? err.message : err}`);
  process.exit(1);
});
