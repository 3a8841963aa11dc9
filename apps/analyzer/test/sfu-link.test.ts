import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { firstValueFrom, filter } from 'rxjs';
import type { AnalysableCamera } from '@moodroom/shared';
// The real SFU, in process, with the test helpers apps/sfu's own tests use.
import {
  TEST_ANALYZER_TOKEN,
  analyzerRtpCapabilities as sfuTestCapabilities,
  call,
  client,
  dtlsParameters as sfuTestDtlsParameters,
  joinWithTransports,
  startSfu,
  vp8SimulcastParameters,
  waitFor,
  type TestSfu,
} from '../../sfu/test/helpers.ts';
import {
  applyChange,
  applySnapshot,
  cameraSignalling,
  connectToSfu,
  dropAll,
  SfuRequestError,
  type CameraChange,
  type DtlsParameters,
  type RtpCapabilities,
  type SfuLink,
} from '../src/sfu-link/index.ts';

// What mediasoup-client on node-webrtc would hand the link (VP8/VP9 receive capabilities, a DTLS fingerprint).
const analyzerRtpCapabilities = sfuTestCapabilities as RtpCapabilities;
const dtlsParameters = sfuTestDtlsParameters as DtlsParameters;

const cam = (producerId: string, peerId = `peer-${producerId}`): AnalysableCamera => ({ roomId: 'r', peerId, producerId });

describe('sfu-link camera set (pure)', () => {
  test('a snapshot replaces the set: removals for what is gone, adds for what is new', () => {
    const current = new Map([['a', cam('a')], ['b', cam('b')]]);
    const { next, changes } = applySnapshot(current, [cam('b'), cam('c')]);
    assert.deepEqual([...next.keys()], ['b', 'c']);
    assert.deepEqual(changes, [
      { type: 'remove', camera: cam('a'), reason: 'resync' },
      { type: 'add', camera: cam('c') },
    ]);
  });

  test('live changes apply once; repeats and unknown removals change nothing', () => {
    const empty = new Map<string, AnalysableCamera>();
    const added = applyChange(empty, { type: 'add', camera: cam('a') });
    assert.equal(added.changes.length, 1);
    assert.deepEqual(applyChange(added.next, { type: 'add', camera: cam('a') }).changes, []);
    assert.deepEqual(applyChange(empty, { type: 'remove', camera: cam('x'), reason: 'left' }).changes, []);
    const removed = applyChange(added.next, { type: 'remove', camera: cam('a'), reason: 'consent-withdrawn' });
    assert.equal(removed.next.size, 0);
    assert.deepEqual(removed.changes, [{ type: 'remove', camera: cam('a'), reason: 'consent-withdrawn' }]);
    assert.equal(added.next.size, 1, 'inputs are not mutated');
  });

  test('a lost connection removes every camera', () => {
    const { next, changes } = dropAll(new Map([['a', cam('a')]]));
    assert.equal(next.size, 0);
    assert.deepEqual(changes, [{ type: 'remove', camera: cam('a'), reason: 'sfu-disconnected' }]);
  });
});

