import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { concatMap, from, map, timer } from 'rxjs';
import { io } from 'socket.io-client';
import { DASHBOARD_NAMESPACE, SessionApiError, emotionSampleSchema, samplesToCsv, sessionDetailsSchema, sessionReportSchema, type CreateSessionResponse } from '@moodroom/shared';
import { signSessionToken, verifySessionToken } from '@moodroom/shared/session-token';
import type { RunningAnalyzer } from '../src/app.ts';
import { solidFrame, type ColourLandmarks } from './helpers/colour-face.ts';
import { tinyModelUnavailable } from './helpers/tiny-model.ts';
import { startTinyAnalyzer } from './helpers/tiny-analyzer.ts';
import { createSession } from './helpers/sessions.ts';

/**
 * The session API and the dashboard's access rules against a real analyzer (tiny model, real
 * SQLite, real HTTP and socket.io): only a session's facilitator token reads or erases its data.
 */
const skip = tinyModelUnavailable();
const dir = mkdtempSync(join(tmpdir(), 'analyzer-sessions-'));
const SECRET = 'session-api-test-secret-0123';
const DASHBOARD_ORIGIN = 'http://localhost:3000';
let analyzer: RunningAnalyzer<ColourLandmarks>;
let session: CreateSessionResponse;
let other: CreateSessionResponse;
const base = () => `http://127.0.0.1:${analyzer.port}`;
const api = (path: string, init: RequestInit & { token?: string } = {}) =>
  fetch(`${base()}${path}`, { ...init, headers: { ...(init.token ? { authorization: `Bearer ${init.token}` } : {}), ...(init.headers as Record<string, string> | undefined) } });
const create = async (body: unknown, headers: Record<string, string> = {}) =>
  api('/api/sessions', { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });

before(async () => {
  if (skip) return;
  analyzer = await startTinyAnalyzer(join(dir, 'a.sqlite'), { SESSION_SECRET: SECRET, ANALYZER_DASHBOARD_ORIGIN: DASHBOARD_ORIGIN });
  session = await createSession(base(), { title: ' Team retro ', retentionDays: 7, purpose: 'How did the retro feel?' });
  other = await createSession(base(), { title: 'Another', analysisEnabled: false });
});
after(async () => {
  await analyzer?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('creating a session: two signed links, validated input with clear errors', { skip: skip ?? false }, async () => {
  assert.equal(session.session.title, 'Team retro');
  assert.equal(session.session.retentionDays, 7);
  assert.match(session.session.sessionId, /^[A-Za-z0-9_-]{22}$/);
  const facilitator = verifySessionToken(SECRET, session.facilitatorToken, { role: 'facilitator', sessionId: session.session.sessionId });
  const participant = verifySessionToken(SECRET, session.participantToken, { role: 'participant', sessionId: session.session.sessionId });
  assert.ok(facilitator.ok && participant.ok);
  assert.equal(participant.ok && participant.payload.analysis, true);
  assert.equal(other.session.analysisEnabled, false);

  for (const [body, status, pattern] of [
    [{ title: '', analysisEnabled: true }, 400, /title/],
    [{ title: 'x', analysisEnabled: true, retentionDays: 9999 }, 400, /retentionDays/],
    ['{not json', 400, /not valid JSON/],
    [{ title: 'x'.repeat(20_000), analysisEnabled: true }, 413, /larger than/],
  ] as const) {
    const res = await create(body);
    assert.equal(res.status, status, JSON.stringify(body).slice(0, 50));
    assert.match(((await res.json()) as { error: { message: string } }).error.message, pattern);
  }
  assert.equal((await api('/api/sessions', { method: 'POST', body: '{}' })).status, 415);
  // The shared client (the home page's) turns a refusal into an error that carries the analyzer's words.
  await assert.rejects(createSession(base(), { title: '  ' }), (e: unknown) => e instanceof SessionApiError && e.status === 400 && /title/.test(e.message));
  assert.equal((await api('/api/sessions', { method: 'PUT' })).status, 405);
  assert.equal((await api('/api/nope')).status, 404);
});

test('CORS: the dashboard origin is allowed (preflight too), any other origin is refused', { skip: skip ?? false }, async () => {
  const preflight = await api(`/api/sessions/${session.session.sessionId}`, { method: 'OPTIONS', headers: { origin: DASHBOARD_ORIGIN, 'access-control-request-headers': 'authorization' } });
  assert.equal(preflight.status, 204);
  assert.equal(preflight.headers.get('access-control-allow-origin'), DASHBOARD_ORIGIN);
  assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /authorization/);
  const evil = await create({ title: 'x', analysisEnabled: true }, { origin: 'https://evil.example' });
  assert.equal(evil.status, 403);
  assert.match(((await evil.json()) as { error: { message: string } }).error.message, /ANALYZER_DASHBOARD_ORIGIN/);
});

test('only the facilitator token of a session reads it: no, bad, participant or foreign tokens are refused', { skip: skip ?? false }, async () => {
  const id = session.session.sessionId;
  const genuine = verifySessionToken(SECRET, session.facilitatorToken);
  assert.ok(genuine.ok);
  const forged = signSessionToken('a-different-secret-0123456789', genuine.payload);
  for (const path of [`/api/sessions/${id}`, `/api/sessions/${id}/report`, `/api/sessions/${id}/samples.csv`, `/api/sessions/${id}/samples.json`]) {
    for (const [token, status] of [[undefined, 401], ['garbage', 401], [forged, 401], [session.participantToken, 403], [other.facilitatorToken, 403]] as const) {
      const res = await api(path, token ? { token } : {});
      assert.equal(res.status, status, `${path} with ${token?.slice(0, 12) ?? 'no token'}`);
      const body = (await res.json()) as { error: { message: string } };
      assert.ok(body.error.message.length > 10, 'says what to do');
    }
  }
  assert.equal((await api(`/api/sessions/${id}`, { method: 'DELETE', token: session.participantToken })).status, 403);
  assert.equal((await api(`/api/sessions/${encodeURIComponent('../../etc')}`, { token: session.facilitatorToken })).status, 400);
  const details = sessionDetailsSchema.parse(await (await api(`/api/sessions/${id}`, { token: session.facilitatorToken })).json());
  assert.equal(details.session.purpose, 'How did the retro feel?');
});

test('the /dashboard namespace: no token, a participant token or a bad token cannot connect', { skip: skip ?? false }, async () => {
  for (const [auth, code] of [[{}, 'UNAUTHORIZED'], [{ token: 'nope' }, 'UNAUTHORIZED'], [{ token: session.participantToken }, 'FORBIDDEN']] as const) {
    const socket = io(`${base()}${DASHBOARD_NAMESPACE}`, { transports: ['websocket'], reconnection: false, auth });
    const error = await new Promise<Error & { data?: { code?: string } }>((resolve, reject) => {
      socket.once('connect_error', resolve);
      socket.once('connect', () => reject(new Error(`connected with ${JSON.stringify(auth)}`)));
    });
    assert.equal(error.data?.code, code);
    socket.close();
  }
});

test('report, CSV and JSON exports come from the stored samples; deleting erases the session', { skip: skip ?? false }, async () => {
  const { service, repo } = analyzer;
  const id = session.session.sessionId;
  await service.participantJoined({ sessionId: id, roomId: id, participantId: 'ada', displayName: 'Ada', analysisConsent: true });
  await service.participantJoined({ sessionId: id, roomId: id, participantId: 'bob', displayName: 'Bob', analysisConsent: false });
  const t0 = Date.now();
  const frames = Array.from({ length: 60 }, (_, i) => solidFrame(t0 + Math.round((i * 1000) / 30), [255, 0, 0]));
  service.startAnalysis(id, 'ada', from(frames).pipe(concatMap((f, i) => (i % 15 === 0 ? timer(5).pipe(map(() => f)) : [f]))), { rateClock: 'frame' });
  for (const end = Date.now() + 5000; service.activeCount > 0 && Date.now() < end; ) await new Promise((r) => setTimeout(r, 20));
  await service.participantLeft(id, 'ada');

  const report = sessionReportSchema.parse(await (await api(`/api/sessions/${id}/report`, { token: session.facilitatorToken })).json());
  const stored = await repo.listSamples(id);
  assert.ok(stored.length >= 2, `samples stored: ${stored.length}`);
  assert.equal(report.totalSamples, stored.length);
  assert.deepEqual(report.participants.map((p) => [p.displayName, p.analysed]), [['Ada', true], ['Bob', false]]);
  assert.equal((await repo.getSession(id))?.endedAt !== null, false, 'Bob is still in: the session has not ended');

  const csv = await api(`/api/sessions/${id}/samples.csv`, { token: session.facilitatorToken });
  assert.match(csv.headers.get('content-type') ?? '', /text\/csv/);
  assert.match(csv.headers.get('content-disposition') ?? '', new RegExp(`moodroom-${id}-samples\\.csv`));
  assert.equal(await csv.text(), samplesToCsv(stored));
  const json = (await (await api(`/api/sessions/${id}/samples.json`, { token: session.facilitatorToken })).json()) as unknown[];
  assert.deepEqual(json.map((s) => emotionSampleSchema.parse(s)), stored);

  const deleted = await api(`/api/sessions/${id}`, { method: 'DELETE', token: session.facilitatorToken });
  assert.deepEqual(await deleted.json(), { deleted: true });
  assert.deepEqual(await repo.listSamples(id), []);
  assert.deepEqual(await repo.listParticipants(id), []);
  assert.equal(await repo.getSession(id), null);
  assert.equal((await api(`/api/sessions/${id}/report`, { token: session.facilitatorToken })).status, 404);
  // The other session is untouched.
  assert.ok(await repo.getSession(other.session.sessionId));
});

/** GET from a chosen loopback source address (the whole of 127/8 is local): status, retry-after, body. */
async function getFrom(port: number, localAddress: string, path: string, token?: string) {
  const { request } = await import('node:http');
  return await new Promise<{ status: number; retryAfter: string | undefined; body: string }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, localAddress, headers: token ? { authorization: `Bearer ${token}` } : {} }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'] as string | undefined, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('a per-address request budget: beyond it 429 JSON with retry-after; other addresses are served', { skip: skip ?? false }, async () => {
  const limited = await startTinyAnalyzer(join(dir, 'limited.sqlite'), { SESSION_SECRET: SECRET, ANALYZER_MAX_REQUESTS_PER_MINUTE: '5' });
  try {
    const created = await createSession(`http://127.0.0.1:${limited.port}`, { title: 'Budget' });
    const path = `/api/sessions/${created.session.sessionId}`;
    // createSession used one request of 127.0.0.1's budget; token guesses from another address use theirs.
    const guesses = [];
    for (let i = 0; i < 6; i++) guesses.push(await getFrom(limited.port, '127.0.0.51', path, `guess-${i}`));
    assert.deepEqual(guesses.map((g) => g.status), [401, 401, 401, 401, 401, 429]);
    const refused = guesses[5]!;
    assert.equal(refused.retryAfter, '12', 'a token back every 60/5 s');
    assert.match(JSON.parse(refused.body).error.message, /too many requests from this address \(more than 5 a minute\): retry in 12 s/);
    assert.equal(JSON.parse(refused.body).error.code, 'LIMIT');
    // Even the right token waits at that address, while the facilitator elsewhere is served.
    assert.equal((await getFrom(limited.port, '127.0.0.51', path, created.facilitatorToken)).status, 429);
    assert.equal((await getFrom(limited.port, '127.0.0.52', path, created.facilitatorToken)).status, 200);
  } finally {
    await limited.close();
  }
});
