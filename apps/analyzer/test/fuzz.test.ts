import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { io, type Socket } from 'socket.io-client';
import { z } from 'zod';
import { AnalyticsClientEvents, DASHBOARD_NAMESPACE, ackSchema, type CreateSessionResponse } from '@moodroom/shared';
import { Fuzz, fuzzSeed, httpProbe } from '@moodroom/shared/fuzz';
import type { RunningAnalyzer } from '../src/app.ts';
import { MAX_DASHBOARD_MESSAGE_BYTES } from '../src/server/dashboard.ts';
import type { ColourLandmarks } from './helpers/colour-face.ts';
import { createSession, facilitatorSocket } from './helpers/sessions.ts';
import { tinyModelUnavailable } from './helpers/tiny-model.ts';
import { startTinyAnalyzer } from './helpers/tiny-analyzer.ts';

/**
 * ≥10,000 malformed, oversized, out-of-order and wrong-role requests against a real analyzer (tiny
 * model, real SQLite, HTTP and socket.io): every HTTP request gets a 4xx JSON error with a message
 * (or its success), never a 5xx or a hang; every dashboard request an Ack; the control session's
 * facilitator still subscribes at the end; memory stays flat. FUZZ_SEED=<n> replays a run.
 */
const skip = tinyModelUnavailable();
const SEED = fuzzSeed();
const SOCKET_MESSAGES = 7_000;
const HTTP_REQUESTS = 3_200;
const dir = mkdtempSync(join(tmpdir(), 'analyzer-fuzz-'));
const SECRET = 'fuzz-test-session-secret-0123';
const anyAck = ackSchema(z.unknown());
const errorBody = z.object({ error: z.object({ code: z.string().min(1), message: z.string().min(1) }) });
const gc = (() => {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
})();
const heapMb = () => (gc(), gc(), process.memoryUsage().heapUsed / 2 ** 20);

let analyzer: RunningAnalyzer<ColourLandmarks>;
let control: CreateSessionResponse;
let other: CreateSessionResponse;
const base = () => `http://127.0.0.1:${analyzer.port}`;