describe('sfu-link against a real SFU', () => {
  let t: TestSfu;
  const links: SfuLink[] = [];
  const link = (options: Partial<Parameters<typeof connectToSfu>[0]> = {}) => {
    const l = connectToSfu({ url: t.url, token: TEST_ANALYZER_TOKEN, reconnectDelayMs: 50, refusedRetryMs: 100, ...options });
    links.push(l);
    return l;
  };
  const record = (l: SfuLink) => {
    const seen: CameraChange[] = [];
    l.cameras$.subscribe((c) => seen.push(c));
    return seen;
  };
  before(async () => {
    t = await startSfu({ ANALYZER_SERVICE_TOKEN: TEST_ANALYZER_TOKEN });
  });
  after(async () => {
    for (const l of links) l.close();
    await t.close();
  });

  test('snapshot then live add/remove as participants consent, pause, withdraw and leave', async () => {
    const roomId = 'link-room';
    const a = await client(t);
    const ann = await joinWithTransports(a, roomId, 'Ann', true);
    const annCam = await call(a, 'produce', { transportId: ann.send.id, kind: 'video', source: 'camera', rtpParameters: vp8SimulcastParameters(1000) });
    const annCamera = { roomId, peerId: ann.joined.peerId, producerId: annCam.producerId };

    const l = link();
    await l.synced();
    assert.deepEqual(l.cameras(), [annCamera]);
    const seen = record(l);
    assert.deepEqual(seen, [{ type: 'add', camera: annCamera }], 'a new subscriber first gets the current set');

    const b = await client(t);
    const bob = await joinWithTransports(b, roomId, 'Bob', false);
    const bobCam = await call(b, 'produce', { transportId: bob.send.id, kind: 'video', source: 'camera', rtpParameters: vp8SimulcastParameters(2000) });
    const bobCamera = { roomId, peerId: bob.joined.peerId, producerId: bobCam.producerId };
    await call(a, 'pauseProducer', { producerId: annCam.producerId });
    await call(b, 'setAnalysisConsent', { analysisConsent: true });
    await call(a, 'resumeProducer', { producerId: annCam.producerId });
    await call(b, 'setAnalysisConsent', { analysisConsent: false });
    a.disconnect();
    await waitFor(() => seen.length === 6, 'five changes');
    assert.deepEqual(seen.slice(1), [
      { type: 'remove', camera: annCamera, reason: 'camera-off' },
      { type: 'add', camera: bobCamera },
      { type: 'add', camera: annCamera },
      { type: 'remove', camera: bobCamera, reason: 'consent-withdrawn' },
      { type: 'remove', camera: annCamera, reason: 'left' },
    ]);
    assert.deepEqual(l.cameras(), []);
    b.disconnect();
    l.close();
  });

  test('request helpers drive the consume flow; FORBIDDEN and closures surface as typed errors and events', async () => {
    const roomId = 'link-consume';
    const a = await client(t);
    const b = await client(t);
    const ann = await joinWithTransports(a, roomId, 'Ann', true);
    const bob = await joinWithTransports(b, roomId, 'Bob', false);
    const annCam = await call(a, 'produce', { transportId: ann.send.id, kind: 'video', source: 'camera', rtpParameters: vp8SimulcastParameters(3000) });
    const bobCam = await call(b, 'produce', { transportId: bob.send.id, kind: 'video', source: 'camera', rtpParameters: vp8SimulcastParameters(3100) });
    const l = link();
    await l.synced();
    const [camera] = l.cameras();
    assert.ok(camera);

    const caps = await l.getRouterRtpCapabilities(roomId);
    assert.ok(caps.codecs?.some((c) => c.mimeType === 'video/VP8'));
    const transport = await l.createConsumerTransport(roomId);
    await l.connectConsumerTransport(transport.id, dtlsParameters);
    const consumer = await l.consume({ transportId: transport.id, producerId: camera.producerId, rtpCapabilities: analyzerRtpCapabilities });
    assert.equal(consumer.paused, true);
    assert.deepEqual(consumer.preferredLayers, { spatialLayer: 1 });
    await l.resumeConsumer(consumer.consumerId);
    await l.requestKeyFrame(consumer.consumerId);
    await l.setPreferredLayers(consumer.consumerId, { spatialLayer: 0 });

    const forbidden = await l.consume({ transportId: transport.id, producerId: bobCam.producerId, rtpCapabilities: analyzerRtpCapabilities }).catch((e: unknown) => e);
    assert.ok(forbidden instanceof SfuRequestError);
    assert.equal(forbidden.code, 'FORBIDDEN');
    const local = await l.request('consume', { transportId: '', producerId: 'x', rtpCapabilities: {} }).catch((e: unknown) => e);
    assert.ok(local instanceof SfuRequestError && local.code === 'BAD_REQUEST', 'checked before sending');

    const closed = firstValueFrom(l.consumerClosed$);
    await call(a, 'setAnalysisConsent', { analysisConsent: false });
    assert.deepEqual(await closed, { consumerId: consumer.consumerId, producerId: annCam.producerId, roomId, reason: 'consent-withdrawn' });
    assert.equal(await l.closeConsumer(consumer.consumerId), false, 'the SFU already closed it');
    assert.equal(await l.closeTransport(transport.id), true);
    assert.equal(await l.closeTransport(transport.id), false);
    for (const s of [a, b]) s.disconnect();
    l.close();
  });

  test('cameraSignalling binds the calls a receiver makes to one camera', async () => {
    const roomId = 'link-receiver';
    const a = await client(t);
    const ann = await joinWithTransports(a, roomId, 'Ann', true);
    await call(a, 'produce', { transportId: ann.send.id, kind: 'video', source: 'camera', rtpParameters: vp8SimulcastParameters(4000) });
    const l = link();
    await l.synced();
    const signalling = await cameraSignalling(l, l.cameras()[0]!, { preferredLayers: { spatialLayer: 2 } });
    assert.deepEqual(signalling.routerRtpCapabilities, t.sfu.registry.get(roomId)?.router.rtpCapabilities);
    const transport = await signalling.createTransport();
    await signalling.connectTransport({ transportId: transport.id, dtlsParameters });
    const consumer = await signalling.consume({ transportId: transport.id, rtpCapabilities: analyzerRtpCapabilities });
    assert.equal(consumer.kind, 'video');
    assert.deepEqual(signalling.lastConsume?.preferredLayers, { spatialLayer: 2 });
    await signalling.resumeConsumer({ consumerId: consumer.id });
    const [session] = t.sfu.analyzerLink.sessions;
    assert.equal(session?.consumersOf(consumer.producerId)[0]?.paused, false);
    await signalling.closeTransport({ transportId: transport.id });
    assert.equal(session?.transportCount, 0);
    l.close();
    await signalling.closeTransport({ transportId: transport.id }); // disconnected: nothing to do, no error
    a.disconnect();
  });

  test('a wrong token: refused state with what to do, and synced() rejects', async () => {
    const l = link({ token: 'not-the-token-not-the-token' });
    const refused = await firstValueFrom(l.state$.pipe(filter((s) => s.status === 'refused')));
    assert.equal(refused.status === 'refused' && refused.code, 'FORBIDDEN');
    assert.match(refused.status === 'refused' ? refused.message : '', /ANALYZER_SERVICE_TOKEN/);
    await assert.rejects(l.synced(300), /not synced.*refused/);
    l.close();
  });

  test('after the SFU drops the link: cameras removed, then re-added by the fresh snapshot', async () => {
    const roomId = 'link-kick';
    const a = await client(t);
    const ann = await joinWithTransports(a, roomId, 'Ann', true);
    const annCam = await call(a, 'produce', { transportId: ann.send.id, kind: 'video', source: 'camera', rtpParameters: vp8SimulcastParameters(5000) });
    const annCamera = { roomId, peerId: ann.joined.peerId, producerId: annCam.producerId };
    const l = link();
    await l.synced();
    const seen = record(l);
    t.sfu.io.of('/analyzer').disconnectSockets(true);
    await waitFor(() => seen.length === 3, 'remove and re-add');
    assert.deepEqual(seen, [
      { type: 'add', camera: annCamera },
      { type: 'remove', camera: annCamera, reason: 'sfu-disconnected' },
      { type: 'add', camera: annCamera },
    ]);
    await l.synced();
    a.disconnect();
    l.close();
  });
});

