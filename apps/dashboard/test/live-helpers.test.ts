import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connectErrorStatus } from '../src/lib/live/connection-errors.ts';
import { createFrameScheduler } from '../src/lib/live/frame-scheduler.ts';
import { consentState } from '../src/lib/live/consent.ts';

test('auth refusals are final errors that say what to do; network errors keep connecting', () => {
  const unauth = connectErrorStatus({ message: 'invalid or expired key', data: { code: 'UNAUTHORIZED' } }, false, 'http://a:4100');
  assert.equal(unauth.state, 'error');
  assert.match((unauth as { message: string }).message, /facilitator link/);
  const forbidden = connectErrorStatus({ message: 'participant token', data: { code: 'FORBIDDEN' } }, false, 'http://a:4100');
  assert.deepEqual([forbidden.state, (forbidden as { code: string }).code], ['error', 'FORBIDDEN']);
  const net = connectErrorStatus({ message: 'websocket error' }, true, 'http://a:4100');
  assert.equal(net.state, 'connecting');
  assert.match((net as { message: string }).message, /http:\/\/a:4100.*retrying/);
});

test('the frame scheduler runs each key once per frame, with its latest job', () => {
  const frames: (() => void)[] = [];
  const s = createFrameScheduler((cb) => frames.push(cb), () => undefined);
  const ran: string[] = [];
  s.schedule('a', () => ran.push('a1'));
  s.schedule('a', () => ran.push('a2'));
  s.schedule('b', () => ran.push('b1'));
  assert.equal(frames.length, 1, 'one rAF request for any number of jobs');
  frames.shift()!();
  assert.deepEqual(ran, ['a2', 'b1']);
  s.schedule('a', () => ran.push('a3'));
  s.cancel('a');
  frames.shift()!();
  assert.deepEqual(ran, ['a2', 'b1']);
});

test('consent states', () => {
  assert.equal(consentState(true, true), 'on');
  assert.equal(consentState(false, false), 'declined');
  assert.equal(consentState(false, true), 'withdrawn');
});

import { signed, summarizeAnalyzer, valenceWords } from '../src/lib/live/format.ts';

test('analyzer summary: mean per-person fps, median latency, load words', () => {
  const s = summarizeAnalyzer({
    sessionId: 'sess_0123456789abcdef', t: 0, effectiveFps: 5, strideMs: 1000, loadLevel: 1, overloaded: false, inferenceQueueDepth: 0,
    participants: [
      { participantId: 'a', analysedFps: 4, droppedFrames: 0, latencyP50Ms: 100, latencyP95Ms: 200 },
      { participantId: 'b', analysedFps: 5, droppedFrames: 0, latencyP50Ms: 300, latencyP95Ms: 400 },
      { participantId: 'c', analysedFps: 6, droppedFrames: 0, latencyP50Ms: null, latencyP95Ms: null },
    ],
  });
  assert.deepEqual(s, { effectiveFps: 5, perPersonFps: 5, latencyP50Ms: 200, load: 'reduced (level 1)' });
  assert.equal(signed(0.14), '+0.14');
  assert.equal(signed(-0.001), '0.00');
  assert.equal(valenceWords(-0.4), 'unpleasant');
});

test('a per-frame budget spreads jobs over frames, oldest first, without starving anyone', () => {
  const frames: (() => void)[] = [];
  const s = createFrameScheduler((cb) => frames.push(cb), () => undefined, { maxJobsPerFrame: 2 });
  const ran: string[] = [];
  for (const k of ['a', 'b', 'c']) s.schedule(k, () => ran.push(k));
  frames.shift()!();
  assert.deepEqual(ran, ['a', 'b']);
  s.schedule('a', () => ran.push('a'));
  assert.equal(frames.length, 1, 'the leftover already asked for the next frame');
  frames.shift()!();
  assert.deepEqual(ran, ['a', 'b', 'c', 'a'], '"c" waited longest, so it goes first');
  assert.equal(frames.length, 0);
});
