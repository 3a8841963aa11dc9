import assert from 'node:assert/strict';
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { after, before, test } from 'node:test';
import type { Socket } from 'socket.io-client';
import { z } from 'zod';
import { AnalyzerRequests, ClientEvents, ackSchema } from '@moodroom/shared';
import { Fuzz, fuzzSeed, httpProbe } from '@moodroom/shared/fuzz';
import {
  analyzerClient,
  browserRtpCapabilities,
  call,
  client,
  dtlsParameters,
  inviteFor,
  joinWithTransports,
  nextEvent,
  opusParameters,
  startSfu,
  TEST_ANALYZER_TOKEN,
  vp8SimulcastParameters,
  type TestSfu,
} from './helpers.ts';

/**
 * ≥10,000 malformed, oversized, out-of-order and wrong-role messages against a real SFU: every one
 * that carries an ack gets a well-formed error Ack, nothing crashes, a control room in the same SFU
 * keeps working, and memory stays flat. FUZZ_SEED=<n> replays a run.
 */
const SEED = fuzzSeed();
const MESSAGES = 12_000;
const FUZZERS = 8;
const IN_FLIGHT = 24;
// Rate limits are tested in limits.test.ts; here they would refuse most messages before validation.
const FUZZ_ENV = { SFU_MAX_MESSAGES_PER_SECOND: '100000', SFU_MESSAGE_BURST: '100000', SFU_MAX_JOIN_ATTEMPTS_PER_MINUTE: '100000', SFU_MAX_JOIN_ATTEMPTS_PER_IP_PER_MINUTE: '0', SFU_MAX_PEERS_PER_ROOM: '6', ANALYZER_SERVICE_TOKEN: TEST_ANALYZER_TOKEN };

const anyAck = ackSchema(z.unknown());
const clientEvents = Object.keys(ClientEvents);
const analyzerEvents = Object.keys(AnalyzerRequests);
const UNKNOWN_EVENTS = ['teleport', 'JOIN', 'join ', '', 'x'.repeat(300), '__proto__', 'constructor', 'hasOwnProperty', 'toString', '😀'];