test('sfu-link resyncs with a restarted SFU on the same address', async () => {
  const first = await startSfu({ ANALYZER_SERVICE_TOKEN: TEST_ANALYZER_TOKEN });
  const port = new URL(first.url).port;
  let second: TestSfu | undefined;
  const l = connectToSfu({ url: first.url, token: TEST_ANALYZER_TOKEN, reconnectDelayMs: 50 });
  try {
    const a = await client(first);
    const ann = await joinWithTransports(a, 'restart-room', 'Ann', true);
    const oldCam = await call(a, 'produce', { transportId: ann.send.id, kind: 'video', source: 'camera', rtpParameters: vp8SimulcastParameters(6000) });
    await l.synced();
    const seen: CameraChange[] = [];
    l.cameras$.subscribe((c) => seen.push(c));
    await first.close();
    await waitFor(() => seen.length === 2, 'the camera to be dropped');
    const dropped = seen[1];
    assert.equal(dropped?.type, 'remove');
    assert.deepEqual(dropped.camera, { roomId: 'restart-room', peerId: ann.joined.peerId, producerId: oldCam.producerId });
    // Whichever the link hears first: Ann's socket closing, the SFU's rooms closing, or the link dropping.
    assert.ok(['left', 'room-closed', 'sfu-disconnected'].includes(dropped.reason), dropped.reason);

    second = await startSfu({ ANALYZER_SERVICE_TOKEN: TEST_ANALYZER_TOKEN, SFU_PORT: port });
    const b = await client(second);
    const bob = await joinWithTransports(b, 'restart-room', 'Bob', true);
    const newCam = await call(b, 'produce', { transportId: bob.send.id, kind: 'video', source: 'camera', rtpParameters: vp8SimulcastParameters(6100) });
    await waitFor(() => l.cameras().length === 1, 'the link to reconnect and resync', 10_000);
    assert.deepEqual(l.cameras(), [{ roomId: 'restart-room', peerId: bob.joined.peerId, producerId: newCam.producerId }]);
    assert.deepEqual(seen.at(-1), { type: 'add', camera: l.cameras()[0] });
  } finally {
    l.close();
    await first.close();
    await second?.close();
  }
});
