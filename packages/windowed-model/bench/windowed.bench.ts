/**
 * Windowed-model latency and throughput on this CPU: the bundled baseline (face-api per frame +
 * temporal mean) against full ViT-B S2D with random weights (same architecture and cost as the real
 * checkpoints) at fp32 and int8: 1 and 2 intra-op threads with batch 1 and 4 (paired), and one
 * 1-thread worker per core running at once (the analyzer's deployment shape).
 *
 *   npm run bench -w packages/windowed-model               # everything (≈8 min; the first run adds ≈3 min of S2D export)
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
import { Worker } from 'node:worker_threads';
import type { ParallelJob, ParallelResult } from './parallel-worker.ts';
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
  // --skip-check: the PyTorch parity check is the exporter's own test (models/s2d/tests); here it would only add minutes.
  log(`exporting random-weight ViT-B S2D to ${CACHE} (one-off, ≈3 minutes; progress below)`);
  const code = await new Promise<number>((resolve) => {
    const p = spawn(python, ['-m', 's2d.export', '--random-weights', '--config', 'vit-b', '--dataset', 'dfew', '--int8', '--skip-check', '--out', S2D_FP32],
      { cwd: MODELS, stdio: ['ignore', 'ignore', 'inherit'] });
    p.on('close', (c) => resolve(c ?? 1));
    p.on('error', () => resolve(1));
  });
  if (code !== 0 || !existsSync(S2D_FP32) || !existsSync(S2D_INT8)) return `the S2D export failed (exit ${code}); see the messages above`;
  return null;
}

interface Row {
  model: string;
  /** Inference workers running at once (the analyzer runs one model per worker thread). */
  workers: number;
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

/**
 * Times `model` at one thread count, batch 1 against batch 4 *paired*: after a warm-up of each, the
 * two alternate run by run until the budget, so background load on this shared CPU hits both
 * alike (sequential blocks would compare different moments).
 */
async function measure(label: string, path: string, threads: number, seconds: number, maxRounds: number): Promise<Row[]> {
  const batches = [1, 4];
  const model = await loadWindowedModel(path, { threads, maxBatch: Math.max(...batches) });
  try {
    const { frames, height, width } = model.info;
    const windows = Array.from({ length: Math.max(...batches) }, (_, i) => {
      const pixels = new Uint8Array(frames * height * width * 3);
      for (let k = 0; k < pixels.length; k++) pixels[k] = (k * 7 + i * 31) & 0xff;
      return { pixels, weights: new Float32Array(frames).fill(1) };
    });
    for (const b of batches) {
      const warm = await model.run(windows.slice(0, b));
      log(`${label} threads=${threads} batch=${b}: warm-up ${warm.latencyMs.toFixed(0)} ms`);
    }
    const perWindow = new Map<number, number[]>(batches.map((b) => [b, []]));
    const busy = new Map<number, number>(batches.map((b) => [b, 0]));
    const start = performance.now();
    let rounds = 0;
    while (rounds < maxRounds && (performance.now() - start < seconds * 1000 || rounds < 2)) {
      for (const b of batches) {
        const r = await model.run(windows.slice(0, b));
        perWindow.get(b)!.push(r.latencyMs / b);
        busy.set(b, busy.get(b)! + r.latencyMs);
      }
      rounds++;
      if (performance.now() - start > 5000) {
        log(`  ${label} threads=${threads} round ${rounds}: ${batches.map((b) => `batch ${b} ${perWindow.get(b)!.at(-1)!.toFixed(0)} ms/window`).join(', ')}`);
      }
    }
    return batches.map((b) => {
      const sorted = [...perWindow.get(b)!].sort((x, y) => x - y);
      return { model: label, workers: 1, threads, batch: b, runs: sorted.length, p50: quantile(sorted, 0.5), p95: quantile(sorted, 0.95), windowsPerS: (sorted.length * b * 1000) / busy.get(b)! };
    });
  } finally {
    await model.release();
  }
}

/** `workers` worker threads, each with its own 1-thread session, run batch-1 windows at the same time. */
async function measureParallel(label: string, path: string, workers: number, seconds: number, maxRuns: number): Promise<Row> {
  const entry = new URL('./parallel-worker.mjs', import.meta.url);
  const threads = Array.from({ length: workers }, (_, i) => new Worker(entry, { workerData: { path, threads: 1, seconds, maxRuns, seed: i } satisfies ParallelJob }));
  try {
    const next = (w: Worker, type: string) => new Promise<any>((resolve, reject) => {
      const onMsg = (m: { type: string }) => { if (m.type === type) { w.off('message', onMsg); resolve(m); } };
      w.on('message', onMsg);
      w.once('error', reject);
      w.once('exit', (code) => reject(new Error(`bench worker exited (${code}) before "${type}"`)));
    });
    await Promise.all(threads.map((w) => next(w, 'ready')));
    log(`${label} ${workers} workers × 1 thread, batch 1: loaded and warm, running together`);
    const done = threads.map((w) => next(w, 'done'));
    threads.forEach((w) => w.postMessage('go'));
    const results = (await Promise.all(done)).map((m) => m.result as ParallelResult);
    const all = results.flatMap((r) => r.latencies).sort((a, b) => a - b);
    const elapsed = Math.max(...results.map((r) => r.elapsedMs));
    return { model: label, workers, threads: 1, batch: 1, runs: all.length, p50: quantile(all, 0.5), p95: quantile(all, 0.95), windowsPerS: (all.length * 1000) / elapsed };
  } finally {
    await Promise.all(threads.map((w) => w.terminate()));
  }
}

