import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { connect, type Socket } from 'socket.io-client';
import { call, collect, joinWithTransports, nextEvent, request, startSfu, waitFor, type TestSfu } from './helpers.ts';

/**
 * Rate and abuse limits against a real SFU: what a flooding or probing client is told, and that
 * the participants it shares a room (or an address) with keep their call.
 */
const LIMITS_ENV = {
  SFU_MAX_MESSAGES_PER_SECOND: '20',
  SFU_MESSAGE_BURST: '40',
  SFU_MAX_RATE_VIOLATIONS_PER_MINUTE: '30',
  SFU_MAX_JOIN_ATTEMPTS_PER_MINUTE: '5',
  SFU_MAX_JOIN_ATTEMPTS_PER_IP_PER_MINUTE: '8',
  SFU_MAX_CONNECTIONS_PER_IP: '6',
};

/** A participant connection from a chosen loopback source address (the whole of 127/8 is local). */
async function clientFrom(t: TestSfu, localAddress: string): Promise<Socket> {
  const socket = connect(t.url, { transports: ['websocket'], forceNew: true, reconnection: false, localAddress } as Parameters<typeof connect>[1]);
  t.clients.push(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return socket;
}

/** Connects from `localAddress` once the server has given back a slot there (disconnects are async). */
async function clientWhenFree(t: TestSfu, localAddress: string): Promise<Socket> {
  let socket: Socket | undefined;
  await waitFor(async () => {
    socket = await clientFrom(t, localAddress).catch(() => undefined);
    return socket !== undefined;
  }, `a free connection slot for ${localAddress}`);
  return socket!;
}

/** Tries to connect and returns the refusal the server sent (throws if it connected). */
async function refusedConnect(t: TestSfu, localAddress?: string): Promise<Error & { data?: unknown }> {
  const socket = connect(t.url, { transports: ['websocket'], forceNew: true, reconnection: false, ...(localAddress ? { localAddress } : {}) } as Parameters<typeof connect>[1]);
  t.clients.push(socket);
  return await new Promise((resolve, reject) => {
    socket.once('connect', () => reject(new Error('connected, expected a refusal')));
    socket.once('connect_error', (error) => {
      socket.close();
      resolve(error);
    });
  });
}

describe('limits against a real SFU', () => {
  let t: TestSfu;
  before(async () => {
    t = await startSfu(LIMITS_ENV);
  });
  after(() => t?.close());

  test('a flooding participant is told LIMIT, then disconnected; the others in its room keep their call', async () => {
    const ann = await clientFrom(t, '127.0.0.11');
    const bob = await clientFrom(t, '127.0.0.12');
    const flooder = await clientFrom(t, '127.0.0.13');
    const annCall = await joinWithTransports(ann, 'flood-room', 'Ann', false, null);
    await joinWithTransports(bob, 'flood-room', 'Bob', false, null);
    const flooderJoin = await call(flooder, 'join', { roomId: 'flood-room', displayName: 'Flooder' });
    const annSeesLeave = collect<{ peerId: string }>(ann, 'peerLeft');

    const disconnected = nextEvent<string>(flooder, 'disconnect', 10_000);
    const answers: unknown[] = [];
    for (let i = 0; i < 200 && flooder.connected; i++) {
      flooder.emit('restartIce', { transportId: 'no-such-transport' }, (ack: unknown) => answers.push(ack));
    }
    assert.equal(await disconnected, 'io server disconnect', 'the server closed the connection');
    const limited = answers.filter((a) => (a as { ok: boolean; error?: { code: string } }).error?.code === 'LIMIT') as { error: { message: string } }[];
    assert.ok(limited.length > 0, 'refused messages were answered before the disconnect');
    assert.match(limited[0]!.error.message, /too many messages \(more than 20\/s\): slow down and retry in \d+ ms/);

    await waitFor(() => annSeesLeave.some((e) => e.peerId === flooderJoin.peerId), 'the room announces the flooder left');
    // Ann's call is untouched: her transports still answer, and a newcomer finds Ann and Bob.
    const restarted = await call(ann, 'restartIce', { transportId: annCall.send.id });
    assert.ok(restarted.iceParameters);
    const carol = await clientFrom(t, '127.0.0.14');
    const carolJoin = await call(carol, 'join', { roomId: 'flood-room', displayName: 'Carol' });
    assert.deepEqual(carolJoin.peers.map((p) => p.displayName).sort(), ['Ann', 'Bob']);
    for (const s of [ann, bob, carol]) s.disconnect();
  });

  test('join attempts: per connection, then per address over reconnects; other addresses unaffected', async () => {
    const probe = (s: Socket, i: number) => request(s, 'join', { roomId: `probe-${i}`, displayName: 'Probe', invite: 'not-an-invite' });
    const first = await clientFrom(t, '127.0.0.21');
    for (let i = 0; i < 5; i++) {
      const answer = await probe(first, i);
      assert.equal(!answer.ok && answer.error.code, 'FORBIDDEN', 'a bad invite is refused on its merits');
    }
    const sixth = await probe(first, 5);
    assert.equal(!sixth.ok && sixth.error.code, 'LIMIT');
    assert.match(!sixth.ok ? sixth.error.message : '', /too many join attempts \(more than 5 a minute\)/);
    first.disconnect();

    // Reconnecting buys a fresh per-connection budget but not a fresh address budget (8 a minute).
    const second = await clientFrom(t, '127.0.0.21');
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await probe(second, 10 + i));
    assert.deepEqual(answers.map((a) => (a.ok ? 'ok' : a.error.code)), ['FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN', 'LIMIT']);
    assert.match(!answers[3]!.ok ? answers[3]!.error.message : '', /from your network address .*reconnecting does not reset this\): retry in \d+ s/);

    const elsewhere = await clientFrom(t, '127.0.0.22');
    const joined = await call(elsewhere, 'join', { roomId: 'probe-ok', displayName: 'Elsewhere' });
    assert.ok(joined.peerId, 'another address joins normally');
    for (const s of [second, elsewhere]) s.disconnect();
  });

  test('connections per address: the next one is refused with a clear reason; closing one frees a slot', async () => {
    const sockets: Socket[] = [];
    for (let i = 0; i < 6; i++) sockets.push(await clientFrom(t, '127.0.0.31'));
    const refusal = await refusedConnect(t, '127.0.0.31');
    assert.match(refusal.message, /too many connections from your network address \(6 open, the most allowed at once\)/);
    assert.deepEqual(refusal.data, { code: 'LIMIT' });

    // The refused address's open connections still work, and another address is not affected.
    const joined = await call(sockets[0]!, 'join', { roomId: 'crowded', displayName: 'One of six' });
    assert.ok(joined.peerId);
    const other = await clientFrom(t, '127.0.0.32');
    assert.ok(other.connected);

    sockets[1]!.disconnect();
    sockets.push(await clientWhenFree(t, '127.0.0.31'));
    for (const s of [...sockets, other]) s.disconnect();
  });

  test('slots are given back: after everyone leaves, an address can open its full allowance again', async () => {
    const sockets: Socket[] = [];
    for (let i = 0; i < 6; i++) sockets.push(await clientWhenFree(t, '127.0.0.31'));
    await refusedConnect(t, '127.0.0.31');
    for (const s of sockets) s.disconnect();
  });
});