before(async () => {
  if (skip) return;
  analyzer = await startTinyAnalyzer(join(dir, 'a.sqlite'), {
    SESSION_SECRET: SECRET,
    // The dashboard's rate limit would answer most fuzz messages before validation; the
    // session-creation limit (default 30/min) stays on and is part of what is fuzzed.
    ANALYZER_DASHBOARD_MAX_MESSAGES_PER_SECOND: '100000',
    // Likewise the per-address request budget (session-api.test.ts tests it).
    ANALYZER_MAX_REQUESTS_PER_MINUTE: '0',
  });
  control = await createSession(base(), { title: 'Control' });
  other = await createSession(base(), { title: 'Other' });
});
after(async () => {
  await analyzer?.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Tally {
  sent: Record<string, number>;
  answers: Record<string, number>;
  bad: string[];
}
const count = (r: Record<string, number>, k: string) => void (r[k] = (r[k] ?? 0) + 1);

function tokens(f: Fuzz): { name: string; token: string | undefined } {
  return f.pick([
    { name: 'none', token: undefined },
    // Only characters a header can carry: Node refuses to send the rest.
    { name: 'junk', token: f.string().slice(0, 300).replace(/[^\x20-\x7e]/g, '?') },
    { name: 'participant-invite', token: other.participantToken },
    { name: 'other-session-facilitator', token: other.facilitatorToken },
    { name: 'control-facilitator', token: control.facilitatorToken },
    { name: 'tampered', token: `${control.facilitatorToken.slice(0, -2)}xx` },
  ]);
}

async function fuzzHttp(f: Fuzz, n: number, tally: Tally): Promise<void> {
  const ids = () => f.pick([control.session.sessionId, other.session.sessionId, 'nope', '..%2F..', '%', 'x'.repeat(80), f.string().slice(0, 40).replace(/[^\w-]/g, (c) => `%${c.charCodeAt(0).toString(16)}`)]);
  for (let i = 0; i < n; i++) {
    const route = f.pick(['/api/sessions', `/api/sessions/${ids()}`, `/api/sessions/${ids()}/report`, `/api/sessions/${ids()}/samples.csv`, `/api/sessions/${ids()}/samples.json`, `/api/sessions/${ids()}/nope`, '/api/', '/api', '/healthz', '/metrics', '/socket.io', '/socket.iox', '/', `/${f.string().slice(0, 50).replace(/[^\x21-\x7e]/g, '')}`]);
    const method = f.pick(['GET', 'POST', 'DELETE', 'PUT', 'PATCH', 'OPTIONS', 'HEAD']);
    const auth = tokens(f);
    // The control session must survive: nobody deletes it with its own valid token.
    if (method === 'DELETE' && auth.name === 'control-facilitator') continue;
    const headers: Record<string, string> = {};
    if (auth.token !== undefined) headers['authorization'] = f.chance(0.9) ? `Bearer ${auth.token}` : auth.token;
    if (f.chance(0.8)) headers['content-type'] = 'application/json';
    if (f.chance(0.1)) headers['origin'] = f.pick(['http://localhost:3000', 'https://evil.example']);
    const valid = { title: 'Fuzz', purpose: 'p', analysisEnabled: f.chance(0.5), retentionDays: f.int(1, 30) };
    const body = method === 'GET' || method === 'HEAD' ? undefined : f.pick([
      () => JSON.stringify(valid),
      () => JSON.stringify(f.mutate(valid)) ?? 'null',
      () => JSON.stringify(f.value()) ?? '',
      () => '{"title":',
      () => 'z'.repeat(f.int(16 * 1024, 64 * 1024)),
      // Deep nesting just under the body limit, written out (JSON.stringify itself would overflow).
      () => `${'['.repeat(8000)}${']'.repeat(8000)}`,
      () => `${'{"a":'.repeat(3000)}1${'}'.repeat(3000)}`,
    ])();
    const category = `http:${method}:${auth.name}`;
    count(tally.sent, category);
    const answer = await httpProbe(base(), { method, path: route, headers, ...(body !== undefined ? { body } : {}) });
    count(tally.answers, `http-${answer.status}`);
    const what = `${method} ${route.slice(0, 60)} (${auth.name}) → ${answer.status}`;
    if (answer.status >= 500) tally.bad.push(`${what}: ${answer.body.slice(0, 200)}`);
    else if (answer.status >= 400 && method !== 'HEAD' && !errorBody.safeParse(safeJson(answer.body)).success) tally.bad.push(`${what}: not a JSON error with a message: ${answer.contentType} ${answer.body.slice(0, 120)}`);
    else if (answer.status < 300 && !(answer.status === 204 && method === 'OPTIONS')) {
      // A success must have earned it: the right token for data, a valid body for a new session.
      const legit = (method === 'GET' && ['/healthz', '/metrics'].includes(route)) || (method === 'POST' && route === '/api/sessions') || auth.name === 'control-facilitator' || (auth.name === 'other-session-facilitator' && route.includes(other.session.sessionId));
      if (!legit) tally.bad.push(`${what}: succeeded without the right token`);
    }
  }
}

function safeJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
}

const EVENTS = [...Object.keys(AnalyticsClientEvents), 'teleport', '', 'x'.repeat(200), 'toString', '__proto__', 'sample'];

async function fuzzSocket(f: Fuzz, socket: Socket, n: number, tally: Tally): Promise<void> {
  const pending = new Set<Promise<void>>();
  for (let i = 0; i < n && socket.connected; i++) {
    const event = f.pick(EVENTS);
    const valid = { sessionId: f.pick([control.session.sessionId, other.session.sessionId, 'nope']), historyMs: f.int(-1, 40 * 60_000) };
    let payload = f.pick([() => valid, () => f.mutate(valid), () => f.value(), () => undefined])();
    // Oversized messages drop the connection (fuzzOversize); these sockets must stay to the end.
    if ((JSON.stringify(payload)?.length ?? 0) > MAX_DASHBOARD_MESSAGE_BYTES / 2) payload = f.string().slice(0, 1000);
    const withAck = f.chance(0.9);
    count(tally.sent, `socket:${Object.hasOwn(AnalyticsClientEvents, event) ? event : 'unknown'}${withAck ? '' : ':no-ack'}`);
    if (!withAck) {
      socket.emit(event, payload);
      continue;
    }
    const args = payload === undefined && f.chance(0.5) ? [] : [payload];
    const done = socket
      .timeout(10_000)
      .emitWithAck(event, ...args)
      .then(
        (raw: unknown) => {
          const ack = anyAck.safeParse(raw);
          if (!ack.success) return void tally.bad.push(`${event}: not an Ack: ${JSON.stringify(raw)?.slice(0, 200)}`);
          count(tally.answers, ack.data.ok ? 'ok' : ack.data.error.code);
          if (!ack.data.ok && !ack.data.error.message.trim()) tally.bad.push(`${event}: error without a message`);
          if (!ack.data.ok && ack.data.error.code === 'INTERNAL') tally.bad.push(`${event}: INTERNAL for ${JSON.stringify(payload)?.slice(0, 200)}`);
        },
        () => void tally.bad.push(`"${event.slice(0, 30)}" with ${JSON.stringify(args)?.slice(0, 100)}: no ack within 10 s`),
      )
      .finally(() => pending.delete(done));
    pending.add(done);
    if (pending.size >= 16) await Promise.race(pending);
  }
  await Promise.all(pending);
}

/** Connections with the wrong credentials are refused with a code, never let in. */
async function fuzzConnect(f: Fuzz, n: number, tally: Tally): Promise<void> {
  for (let i = 0; i < n; i++) {
    const auth = f.pick([{}, { token: f.value() }, { token: other.participantToken }, { token: 'x'.repeat(5000) }, { nope: 1 }]);
    count(tally.sent, 'connect:bad-credentials');
    const socket = io(`${base()}${DASHBOARD_NAMESPACE}`, { transports: ['websocket'], reconnection: false, forceNew: true, auth });
    const error = await new Promise<{ data?: { code?: string } } | null>((resolve) => {
      socket.once('connect_error', resolve);
      socket.once('connect', () => resolve(null));
    });
    socket.close();
    if (!error?.data?.code) tally.bad.push(`connect with ${JSON.stringify(auth).slice(0, 80)}: ${error ? 'refused without a code' : 'let in'}`);
    else count(tally.answers, `connect-${error.data.code}`);
  }
}

/** Messages over the dashboard's size limit: only the sender is dropped. */
async function fuzzOversize(f: Fuzz, n: number, tally: Tally): Promise<void> {
  for (let i = 0; i < n; i++) {
    const socket = await facilitatorSocket(base(), other.facilitatorToken);
    const dropped = new Promise<string>((resolve) => socket.once('disconnect', resolve));
    socket.emit(f.pick(EVENTS), { sessionId: 'x'.repeat(MAX_DASHBOARD_MESSAGE_BYTES + f.int(1, 1000)) }, () => {});
    count(tally.sent, 'socket:oversize');
    assert.equal(await dropped, 'transport close');
  }
}

/** Well-formed creations from one address: beyond ANALYZER_MAX_SESSIONS_PER_MINUTE, 429 with a wait. */
async function fuzzCreate(n: number, tally: Tally): Promise<void> {
  for (let i = 0; i < n; i++) {
    count(tally.sent, 'http:POST:valid-session');
    const answer = await httpProbe(base(), { method: 'POST', path: '/api/sessions', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ title: `Flood ${i}`, analysisEnabled: false }) });
    count(tally.answers, `http-${answer.status}`);
    if (answer.status !== 201 && !(answer.status === 429 && /too many sessions.*retry in \d+ s/.test(answer.body))) tally.bad.push(`valid POST → ${answer.status} ${answer.body.slice(0, 120)}`);
  }
}

