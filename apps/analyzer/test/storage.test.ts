import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { emotionSampleSchema, type EmotionSample } from '@moodroom/shared';
import { BatchingSampleWriter } from '../src/storage/batching-writer.ts';
import type { AnalyticsRepository, SessionRecord } from '../src/storage/repository.ts';
import { SqliteAnalyticsRepository } from '../src/storage/sqlite-repository.ts';
import { windowToSample } from '../src/pipeline/to-emotion-sample.ts';
import { onehot } from './helpers/fixtures.ts';

const dir = mkdtempSync(join(tmpdir(), 'analyzer-db-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const freshRepo = () => new SqliteAnalyticsRepository(join(dir, `t${n++}`, 'analytics.sqlite'));

const sample = (participantId: string, t: number, face = true, sessionId = 's1'): EmotionSample =>
  windowToSample(
    { t, windowStart: t - 2000, probs: face ? { ...onehot('happy'), happy: 0.7, sad: 0.3 } : null, facePresent: face, faceCount: face ? 1 : 0, quality: face ? 0.8 : 0 },
    { sessionId, participantId, model: 'tiny' },
  );

test('samples round-trip exactly, face-less ones with null emotion', async () => {
  const repo = freshRepo();
  const batch = [sample('p1', 10_000), sample('p1', 11_000, false), sample('p2', 10_500)];
  assert.deepEqual(await repo.appendSamples(batch), { inserted: 3 });
  const back = await repo.listSamples('s1');
  assert.deepEqual(back, [batch[0], batch[2], batch[1]]);
  for (const s of back) emotionSampleSchema.parse(s);
  await repo.close();
});

test('appending the same samples again never duplicates (at-least-once delivery)', async () => {
  const repo = freshRepo();
  const batch = [sample('p1', 1000), sample('p1', 2000)];
  await repo.appendSamples(batch);
  assert.deepEqual(await repo.appendSamples([...batch, sample('p1', 3000)]), { inserted: 1 });
  assert.equal((await repo.listSamples('s1')).length, 3);
  await repo.close();
});

test('listSamples filters by participant and [from, to) range, oldest first', async () => {
  const repo = freshRepo();
  await repo.appendSamples([1, 2, 3, 4, 5].flatMap((i) => [sample('p1', i * 1000), sample('p2', i * 1000 + 1)]));
  const p1 = await repo.listSamples('s1', { participantId: 'p1', from: 2000, to: 4000 });
  assert.deepEqual(p1.map((s) => s.t), [2000, 3000]);
  assert.equal((await repo.listSamples('s1', { limit: 3 })).length, 3);
  assert.deepEqual(await repo.listSamples('other'), []);
  await repo.close();
});

const session = (s: Pick<SessionRecord, 'sessionId' | 'roomId' | 'startedAt' | 'endedAt'>): SessionRecord => ({ title: 'Retro', purpose: 'how it felt', analysisEnabled: true, retentionDays: 7, ...s });

test('per-session retention erases a session its retentionDays after it ended, not before', async () => {
  const repo = freshRepo();
  const day = 86_400_000;
  await repo.upsertSession(session({ sessionId: 'week', roomId: 'r', startedAt: 0, endedAt: 1000 }));
  await repo.upsertSession({ ...session({ sessionId: 'global', roomId: 'r', startedAt: 0, endedAt: 1000 }), retentionDays: null });
  await repo.upsertSession(session({ sessionId: 'running', roomId: 'r', startedAt: 0, endedAt: null }));
  await repo.appendSamples([sample('p', 10, true, 'week')]);
  assert.deepEqual(await repo.deleteExpiredSessions(1000 + 7 * day - 1), { sessions: 0 });
  assert.deepEqual(await repo.deleteExpiredSessions(1000 + 7 * day + 1), { sessions: 1 });
  assert.equal(await repo.getSession('week'), null);
  assert.deepEqual(await repo.listSamples('week'), []);
  assert.ok(await repo.getSession('global'));
  assert.ok(await repo.getSession('running'));
  await repo.close();
});

test('a database from before session titles is migrated in place', async () => {
  const path = join(dir, 'old-schema.sqlite');
  const Database = (await import('better-sqlite3')).default;
  const old = new Database(path);
  old.exec('CREATE TABLE sessions (session_id TEXT PRIMARY KEY, room_id TEXT NOT NULL, started_at INTEGER NOT NULL, ended_at INTEGER)');
  old.prepare('INSERT INTO sessions VALUES (?, ?, ?, ?)').run('legacy', 'r', 1, null);
  old.close();
  const repo = new SqliteAnalyticsRepository(path);
  assert.deepEqual(await repo.getSession('legacy'), { sessionId: 'legacy', roomId: 'r', startedAt: 1, endedAt: null, title: '', purpose: '', analysisEnabled: true, retentionDays: null });
  await repo.close();
});

test('sessions, participants and consent events are stored; deleteSession erases everything of a session', async () => {
  const repo = freshRepo();
  await repo.upsertSession(session({ sessionId: 's1', roomId: 'room', startedAt: 1, endedAt: null }));
  await repo.upsertSession(session({ sessionId: 's2', roomId: 'room', startedAt: 1, endedAt: null }));
  await repo.upsertParticipant({ sessionId: 's1', participantId: 'p1', displayName: 'Ada', joinedAt: 5, leftAt: null });
  await repo.upsertParticipant({ sessionId: 's1', participantId: 'p1', displayName: 'Ada', joinedAt: 5, leftAt: 99 });
  await repo.appendConsentEvent({ sessionId: 's1', participantId: 'p1', t: 6, analysisConsent: true });
  await repo.appendConsentEvent({ sessionId: 's1', participantId: 'p1', t: 50, analysisConsent: false });
  await repo.appendSamples([sample('p1', 10), sample('p1', 10, true, 's2')]);
  await repo.upsertSession(session({ sessionId: 's1', roomId: 'room', startedAt: 1, endedAt: 100 }));
  assert.deepEqual(await repo.getSession('s1'), { sessionId: 's1', roomId: 'room', startedAt: 1, endedAt: 100, title: 'Retro', purpose: 'how it felt', analysisEnabled: true, retentionDays: 7 });
  await repo.setSessionEnded('s1', null);
  assert.equal((await repo.getSession('s1'))?.endedAt, null);
  await repo.setSessionEnded('s1', 100);
  assert.deepEqual(await repo.listParticipants('s1'), [{ sessionId: 's1', participantId: 'p1', displayName: 'Ada', joinedAt: 5, leftAt: 99 }]);
  assert.deepEqual((await repo.listConsentEvents('s1')).map((e) => e.analysisConsent), [true, false]);
  await repo.deleteSession('s1');
  assert.equal(await repo.getSession('s1'), null);
  assert.deepEqual(await repo.listParticipants('s1'), []);
  assert.deepEqual(await repo.listConsentEvents('s1'), []);
  assert.deepEqual(await repo.listSamples('s1'), []);
  assert.equal((await repo.listSamples('s2')).length, 1, 'other sessions are untouched');
  await repo.close();
});

test('deleteOlderThan applies retention to samples, consent events and ended sessions', async () => {
  const repo = freshRepo();
  await repo.upsertSession(session({ sessionId: 'old', roomId: 'r', startedAt: 0, endedAt: 500 }));
  await repo.upsertSession(session({ sessionId: 'live', roomId: 'r', startedAt: 0, endedAt: null }));
  await repo.appendSamples([sample('p', 100, true, 'old'), sample('p', 100, true, 'live'), sample('p', 2000, true, 'live')]);
  await repo.appendConsentEvent({ sessionId: 'live', participantId: 'p', t: 100, analysisConsent: true });
  assert.deepEqual(await repo.deleteOlderThan(1000), { samples: 2, consentEvents: 1, sessions: 1 });
  assert.equal(await repo.getSession('old'), null);
  assert.deepEqual((await repo.listSamples('live')).map((s) => s.t), [2000]);
  await repo.close();
});

test('the database uses WAL and survives reopening', async () => {
  const path = join(dir, 'reopen.sqlite');
  const repo = new SqliteAnalyticsRepository(path);
  await repo.appendSamples([sample('p1', 1)]);
  await repo.close();
  const again = new SqliteAnalyticsRepository(path);
  assert.equal((await again.listSamples('s1')).length, 1);
  await again.close();
  const Database = (await import('better-sqlite3')).default;
  const raw = new Database(path, { readonly: true });
  assert.equal(raw.pragma('journal_mode', { simple: true }), 'wal');
  raw.close();
});

test('the batching writer flushes every N samples and after the interval', async () => {
  const repo = freshRepo();
  const w = new BatchingSampleWriter(repo, { maxBatch: 3, flushIntervalMs: 50 });
  for (const t of [1, 2, 3]) w.write(sample('p1', t));
  await w.flush();
  assert.equal((await repo.listSamples('s1')).length, 3);
  w.write(sample('p1', 4));
  assert.equal(w.pending, 1);
  await new Promise((r) => setTimeout(r, 120));
  assert.equal((await repo.listSamples('s1')).length, 4);
  await w.close();
  await repo.close();
});

test('the batching writer loses nothing on a clean shutdown and retries failed flushes without duplicates', async () => {
  const repo = freshRepo();
  let failNext = 1;
  // Fails the first write after storing it: exactly the "stored but not acknowledged" case.
  const flaky: AnalyticsRepository = Object.assign(Object.create(repo), {
    async appendSamples(batch: readonly EmotionSample[]) {
      const r = await repo.appendSamples(batch);
      if (failNext-- > 0) throw new Error('connection reset');
      return r;
    },
  });
  const errors: string[] = [];
  const w = new BatchingSampleWriter(flaky, { maxBatch: 1000, flushIntervalMs: 10_000, onError: (m) => errors.push(m) });
  for (let t = 0; t < 250; t++) w.write(sample(`p${t % 3}`, t));
  await w.flush();
  assert.equal(w.pending, 250, 'failed batch is kept for retry');
  for (let t = 250; t < 300; t++) w.write(sample('p0', t));
  await w.close();
  assert.equal(w.pending, 0);
  assert.equal((await repo.listSamples('s1')).length, 300);
  assert.match(errors[0]!, /storing 250 samples failed \(will retry\): connection reset/);
  assert.throws(() => w.write(sample('p0', 999)), /closed/);
  await repo.close();
});

test('the batching writer bounds its memory during an outage, dropping the oldest', async () => {
  const down: AnalyticsRepository = Object.assign(Object.create(freshRepo()), {
    async appendSamples() {
      throw new Error('db down');
    },
  });
  const w = new BatchingSampleWriter(down, { maxBatch: 10, flushIntervalMs: 10_000, maxBuffered: 25 });
  for (let t = 0; t < 100; t++) w.write(sample('p1', t));
  await w.flush();
  assert.ok(w.pending <= 25);
  assert.ok(w.dropped >= 75);
  await w.close(0);
});
