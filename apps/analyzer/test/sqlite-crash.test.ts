import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { SqliteAnalyticsRepository } from '../src/storage/sqlite-repository.ts';

/**
 * kill -9 during batched writes: after every crash the database opens cleanly (integrity_check ok)
 * and holds every sample whose flush had been acknowledged. WAL + one transaction per batch is what
 * promises this; the test holds us to it.
 */
const dir = mkdtempSync(join(tmpdir(), 'analyzer-crash-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const writer = fileURLToPath(new URL('./helpers/sqlite-crash-writer.ts', import.meta.url));

/** Runs the writer until it acknowledged `minAcks` batches, lets it run `extraMs` more, then SIGKILLs it. */
function crashAfter(dbPath: string, firstIndex: number, minAcks: number, extraMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', writer, dbPath, String(firstIndex)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let acked = firstIndex;
    let acks = 0;
    let err = '';
    let rest = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.stdout.on('data', (c: Buffer) => {
      const lines = (rest + c.toString()).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) {
        const m = /^acked (\d+)$/.exec(line);
        if (!m) continue;
        acked = Number(m[1]);
        if (++acks === minAcks) setTimeout(() => child.kill('SIGKILL'), extraMs);
      }
    });
    child.once('exit', (code, signal) => (signal === 'SIGKILL' ? resolve(acked) : reject(new Error(`writer exited (${code}) before the kill: ${err.slice(-2000)}`))));
  });
}

async function storedCount(dbPath: string): Promise<number> {
  const repo = new SqliteAnalyticsRepository(dbPath);
  try {
    return (await repo.listSamples('crash', { limit: 10_000_000 })).length;
  } finally {
    await repo.close();
  }
}

test('kill -9 during batched writes: the database opens cleanly with every acknowledged sample', { timeout: 90_000 }, async () => {
  const dbPath = join(dir, 'crash.sqlite');
  let acked = 0;
  // A few crashes at varied moments, each run continuing where the stored data ends.
  for (const extraMs of [0, 7, 23, 41, 3]) {
    acked = await crashAfter(dbPath, await storedCount(dbPath), 5, extraMs);
    const db = new Database(dbPath, { readonly: true });
    try {
      assert.equal((db.pragma('integrity_check') as { integrity_check: string }[])[0]?.integrity_check, 'ok');
    } finally {
      db.close();
    }
    const repo = new SqliteAnalyticsRepository(dbPath);
    const samples = await repo.listSamples('crash', { limit: 10_000_000 });
    await repo.close();
    assert.ok(samples.length >= acked, `after a crash ${samples.length} samples are stored but ${acked} had been acknowledged`);
    // Stored samples are a gap-free prefix: a batch is all or nothing.
    assert.equal(samples.at(-1)!.t - 1_000_000 + 1, samples.length, 'no holes in what was stored');
    assert.equal(samples.length % 100, 0, 'whole batches only');
  }
  process.stderr.write(`[sqlite-crash] 5 kills; last run had ${acked} samples acknowledged\n`);
});
