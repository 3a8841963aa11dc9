/**
 * Sample storage throughput: the batching writer (one transaction per flush) against writing
 * each sample in its own transaction, on a real SQLite file in WAL mode.
 *
 *   npm run bench:storage -w apps/analyzer     (BENCH_SAMPLES=20000)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EMOTIONS, type EmotionSample } from '@moodroom/shared';
import { BatchingSampleWriter } from '../src/storage/batching-writer.ts';
import { SqliteAnalyticsRepository } from '../src/storage/sqlite-repository.ts';

const N = Number(process.env.BENCH_SAMPLES ?? 20_000);
const dir = mkdtempSync(join(tmpdir(), 'analyzer-storage-bench-'));
const probs = Object.fromEntries(EMOTIONS.map((e, i) => [e, i === 0 ? 0.4 : 0.1])) as EmotionSample['probs'];
const sample = (i: number): EmotionSample => ({
  sessionId: 'bench', participantId: `p${i % 16}`, t: 1_700_000_000_000 + Math.floor(i / 16) * 1000, windowStart: 1_700_000_000_000,
  probs, dominant: 'happy', valence: 0.3, facePresent: true, faceCount: 1, quality: 0.9, model: 'bench',
});

async function perSample() {
  const repo = new SqliteAnalyticsRepository(join(dir, 'per-sample.sqlite'));
  const started = performance.now();
  for (let i = 0; i < N; i++) await repo.appendSamples([sample(i)]);
  const ms = performance.now() - started;
  await repo.close();
  return ms;
}

async function batched(maxBatch: number) {
  const repo = new SqliteAnalyticsRepository(join(dir, `batched-${maxBatch}.sqlite`));
  const writer = new BatchingSampleWriter(repo, { maxBatch, flushIntervalMs: 1000 });
  const started = performance.now();
  for (let i = 0; i < N; i++) writer.write(sample(i));
  await writer.close();
  const ms = performance.now() - started;
  await repo.close();
  return ms;
}

console.log(`${N} samples, SQLite WAL`);
const rows: [string, number][] = [
  ['one transaction per sample', await perSample()],
  ['BatchingSampleWriter maxBatch=50', await batched(50)],
  ['BatchingSampleWriter maxBatch=200', await batched(200)],
];
for (const [name, ms] of rows) console.log(`${name.padEnd(36)} ${ms.toFixed(0).padStart(7)} ms  ${((N / ms) * 1000).toFixed(0).padStart(8)} samples/s`);
rmSync(dir, { recursive: true, force: true });