function table(rows: Row[]): string {
  const head = ['model', 'workers × threads', 'batch', 'runs', 'p50 ms/window', 'p95 ms/window', 'windows/s'];
  const body = rows.map((r) => [r.model, `${r.workers} × ${r.threads}`, String(r.batch), String(r.runs), r.p50.toFixed(1), r.p95.toFixed(1), r.windowsPerS.toFixed(r.windowsPerS < 10 ? 3 : 1)]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

const benchStart = performance.now();

async function main(): Promise<void> {
  if (!existsSync(BASELINE)) throw new Error(`${BASELINE} missing: run npm run build:baseline -w models`);
  log(`CPU: ${cpus()[0]?.model ?? '?'} × ${availableParallelism()}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const s2dMissing = await ensureS2d();
  const plan: [string, string, number, number][] = [['baseline', BASELINE, BASELINE_SECONDS, 200]];
  if (!s2dMissing) plan.push(['s2d-vit-b fp32', S2D_FP32, S2D_SECONDS, 6], ['s2d-vit-b int8', S2D_INT8, S2D_SECONDS, 10]);
  const cores = availableParallelism();
  const rows: Row[] = [];
  for (const [label, path, seconds, maxRounds] of plan) {
    for (const threads of [1, 2]) rows.push(...(await measure(label, path, threads, seconds, maxRounds)));
    if (cores > 1) rows.push(await measureParallel(label, path, cores, seconds, maxRounds));
  }
  console.log(`\nWindowed models on ${cpus()[0]?.model ?? '?'} (${cores} cores, load average at the end ${loadavg()[0]!.toFixed(1)}), onnxruntime-node, 16-frame windows.`);
  console.log('ms/window = run time / batch size; batch 1 and 4 alternate run by run; "N × 1" = N worker threads with a 1-thread session each, running at once.\n');
  console.log(table(rows));
  console.log('\nBatching (batch 4 vs batch 1, same session, paired runs; windows/s ratio > 1 means batching helps):');
  for (const [label] of plan) {
    for (const threads of [1, 2]) {
      const get = (b: number) => rows.find((r) => r.model === label && r.workers === 1 && r.threads === threads && r.batch === b)!;
      console.log(`  ${label.padEnd(15)} ${threads} thread(s): ×${(get(4).windowsPerS / get(1).windowsPerS).toFixed(2)}`);
    }
  }
  if (s2dMissing) {
    console.log(`\nS2D NOT BENCHMARKED: ${s2dMissing}. Only the baseline was measured.`);
    log(`done in ${((performance.now() - benchStart) / 60_000).toFixed(1)} min`);
    return;
  }
  const best = (m: string) => rows.filter((r) => r.model === m).sort((a, b) => b.windowsPerS - a.windowsPerS)[0]!;
  const base = best('baseline');
  console.log(`\nHow often can each participant get a fresh window inference, the whole ${cores}-core CPU on inference (best configuration of each)?`);
  const every = (r: Row, n: number) => { const s = n / r.windowsPerS; return `${s.toFixed(s < 1 ? 2 : 1)} s`; };
  for (const r of [best('s2d-vit-b fp32'), best('s2d-vit-b int8'), base]) {
    console.log(`  ${r.model.padEnd(15)} (${r.workers} × ${r.threads}, batch ${r.batch}: ${r.windowsPerS.toFixed(3)} windows/s): 1 participant every ${every(r, 1)}, 4 every ${every(r, 4)}, 8 every ${every(r, 8)}`);
  }
  const s2d = [best('s2d-vit-b fp32'), best('s2d-vit-b int8')].sort((a, b) => b.windowsPerS - a.windowsPerS)[0]!;
  console.log(`\nConclusion: full ViT-B S2D (${s2d.model}, ${s2d.workers} × ${s2d.threads}) sustains ${s2d.windowsPerS.toFixed(2)} windows/s on this CPU, ` +
    `${(base.windowsPerS / s2d.windowsPerS).toFixed(0)}× fewer than the baseline: with N participants each gets a fresh S2D estimate about every ${(1 / s2d.windowsPerS).toFixed(1)}·N s ` +
    `(and nothing else - face tracking, decoding - may use the CPU), while the baseline handles ${base.windowsPerS.toFixed(0)} windows/s.`);
  console.log('Random weights: speed only, the outputs are meaningless. The CPU is shared with other work, so treat the numbers as ±20%.');
  log(`done in ${((performance.now() - benchStart) / 60_000).toFixed(1)} min`);
}

main().catch((err) => {
  console.error(`[bench] failed: ${err instanceof Error ? err.message : err}`);
  process.exit(1);
});
