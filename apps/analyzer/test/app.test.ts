import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { concat, concatMap, from, map, throwError, timer } from 'rxjs';
import { io, type Socket } from 'socket.io-client';
import { AnalyticsEvents, DASHBOARD_NAMESPACE, type AnalyticsEventName, type CreateSessionResponse } from '@moodroom/shared';
import type { RunningAnalyzer } from '../src/app.ts';
import { SqliteAnalyticsRepository } from '../src/storage/sqlite-repository.ts';
import { solidFrame, type ColourLandmarks } from './helpers/colour-face.ts';
import { tinyModelUnavailable } from './helpers/tiny-model.ts';
import { startTinyAnalyzer } from './helpers/tiny-analyzer.ts';
import { createSession, facilitatorSocket } from './helpers/sessions.ts';

const skip = tinyModelUnavailable();
const dir = mkdtempSync(join(tmpdir(), 'analyzer-app-'));
const dbPath = join(dir, 'analytics.sqlite');
let analyzer: RunningAnalyzer<ColourLandmarks>;
let client: Socket;
let client2: Socket;
const received: { event: AnalyticsEventName; payload: unknown }[] = [];
const base = () => `http://127.0.0.1:${analyzer.port}`;
const SECRET = 'app-test-session-secret-0123';
/** Two facilitated sessions (created through the API), each watched by its facilitator's dashboard. */
let s1: CreateSessionResponse;
let s2: CreateSessionResponse;

before(async () => {
  if (skip) return;
  analyzer = await startTinyAnalyzer(dbPath, { ANALYZER_HALF_LIFE_MS: '500', SESSION_SECRET: SECRET });
  s1 = await createSession(base(), { title: 'Session one' });
  s2 = await createSession(base(), { title: 'Session two' });
  const connect = async (token: string) => {
    const socket = await facilitatorSocket(base(), token);
    for (const event of Object.keys(AnalyticsEvents) as AnalyticsEventName[]) socket.on(event, (payload: unknown) => received.push({ event, payload }));
    return socket;
  };
  client = await connect(s1.facilitatorToken);
  client2 = await connect(s2.facilitatorToken);
});
after(async () => {
  client?.close();
  client2?.close();
  await analyzer?.close();
  rmSync(dir, { recursive: true, force: true });
});

const waitFor = async (what: string, check: () => boolean, ms = 5000) => {
  for (const end = Date.now() + ms; Date.now() < end; ) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.fail(`timed out waiting for ${what}`);
};
const ack = (event: string, payload: unknown, socket = client) => socket.timeout(2000).emitWithAck(event, payload) as Promise<{ ok: boolean; data?: Record<string, unknown>; error?: { code: string; message: string } }>;

test('/healthz reports workers and model; unknown paths 404', { skip: skip ?? false }, async () => {
  const res = await fetch(`${base()}/healthz`);
  assert.equal(res.status, 200);
  const body = (await res.json()) as Record<string, unknown>;
  assert.equal(body.ok, true);
  assert.equal(body.model, 'tiny-test-windowed');
  assert.equal((await fetch(`${base()}/nope`)).status, 404);
});

test('dashboard requests are validated and acknowledged', { skip: skip ?? false }, async () => {
  const bad = await ack('subscribe', { sessionId: '' });
  assert.equal(bad.ok, false);
  assert.equal(bad.error?.code, 'BAD_REQUEST');
  const subscribed = await ack('subscribe', { sessionId: s1.session.sessionId });
  assert.equal(subscribed.ok, true);
  assert.deepEqual(subscribed.data?.['session'], s1.session);
  assert.deepEqual(subscribed.data?.['participants'], []);
  // One facilitator link, one session.
  const foreign = await ack('subscribe', { sessionId: s2.session.sessionId });
  assert.equal(foreign.error?.code, 'FORBIDDEN');
});

test('the default namespace is refused', { skip: skip ?? false }, async () => {
  const other = io(base(), { transports: ['websocket'], reconnection: false });
  const err = await new Promise<Error>((resolve) => other.once('connect_error', resolve));
  assert.match(err.message, /\/dashboard/);
  other.close();
});

