/**
 * Child process for the kill -9 test: writes samples through the analyzer's own batching writer as
 * fast as it can and prints "acked <n>" once the first n samples are durably stored (the flush
 * resolved). The parent kills it at a random moment, usually in the middle of a transaction.
 */
import { BatchingSampleWriter } from '../../src/storage/batching-writer.ts';
import { SqliteAnalyticsRepository } from '../../src/storage/sqlite-repository.ts';
import { windowToSample } from '../../src/pipeline/to-emotion-sample.ts';
import { onehot } from './fixtures.ts';

const [dbPath, startArg] = process.argv.slice(2);
if (!dbPath) throw new Error('usage: sqlite-crash-writer.ts <db> [first-index]');
const repo = new SqliteAnalyticsRepository(dbPath);
const writer = new BatchingSampleWriter(repo, { maxBatch: 100, flushIntervalMs: 5 });
let next = Number(startArg ?? 0);
for (;;) {
  for (let i = 0; i < 100; i++, next++) {
    const t = 1_000_000 + next;
    writer.write(windowToSample({ t, windowStart: t - 2000, probs: { ...onehot('happy') }, facePresent: true, faceCount: 1, quality: 0.9 }, { sessionId: 'crash', participantId: 'p', model: 'tiny' }));
  }
  await writer.flush();
  if (writer.pending === 0) process.stdout.write(`acked ${next}\n`);
}
