import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, test } from 'node:test';
import { WORKER_DIED_REASON } from '../src/room-registry.ts';
import { browserRtpCapabilities, call, client, joinWithTransports, nextEvent, startSfu, vp8SimulcastParameters, waitFor, type TestSfu } from './helpers.ts';

let t: TestSfu;
before(async () => {
  t = await startSfu({ SFU_WORKERS: '2' });
});
after(() => t.close());

test('rooms spread over workers, least-loaded first', async () => {
  const a = await client(t);
  const b = await client(t);
  await call(a, 'join', { roomId: 'spread-1', displayName: 'Ann' });
  await call(b, 'join', { roomId: 'spread-2', displayName: 'Bob' });
  const pids = ['spread-1', 'spread-2'].map((id) => t.sfu.registry.get(id)?.router.appData['workerPid']);
  assert.equal(new Set(pids).size, 2, 'two rooms on two different workers');
  a.disconnect();
  b.disconnect();
  await waitFor(() => t.sfu.registry.size === 0, 'rooms to close');
});

test('a worker killed with SIGKILL is replaced; its room moves to a live worker and peers get roomReset', async (ctx) => {
  // An empty-room grace period, as in production: with 0 the room emptied by the reset may close
  // before the test looks at it (the roomReset and the close timer race across event-loop turns).
  const t = await startSfu({ SFU_WORKERS: '2', SFU_EMPTY_ROOM_GRACE_MS: '10000' });
  ctx.after(() => t.close());
  const a = await client(t);
  const b = await client(t);
  const ann = await joinWithTransports(a, 'doomed', 'Ann');
  await joinWithTransports(b, 'doomed', 'Bob');
  await call(a, 'produce', { transportId: ann.send.id, kind: 'video', source: 'camera', rtpParameters: vp8SimulcastParameters(7000) });
  const room = t.sfu.registry.get('doomed');
  assert.ok(room);
  const oldRouter = room.router;
  const doomedPid = oldRouter.appData['workerPid'] as number;

  const resetA = nextEvent(a, 'roomReset', 10_000);
  const resetB = nextEvent(b, 'roomReset', 10_000);
  const replaced = once(t.sfu.pool, 'workerReplaced');
  process.kill(doomedPid, 'SIGKILL');
  assert.deepEqual(await resetA, { roomId: 'doomed', reason: WORKER_DIED_REASON });
  assert.deepEqual(await resetB, { roomId: 'doomed', reason: WORKER_DIED_REASON });

  assert.equal(oldRouter.closed, true);
  const moved = t.sfu.registry.get('doomed');
  assert.equal(moved, room, 'same room, new router');
  assert.notEqual(room.router.id, oldRouter.id);
  assert.notEqual(room.router.appData['workerPid'], doomedPid);
  assert.equal(room.peers.size, 0, 'peers were evicted and must rejoin');

  const [{ deadPid, replacementPid }] = (await replaced) as [{ deadPid: number; replacementPid: number }];
  assert.equal(deadPid, doomedPid);
  assert.equal(t.sfu.pool.liveWorkers.length, 2);
  assert.ok(t.sfu.pool.liveWorkers.some((w) => w.pid === replacementPid));

  // Old session state is gone: requests now need a join; rejoining gets a working room.
  const stale = await a.timeout(5000).emitWithAck('createTransport', { direction: 'send' });
  assert.equal(stale.error?.code, 'NOT_JOINED');
  const ann2 = await joinWithTransports(a, 'doomed', 'Ann');
  const bob2 = await joinWithTransports(b, 'doomed', 'Bob');
  assert.deepEqual(ann2.joined.routerRtpCapabilities, room.router.rtpCapabilities);
  const video = await call(a, 'produce', { transportId: ann2.send.id, kind: 'video', source: 'camera', rtpParameters: vp8SimulcastParameters(7100) });
  const consumer = await call(b, 'consume', { transportId: bob2.recv.id, producerId: video.producerId, rtpCapabilities: browserRtpCapabilities });
  assert.equal(consumer.paused, true);
  const health = (await (await fetch(`${t.url}/healthz`)).json()) as { workers: { live: number } };
  assert.equal(health.workers.live, 2);
  a.disconnect();
  b.disconnect();
});