const gc = (() => {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
})();
function heapMb(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

let t: TestSfu;
before(async () => {
  t = await startSfu(FUZZ_ENV);
});
after(() => t?.close());

/** Valid payloads for each event, filled with ids the fuzzer has seen (its own or others'). */
function template(f: Fuzz, event: string, ids: string[]): unknown {
  const id = () => (ids.length && f.chance(0.7) ? f.pick(ids) : f.pick(['nope', 'x'.repeat(128), '']));
  const room = f.pick(['fuzz-a', 'fuzz-b', 'fuzz-c', 'control']);
  switch (event) {
    case 'join': return { roomId: room === 'control' ? 'fuzz-a' : room, displayName: 'Fuzzer', analysisConsent: f.chance(0.5), ...(f.chance(0.5) ? { invite: f.pick([inviteFor(room), inviteFor('elsewhere'), inviteFor(room, { role: 'facilitator' }), inviteFor(room, { secret: 'not-the-secret-0123456789' }), 'garbage']) } : {}) };
    case 'createTransport': return { direction: f.pick(['send', 'recv']) };
    case 'connectTransport': return { transportId: id(), dtlsParameters };
    case 'restartIce': return { transportId: id() };
    case 'produce': return { transportId: id(), kind: f.pick(['audio', 'video']), source: f.pick(['mic', 'camera', 'screen']), rtpParameters: f.chance(0.5) ? opusParameters(f.int(1, 1e6)) : vp8SimulcastParameters(f.int(1, 1e6)) };
    case 'closeProducer': case 'pauseProducer': case 'resumeProducer': return { producerId: id() };
    case 'consume': return { transportId: id(), producerId: id(), rtpCapabilities: browserRtpCapabilities };
    case 'resumeConsumer': return { consumerId: id() };
    case 'setPreferredLayers': return { consumerId: id(), spatialLayer: f.int(-1, 3), temporalLayer: f.int(-1, 3) };
    case 'setAnalysisConsent': return { analysisConsent: f.chance(0.5) };
    // Analyzer link requests.
    case 'getRouterRtpCapabilities': case 'createConsumerTransport': return { roomId: room };
    case 'connectConsumerTransport': return { transportId: id(), dtlsParameters };
    case 'requestKeyFrame': case 'closeConsumer': return { consumerId: id() };
    case 'closeTransport': return { transportId: id() };
    default: return undefined;
  }
}

/** Collects every id in an ack, so later messages can refer to real (own or foreign) objects. */
function harvest(value: unknown, into: string[], depth = 0): void {
  if (depth > 4 || value === null || typeof value !== 'object') return;
  for (const [k, v] of Object.entries(value)) {
    if (typeof v === 'string' && /(^id$|Id$)/.test(k) && into.length < 200) into.push(v);
    else harvest(v, into, depth + 1);
  }
}

interface Tally {
  sent: Record<string, number>;
  codes: Record<string, number>;
  unanswered: number;
  bad: string[];
}

/** Sends `count` fuzzed messages on one socket, at most IN_FLIGHT at a time, checking every ack. */
async function fuzzSocket(f: Fuzz, socket: Socket, events: { own: string[]; foreign: string[] }, count: number, tally: Tally, ids: string[]): Promise<void> {
  const pending = new Set<Promise<void>>();
  for (let i = 0; i < count && socket.connected; i++) {
    const roll = f.random();
    let category: string;
    let event: string;
    if (roll < 0.08) [category, event] = ['unknown-event', f.pick(UNKNOWN_EVENTS)];
    else if (roll < 0.16) [category, event] = ['wrong-role', f.pick(events.foreign)];
    else [category, event] = ['own-event', f.pick(events.own)];
    const shape = f.random();
    let payload: unknown;
    if (shape < 0.25) [payload, category] = [template(f, event, ids), `${category}:valid-or-out-of-order`];
    else if (shape < 0.75) [payload, category] = [f.mutate(template(f, event, ids)), `${category}:mutated`];
    else [payload, category] = [f.value(), `${category}:junk`];
    const withAck = f.chance(0.92);
    const key = withAck ? category : `${category}:no-ack`;
    tally.sent[key] = (tally.sent[key] ?? 0) + 1;
    if (!withAck) {
      socket.emit(event, payload);
      continue;
    }
    const done = socket
      .timeout(10_000)
      .emitWithAck(event, payload)
      .then(
        (raw: unknown) => {
          const ack = anyAck.safeParse(raw);
          if (!ack.success) return void tally.bad.push(`${event}: not an Ack: ${JSON.stringify(raw).slice(0, 200)}`);
          if (ack.data.ok) return void harvest(ack.data.data, ids);
          const { code, message } = ack.data.error;
          tally.codes[code] = (tally.codes[code] ?? 0) + 1;
          if (!message.trim()) tally.bad.push(`${event}: ${code} without a message`);
          if (code === 'INTERNAL') tally.bad.push(`${event}: INTERNAL for ${JSON.stringify(payload)?.slice(0, 300)}`);
        },
        () => void tally.unanswered++,
      )
      .finally(() => pending.delete(done));
    pending.add(done);
    if (pending.size >= IN_FLIGHT) await Promise.race(pending);
  }
  await Promise.all(pending);
}

/** HTTP: every route and method with junk; the SFU must answer JSON, never 5xx, never hang. */
async function fuzzHttp(f: Fuzz, count: number, tally: Tally): Promise<void> {
  const paths = ['/healthz', '/healthz?x=1', '/', '/nope', '/socket.io', '/socket.iox', '/socket.io/?EIO=4&transport=bogus', '/socket.io/?EIO=9', '/api/sessions', `/${'a'.repeat(4000)}`, '/%', '/..%2f..%2fetc'];
  for (let i = 0; i < count; i++) {
    const method = f.pick(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']);
    const path = f.pick(paths);
    const body = ['GET', 'HEAD'].includes(method) ? undefined : f.pick(['', '{', JSON.stringify(f.value()) ?? 'null', 'z'.repeat(f.int(1, 100_000))]);
    tally.sent['http'] = (tally.sent['http'] ?? 0) + 1;
    const answer = await httpProbe(t.url, { method, path, ...(body !== undefined ? { body, headers: { 'content-type': 'application/json' } } : {}) });
    const healthy = (path.startsWith('/healthz') && (method === 'GET' || method === 'HEAD')) || (method === 'OPTIONS' && path.startsWith('/socket.io/')); // CORS preflight
    if (answer.status >= 500 || (!healthy && answer.status < 400)) tally.bad.push(`HTTP ${method} ${path.slice(0, 60)} → ${answer.status}`);
    // socket.io's own path is engine.io's to answer (4xx, JSON except where Node's parser refuses a
    // request body on DELETE/OPTIONS with a bare 400); everything else is ours and always JSON.
    const ours = !path.startsWith('/socket.io/');
    if (ours && method !== 'HEAD' && !/json/.test(answer.contentType)) tally.bad.push(`HTTP ${method} ${path.slice(0, 60)} → ${answer.status} ${answer.contentType}, not JSON`);
    tally.codes[`http-${answer.status}`] = (tally.codes[`http-${answer.status}`] ?? 0) + 1;
  }
}

/** Messages over SFU_MAX_MESSAGE_BYTES: the sender is dropped, nobody else. */
async function fuzzOversize(f: Fuzz, count: number, tally: Tally): Promise<void> {
  for (let i = 0; i < count; i++) {
    const s = await client(t);
    const dropped = nextEvent<string>(s, 'disconnect');
    const pad = f.chance(0.5) ? 'x'.repeat(t.config.http.maxMessageBytes + f.int(1, 1000)) : Buffer.alloc(t.config.http.maxMessageBytes + f.int(1, 1000));
    s.emit(f.pick(clientEvents), { roomId: 'fuzz-a', pad }, () => {});
    tally.sent['oversize'] = (tally.sent['oversize'] ?? 0) + 1;
    assert.equal(await dropped, 'transport close');
  }
}

async function runHalf(f: Fuzz, messages: number, tally: Tally): Promise<void> {
  const participants = await Promise.all(Array.from({ length: FUZZERS }, () => client(t)));
  const analyzer = (await analyzerClient(t)).socket;
  const ids: string[] = [];
  const perSocket = Math.ceil(messages / (FUZZERS + 1));
  await Promise.all([
    ...participants.map((s) => fuzzSocket(f, s, { own: clientEvents, foreign: analyzerEvents }, perSocket, tally, ids)),
    fuzzSocket(f, analyzer, { own: analyzerEvents, foreign: clientEvents }, perSocket, tally, ids),
    fuzzHttp(f, 150, tally),
  ]);
  await fuzzOversize(f, 5, tally);
  for (const s of [...participants, analyzer]) {
    assert.ok(s.connected, 'a fuzzer was disconnected: only oversized messages may do that');
    s.disconnect();
  }
}

test(`fuzz: ${MESSAGES} bad messages; no crash, every ack an error Ack, control room unaffected, memory flat (seed ${SEED})`, async () => {
  console.log(`fuzz seed ${SEED} (FUZZ_SEED=${SEED} replays this run)`);
  const started = Date.now();
  const f = new Fuzz(SEED);
  const control = { a: await client(t), b: await client(t) };
  const ann = await joinWithTransports(control.a, 'control', 'Ann', true);
  const bob = await joinWithTransports(control.b, 'control', 'Bob');
  const camera = await call(control.a, 'produce', { transportId: ann.send.id, kind: 'video', source: 'camera', rtpParameters: vp8SimulcastParameters(7000) });

  const tally: Tally = { sent: {}, codes: {}, unanswered: 0, bad: [] };
  // A short warm-up first, so lazily created structures (schemas, codecs) are not counted as growth.
  await runHalf(f, 500, tally);
  const heap0 = heapMb();
  await runHalf(f, MESSAGES / 2, tally);
  const heap1 = heapMb();
  await runHalf(f, MESSAGES / 2, tally);
  const heap2 = heapMb();

  const total = Object.values(tally.sent).reduce((a, b) => a + b, 0);
  console.log(JSON.stringify({ seed: SEED, total, seconds: (Date.now() - started) / 1000, sent: tally.sent, answers: tally.codes, unanswered: tally.unanswered, heapMb: { afterWarmup: heap0.toFixed(1), firstHalf: heap1.toFixed(1), secondHalf: heap2.toFixed(1) } }, null, 1));
  assert.deepEqual(tally.bad.slice(0, 20), []);
  assert.equal(tally.unanswered, 0, 'every message with an ack was answered');
  assert.ok(total >= 10_000, `sent ${total}`);
  assert.ok(heap2 - heap1 < 20, `heap grew ${(heap2 - heap1).toFixed(1)} MB between the halves`);

  // Nothing of the fuzzers is left once they are gone; the control room is exactly as it was.
  const health = await httpProbe(t.url, { method: 'GET', path: '/healthz' });
  assert.equal(health.status, 200);
  assert.deepEqual((JSON.parse(health.body) as { rooms: number; peers: number }), { ...JSON.parse(health.body), rooms: 1, peers: 2 });
  assert.ok(control.a.connected && control.b.connected);
  const consumer = await call(control.b, 'consume', { transportId: bob.recv.id, producerId: camera.producerId, rtpCapabilities: browserRtpCapabilities });
  await call(control.b, 'resumeConsumer', { consumerId: consumer.consumerId });
  const c = await client(t);
  const carl = await joinWithTransports(c, 'control', 'Carl');
  const mic = await call(c, 'produce', { transportId: carl.send.id, kind: 'audio', source: 'mic', rtpParameters: opusParameters(7100) });
  await call(control.a, 'consume', { transportId: ann.recv.id, producerId: mic.producerId, rtpCapabilities: browserRtpCapabilities });
});
