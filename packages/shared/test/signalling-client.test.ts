import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSignallingClient, SignallingError, type SignallingSocketLike } from '../src/index.ts';

/** A fake socket.io socket: records emits, lets the test answer acks and push server events. */
function fakeSocket() {
  const emitted: { event: string; args: unknown[] }[] = [];
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const socket: SignallingSocketLike = {
    emit(event, ...args) {
      emitted.push({ event, args });
      return socket;
    },
    on(event, listener) {
      if (!listeners.has(event)) listeners.set(event, new Set());
      listeners.get(event)!.add(listener as (payload: unknown) => void);
      return socket;
    },
    off(event, listener) {
      listeners.get(event)?.delete(listener as (payload: unknown) => void);
      return socket;
    },
  };
  const lastAck = () => {
    const args = emitted.at(-1)!.args;
    return args.at(-1) as (response: unknown) => void;
  };
  const push = (event: string, payload: unknown) => listeners.get(event)?.forEach((l) => l(payload));
  return { socket, emitted, lastAck, push, listeners };
}

test('request sends the parsed payload and resolves with the ack data', async () => {
  const f = fakeSocket();
  const client = createSignallingClient(f.socket);
  const pending = client.request('join', { roomId: 'demo', displayName: '  Ada ' });
  assert.equal(f.emitted[0]!.event, 'join');
  assert.deepEqual(f.emitted[0]!.args[0], { roomId: 'demo', displayName: 'Ada', analysisConsent: false });
  const data = { peerId: 'p1', roomId: 'demo', routerRtpCapabilities: { codecs: [] }, peers: [] };
  f.lastAck()({ ok: true, data });
  // An SFU that says nothing about sessions means a plain call, nobody analysed.
  assert.deepEqual(await pending, { ...data, session: null, analysisConsent: false });
});

test('request with no payload emits only the ack callback', async () => {
  const f = fakeSocket();
  const client = createSignallingClient(f.socket);
  const pending = client.request('leave');
  assert.equal(f.emitted[0]!.args.length, 1);
  f.lastAck()({ ok: true, data: {} });
  assert.deepEqual(await pending, {});
});

test('an invalid request is rejected locally and never sent', async () => {
  const f = fakeSocket();
  const client = createSignallingClient(f.socket);
  await assert.rejects(
    client.request('join', { roomId: '../etc', displayName: 'x' }),
    (e: unknown) => e instanceof SignallingError && e.code === 'BAD_REQUEST' && e.issues?.[0]?.path === 'roomId',
  );
  await assert.rejects(client.request('produce', { transportId: 't' } as never), /BAD_REQUEST/);
  assert.equal(f.emitted.length, 0);
});

test('an error ack rejects with the SFU code, message and issues', async () => {
  const f = fakeSocket();
  const client = createSignallingClient(f.socket);
  const pending = client.request('resumeConsumer', { consumerId: 'c1' });
  f.lastAck()({ ok: false, error: { code: 'NOT_FOUND', message: 'consumer not found', issues: [] } });
  await assert.rejects(pending, (e: unknown) => {
    assert.ok(e instanceof SignallingError);
    assert.equal(e.code, 'NOT_FOUND');
    assert.equal(e.event, 'resumeConsumer');
    assert.match(e.message, /consumer not found/);
    return true;
  });
});

test('a malformed ack rejects with PROTOCOL instead of passing bad data on', async () => {
  const f = fakeSocket();
  const client = createSignallingClient(f.socket);
  const pending = client.request('produce', {
    transportId: 't1',
    kind: 'audio',
    source: 'mic',
    rtpParameters: { codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000 }] },
  });
  f.lastAck()({ ok: true, data: { producerId: 42 } });
  await assert.rejects(pending, (e: unknown) => e instanceof SignallingError && e.code === 'PROTOCOL');
  const second = client.request('leave');
  f.lastAck()('garbage');
  await assert.rejects(second, /PROTOCOL/);
});

test('no ack within the timeout rejects with TIMEOUT; a late ack is ignored', async () => {
  const f = fakeSocket();
  const client = createSignallingClient(f.socket, { timeoutMs: 20 });
  const pending = client.request('leave');
  await assert.rejects(pending, (e: unknown) => e instanceof SignallingError && e.code === 'TIMEOUT');
  f.lastAck()({ ok: true, data: {} }); // must not throw
});

test('on() delivers valid server events, drops invalid ones, and unsubscribes', () => {
  const f = fakeSocket();
  const invalid: string[] = [];
  const client = createSignallingClient(f.socket, { onInvalidEvent: (event) => invalid.push(event) });
  const got: unknown[] = [];
  const off = client.on('peerJoined', (p) => got.push(p));
  f.push('peerJoined', { peerId: 'p2', displayName: 'Bo' });
  f.push('peerJoined', { peerId: 7 });
  f.push('peerJoined', null);
  assert.deepEqual(got, [{ peerId: 'p2', displayName: 'Bo' }]);
  assert.deepEqual(invalid, ['peerJoined', 'peerJoined']);
  off();
  f.push('peerJoined', { peerId: 'p3', displayName: 'Cy' });
  assert.equal(got.length, 1);
  assert.equal(f.listeners.get('peerJoined')!.size, 0);
});