test('consenting participants are analysed: validated events reach subscribed dashboards, samples are stored', { skip: skip ?? false }, async () => {
  const { service } = analyzer;
  await service.participantJoined({ sessionId: s1.session.sessionId, roomId: s1.session.sessionId, participantId: 'ada', displayName: 'Ada', analysisConsent: true });
  await service.participantJoined({ sessionId: s1.session.sessionId, roomId: s1.session.sessionId, participantId: 'bob', displayName: 'Bob', analysisConsent: false });
  assert.throws(() => service.startAnalysis(s1.session.sessionId, 'bob', from([])), /not consented/);

  const t0 = Date.now();
  const frames = Array.from({ length: 90 }, (_, i) => solidFrame(t0 + Math.round((i * 1000) / 30), [255, 0, 0]));
  service.startAnalysis(s1.session.sessionId, 'ada', from(frames).pipe(concatMap((f, i) => (i % 15 === 0 ? timer(5).pipe(map(() => f)) : [f]))), { rateClock: 'frame' });
  await waitFor('samples', () => received.filter((r) => r.event === 'sample').length >= 3);
  service.publishStatus();
  await waitFor('analyzerStatus', () => received.some((r) => r.event === 'analyzerStatus'));

  for (const r of received) assert.ok(AnalyticsEvents[r.event].safeParse(r.payload).success, `${r.event} payload valid`);
  const joined = received.filter((r) => r.event === 'participantJoined').map((r) => (r.payload as { participantId: string }).participantId);
  assert.deepEqual(joined, ['ada', 'bob']);
  const samples = received.filter((r) => r.event === 'sample').map((r) => r.payload as { participantId: string; dominant: string });
  assert.ok(samples.every((s) => s.participantId === 'ada' && s.dominant === 'happy'));

  await service.consentChanged(s1.session.sessionId, 'ada', false);
  assert.equal(service.activeCount, 0);
  await waitFor('consentChanged', () => received.some((r) => r.event === 'consentChanged'));
  await service.participantLeft(s1.session.sessionId, 'ada');
  await waitFor('participantLeft', () => received.some((r) => r.event === 'participantLeft'));

  const metrics = await (await fetch(`${base()}/metrics`)).text();
  assert.match(metrics, /moodroom_analyzer_frames_received_total \d+/);
  assert.match(metrics, /moodroom_analyzer_frames_dropped_total\{reason="rate"\} \d+/);
  assert.match(metrics, /moodroom_analyzer_stage_seconds_bucket\{le="0.001",stage="track"\}/);
  assert.match(metrics, /moodroom_analyzer_stage_seconds_count\{stage="inference"\} [1-9]/);
  assert.match(metrics, /moodroom_analyzer_active_pipelines 0/);
  assert.match(metrics, /moodroom_analyzer_inference_queue_depth 0/);
});

test('one participant\'s failing stream stops only their own analysis', { skip: skip ?? false }, async () => {
  const { service } = analyzer;
  await service.participantJoined({ sessionId: s2.session.sessionId, roomId: s2.session.sessionId, participantId: 'eve', displayName: 'Eve', analysisConsent: true });
  await service.participantJoined({ sessionId: s2.session.sessionId, roomId: s2.session.sessionId, participantId: 'dan', displayName: 'Dan', analysisConsent: true });
  assert.equal((await ack('subscribe', { sessionId: s2.session.sessionId }, client2)).ok, true);
  const t0 = Date.now();
  const frames = (rgb: [number, number, number]) => Array.from({ length: 60 }, (_, i) => solidFrame(t0 + Math.round((i * 1000) / 30), rgb));
  const broken = concat(from(frames([255, 0, 0]).slice(0, 10)), throwError(() => new Error('decoder crashed')));
  service.startAnalysis(s2.session.sessionId, 'eve', broken, { rateClock: 'frame' });
  service.startAnalysis(s2.session.sessionId, 'dan', from(frames([0, 255, 0])).pipe(concatMap((f, i) => (i % 15 === 0 ? timer(5).pipe(map(() => f)) : [f]))), { rateClock: 'frame' });
  await waitFor("dan's samples", () => received.some((r) => r.event === 'sample' && (r.payload as { participantId: string }).participantId === 'dan'));
  const dan = received.filter((r) => r.event === 'sample' && (r.payload as { participantId: string }).participantId === 'dan');
  assert.ok(dan.every((r) => (r.payload as { dominant: string }).dominant === 'sad'));
  assert.ok(!received.some((r) => r.event === 'sample' && (r.payload as { participantId: string }).participantId === 'eve'));
  await waitFor('both pipelines to finish', () => service.activeCount === 0);
});

test('a clean shutdown writes every sample produced', { skip: skip ?? false }, async () => {
  const produced = (sessionId: string) => received.filter((r) => r.event === 'sample' && (r.payload as { sessionId: string }).sessionId === sessionId).length;
  await analyzer.close();
  const repo = new SqliteAnalyticsRepository(dbPath);
  assert.equal((await repo.listSamples(s1.session.sessionId, { participantId: 'ada' })).length, produced(s1.session.sessionId));
  assert.equal((await repo.listSamples(s2.session.sessionId)).length, produced(s2.session.sessionId));
  assert.deepEqual((await repo.listConsentEvents(s1.session.sessionId)).map((e) => [e.participantId, e.analysisConsent]), [['ada', true], ['bob', false], ['ada', false]]);
  assert.ok((await repo.listParticipants(s1.session.sessionId)).find((p) => p.participantId === 'ada')!.leftAt! > 0);
  await repo.close();
});