async function runHalf(f: Fuzz, tally: Tally, socketMessages: number, httpRequests: number): Promise<void> {
  // Fuzzers hold real facilitator links: the other session's (wrong session for the control) and the control's.
  const sockets = await Promise.all([facilitatorSocket(base(), other.facilitatorToken), facilitatorSocket(base(), other.facilitatorToken), facilitatorSocket(base(), control.facilitatorToken)]);
  await Promise.all([
    ...sockets.map((s) => fuzzSocket(f, s, Math.ceil(socketMessages / sockets.length), tally)),
    ...Array.from({ length: 4 }, () => fuzzHttp(f, Math.ceil(httpRequests / 4), tally)),
    fuzzConnect(f, 20, tally),
    fuzzOversize(f, 3, tally),
    fuzzCreate(20, tally),
  ]);
  for (const s of sockets) {
    assert.ok(s.connected, 'a fuzzing dashboard was disconnected');
    s.close();
  }
}

test(`fuzz: ${SOCKET_MESSAGES + HTTP_REQUESTS} bad requests; 4xx JSON errors and Acks, control session unaffected, memory flat (seed ${SEED})`, { skip: skip ?? false }, async () => {
  console.log(`fuzz seed ${SEED} (FUZZ_SEED=${SEED} replays this run)`);
  const started = Date.now();
  const f = new Fuzz(SEED);
  const tally: Tally = { sent: {}, answers: {}, bad: [] };
  const watcher = await facilitatorSocket(base(), control.facilitatorToken);
  await runHalf(f, tally, 300, 100);
  const heap0 = heapMb();
  await runHalf(f, tally, SOCKET_MESSAGES / 2, HTTP_REQUESTS / 2);
  const heap1 = heapMb();
  await runHalf(f, tally, SOCKET_MESSAGES / 2, HTTP_REQUESTS / 2);
  const heap2 = heapMb();

  const total = Object.values(tally.sent).reduce((a, b) => a + b, 0);
  console.log(JSON.stringify({ seed: SEED, total, seconds: (Date.now() - started) / 1000, sent: tally.sent, answers: tally.answers, heapMb: { afterWarmup: heap0.toFixed(1), firstHalf: heap1.toFixed(1), secondHalf: heap2.toFixed(1) } }, null, 1));
  assert.deepEqual(tally.bad.slice(0, 20), []);
  assert.ok(total >= 10_000, `sent ${total}`);
  assert.ok((tally.answers['http-429'] ?? 0) > 0, 'creating sessions hit ANALYZER_MAX_SESSIONS_PER_MINUTE');
  assert.ok(heap2 - heap1 < 20, `heap grew ${(heap2 - heap1).toFixed(1)} MB between the halves`);

  // The control session is intact and its facilitator is served as before.
  assert.equal((await httpProbe(base(), { method: 'GET', path: '/healthz' })).status, 200);
  assert.ok(watcher.connected);
  const snapshot = anyAck.parse(await watcher.timeout(5000).emitWithAck('subscribe', { sessionId: control.session.sessionId }));
  assert.ok(snapshot.ok && AnalyticsClientEvents.subscribe.response.parse(snapshot.data).session.title === 'Control');
  const fresh = await facilitatorSocket(base(), control.facilitatorToken);
  const again = anyAck.parse(await fresh.timeout(5000).emitWithAck('subscribe', { sessionId: control.session.sessionId }));
  assert.ok(again.ok);
  watcher.close();
  fresh.close();
});
