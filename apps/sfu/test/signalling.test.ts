import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { AnalysisCamera } from '../src/analysis-feed.ts';
import {
  browserRtpCapabilities,
  call,
  client,
  collect,
  dtlsParameters,
  joinWithTransports,
  nextEvent,
  opusParameters,
  request,
  startSfu,
  vp8SimulcastParameters,
  waitFor,
  type TestSfu,
} from './helpers.ts';

describe('signalling against a real SFU', () => {
  let t: TestSfu;
  before(async () => {
    t = await startSfu({ SFU_MAX_PEERS_PER_ROOM: '3' });
  });
  after(() => t.close());

  test('join returns router capabilities (opus, VP8, VP9, never H264) and the peers already there', async () => {
    const a = await client(t);
    const b = await client(t);
    const joinedA = await call(a, 'join', { roomId: 'join-room', displayName: '  Ann  ' });
    assert.deepEqual(joinedA.peers, []);
    const mimeTypes = (joinedA.routerRtpCapabilities.codecs ?? []).map((c) => c.mimeType);
    for (const m of ['audio/opus', 'video/VP8', 'video/VP9']) assert.ok(mimeTypes.includes(m), m);
    assert.ok(!mimeTypes.some((m) => /h264/i.test(m)), 'H264 must not be offered');

    const peerJoined = nextEvent<{ peerId: string; displayName: string }>(a, 'peerJoined');
    const joinedB = await call(b, 'join', { roomId: 'join-room', displayName: 'Bob' });
    assert.deepEqual(joinedB.peers, [{ peerId: joinedA.peerId, displayName: 'Ann', producers: [] }]);
    assert.deepEqual(await peerJoined, { peerId: joinedB.peerId, displayName: 'Bob' });
    a.disconnect();
    b.disconnect();
  });

  test('produce → newProducer → consume (paused) → resume; pause/resume and close are announced', async () => {
    const a = await client(t);
    const b = await client(t);
    const ann = await joinWithTransports(a, 'media-room', 'Ann');
    const bob = await joinWithTransports(b, 'media-room', 'Bob');

    const newProducers = collect<{ producerId: string; kind: string; source: string; peerId: string }>(b, 'newProducer');
    const video = await call(a, 'produce', { transportId: ann.send.id, kind: 'video', source: 'camera', rtpParameters: vp8SimulcastParameters(1000) });
    const audio = await call(a, 'produce', { transportId: ann.send.id, kind: 'audio', source: 'mic', rtpParameters: opusParameters(2000) });
    await waitFor(() => newProducers.length === 2, 'two newProducer events');
    assert.deepEqual(
      newProducers.map((p) => [p.producerId, p.kind, p.source, p.peerId]),
      [
        [video.producerId, 'video', 'camera', ann.joined.peerId],
        [audio.producerId, 'audio', 'mic', ann.joined.peerId],
      ],
    );

    const consumer = await call(b, 'consume', { transportId: bob.recv.id, producerId: video.producerId, rtpCapabilities: browserRtpCapabilities });
    assert.equal(consumer.paused, true);
    assert.equal(consumer.kind, 'video');
    assert.equal(consumer.source, 'camera');
    assert.equal(consumer.peerId, ann.joined.peerId);
    assert.equal(consumer.rtpParameters.codecs[0]?.mimeType, 'video/VP8');
    const serverConsumer = findConsumer(t, consumer.consumerId);
    assert.equal(serverConsumer.paused, true);
    assert.equal(serverConsumer.type, 'simulcast');
    await call(b, 'resumeConsumer', { consumerId: consumer.consumerId });
    assert.equal(serverConsumer.paused, false);
    await call(b, 'setPreferredLayers', { consumerId: consumer.consumerId, spatialLayer: 0, temporalLayer: 0 });
    assert.deepEqual(serverConsumer.preferredLayers, { spatialLayer: 0, temporalLayer: 0 });

    const audioConsumer = await call(b, 'consume', { transportId: bob.recv.id, producerId: audio.producerId, rtpCapabilities: browserRtpCapabilities });
    const layers = await request(b, 'setPreferredLayers', { consumerId: audioConsumer.consumerId, spatialLayer: 1 });
    assert.equal(!layers.ok && layers.error.code, 'BAD_REQUEST', 'a single-layer consumer has no layers to prefer');

    const paused = nextEvent(b, 'producerPaused');
    await call(a, 'pauseProducer', { producerId: video.producerId });
    assert.deepEqual(await paused, { peerId: ann.joined.peerId, producerId: video.producerId });
    const resumed = nextEvent(b, 'producerResumed');
    await call(a, 'resumeProducer', { producerId: video.producerId });
    assert.deepEqual(await resumed, { peerId: ann.joined.peerId, producerId: video.producerId });

    const producerClosed = nextEvent(b, 'producerClosed');
    const consumerClosed = nextEvent(b, 'consumerClosed');
    await call(a, 'closeProducer', { producerId: video.producerId });
    assert.deepEqual(await producerClosed, { peerId: ann.joined.peerId, producerId: video.producerId });
    assert.deepEqual(await consumerClosed, { consumerId: consumer.consumerId, producerId: video.producerId });
    assert.equal(serverConsumer.closed, true);

    // A late joiner sees the remaining producer in the join response.
    const c = await client(t);
    const carl = await call(c, 'join', { roomId: 'media-room', displayName: 'Carl' });
    const annSeen = carl.peers.find((p) => p.peerId === ann.joined.peerId);
    assert.deepEqual(annSeen?.producers.map((p) => p.producerId), [audio.producerId]);
    for (const s of [a, b, c]) s.disconnect();
  });

  test('restartIce returns fresh ICE credentials', async () => {
    const a = await client(t);
    const ann = await joinWithTransports(a, 'ice-room', 'Ann');
    const { iceParameters } = await call(a, 'restartIce', { transportId: ann.send.id });
    assert.notEqual(iceParameters['usernameFragment'], ann.send.iceParameters['usernameFragment']);
    a.disconnect();
  });

  // "connection lost": the TCP connection is destroyed under socket.io with no goodbye message (a
  // crashed tab, a dropped link that resets); the SFU must clean up just the same. A silent drop
  // without any TCP signal is found by socket.io's ping timeout and then takes this same path.
  for (const how of ['leave', 'disconnect', 'connection lost'] as const) {
    test(`${how}: others get producerClosed, consumerClosed, peerLeft; the server frees everything`, async () => {
      const roomId = `bye-${how.replace(' ', '-')}`;
      const a = await client(t);
      const b = await client(t);
      const ann = await joinWithTransports(a, roomId, 'Ann');
      const bob = await joinWithTransports(b, roomId, 'Bob');
      const video = await call(a, 'produce', { transportId: ann.send.id, kind: 'video', source: 'camera', rtpParameters: vp8SimulcastParameters(3000) });
      const consumer = await call(b, 'consume', { transportId: bob.recv.id, producerId: video.producerId, rtpCapabilities: browserRtpCapabilities });
      const room = t.sfu.registry.get(roomId);
      assert.ok(room);
      const router = room.router;
      assert.equal((await router.dump()).transportIds.length, 4);

      const producerClosed = nextEvent(b, 'producerClosed');
      const consumerClosed = nextEvent(b, 'consumerClosed');
      const peerLeft = nextEvent(b, 'peerLeft');
      if (how === 'leave') await call(a, 'leave');
      else if (how === 'disconnect') a.disconnect();
      else {
        a.io.reconnection(false);
        (a.io.engine as unknown as { transport: { ws: { _socket: { destroy(): void } } } }).transport.ws._socket.destroy();
      }
      assert.deepEqual(await producerClosed, { peerId: ann.joined.peerId, producerId: video.producerId });
      assert.deepEqual(await consumerClosed, { consumerId: consumer.consumerId, producerId: video.producerId });
      assert.deepEqual(await peerLeft, { peerId: ann.joined.peerId });
      assert.equal((await router.dump()).transportIds.length, 2, "only Bob's transports remain");

      // The last one out closes the room (grace period 0 in tests) and its router.
      await call(b, 'leave');
      await waitFor(() => t.sfu.registry.get(roomId) === undefined, 'the empty room to close');
      assert.equal(router.closed, true);
      for (const worker of t.sfu.pool.liveWorkers) assert.ok(!(await worker.dump()).routerIds.includes(router.id));
      if (how === 'leave') {
        // The socket is still connected and may join again.
        const again = await call(a, 'join', { roomId, displayName: 'Ann' });
        assert.notEqual(again.peerId, ann.joined.peerId);
      }
      a.disconnect();
      b.disconnect();
    });
  }

  test('bad messages get error acks with the right codes and the server keeps serving', async () => {
    const a = await client(t);
    const b = await client(t);

    const beforeJoin = await request(a, 'createTransport', { direction: 'send' });
    assert.equal(!beforeJoin.ok && beforeJoin.error.code, 'NOT_JOINED');

    const wrongTypes = await request(a, 'join', { roomId: 5, displayName: 'Ann' });
    assert.ok(!wrongTypes.ok);
    assert.equal(wrongTypes.error.code, 'BAD_REQUEST');
    assert.deepEqual(wrongTypes.error.issues?.map((i) => i.path), ['roomId']);
    const badRoom = await request(a, 'join', { roomId: '../etc', displayName: 'Ann' });
    assert.equal(!badRoom.ok && badRoom.error.code, 'BAD_REQUEST');
    const longName = await request(a, 'join', { roomId: 'ok', displayName: 'x'.repeat(65) });
    assert.equal(!longName.ok && longName.error.code, 'BAD_REQUEST');
    const notAnObject = await request(a, 'join', 'hello');
    assert.equal(!notAnObject.ok && notAnObject.error.code, 'BAD_REQUEST');

    // No ack callback: nothing to answer, nothing breaks.
    a.emit('join', { roomId: 'bad-room', displayName: 'Ann' });
    a.emit('createTransport');
    const unknown = (await a.timeout(5000).emitWithAck('teleport', {})) as { ok: boolean; error?: { code: string } };
    assert.equal(unknown.error?.code, 'BAD_REQUEST');
    const nullLeave = await a.timeout(5000).emitWithAck('leave', null);
    assert.equal(nullLeave.error?.code, 'NOT_JOINED', 'a null payload counts as none');

    const ann = await joinWithTransports(a, 'bad-room', 'Ann');
    const twice = await request(a, 'join', { roomId: 'bad-room', displayName: 'Ann' });
    assert.equal(!twice.ok && twice.error.code, 'CONFLICT');
    const bob = await joinWithTransports(b, 'bad-room', 'Bob');

    const unknownTransport = await request(a, 'connectTransport', { transportId: 'nope', dtlsParameters });
    assert.equal(!unknownTransport.ok && unknownTransport.error.code, 'NOT_FOUND');
    const othersTransport = await request(a, 'produce', { transportId: bob.send.id, kind: 'audio', source: 'mic', rtpParameters: opusParameters(4000) });
    assert.equal(!othersTransport.ok && othersTransport.error.code, 'NOT_FOUND');
    const unknownProducer = await request(a, 'pauseProducer', { producerId: 'nope' });
    assert.equal(!unknownProducer.ok && unknownProducer.error.code, 'NOT_FOUND');
    const unknownConsumer = await request(a, 'resumeConsumer', { consumerId: 'nope' });
    assert.equal(!unknownConsumer.ok && unknownConsumer.error.code, 'NOT_FOUND');
    const consumeUnknown = await request(a, 'consume', { transportId: ann.recv.id, producerId: 'nope', rtpCapabilities: browserRtpCapabilities });
    assert.equal(!consumeUnknown.ok && consumeUnknown.error.code, 'NOT_FOUND');

    const kindMismatch = await request(a, 'produce', { transportId: ann.send.id, kind: 'audio', source: 'camera', rtpParameters: opusParameters(4001) });
    assert.equal(!kindMismatch.ok && kindMismatch.error.code, 'BAD_REQUEST');
    const wrongDirection = await request(a, 'produce', { transportId: ann.recv.id, kind: 'audio', source: 'mic', rtpParameters: opusParameters(4002) });
    assert.equal(!wrongDirection.ok && wrongDirection.error.code, 'BAD_REQUEST');
    const h264 = {
      ...vp8SimulcastParameters(4100),
      codecs: [{ mimeType: 'video/H264', payloadType: 102, clockRate: 90000, parameters: { 'packetization-mode': 1, 'profile-level-id': '42e01f' } }],
    };
    const rejectedByMediasoup = await request(a, 'produce', { transportId: ann.send.id, kind: 'video', source: 'camera', rtpParameters: h264 });
    assert.ok(!rejectedByMediasoup.ok);
    assert.equal(rejectedByMediasoup.error.code, 'BAD_REQUEST');
    const reconnect = await request(a, 'connectTransport', { transportId: ann.send.id, dtlsParameters });
    assert.equal(!reconnect.ok && reconnect.error.code, 'BAD_REQUEST');

    // One participant's bad message never hurts another's session.
    const video = await call(b, 'produce', { transportId: bob.send.id, kind: 'video', source: 'camera', rtpParameters: vp8SimulcastParameters(5000) });
    const noVp8 = { codecs: browserRtpCapabilities.codecs.filter((c) => c.kind === 'audio'), headerExtensions: [] };
    const cannotConsume = await request(a, 'consume', { transportId: ann.recv.id, producerId: video.producerId, rtpCapabilities: noVp8 });
    assert.equal(!cannotConsume.ok && cannotConsume.error.code, 'BAD_REQUEST');
    const consumer = await call(a, 'consume', { transportId: ann.recv.id, producerId: video.producerId, rtpCapabilities: browserRtpCapabilities });
    assert.equal(consumer.producerId, video.producerId);
    a.disconnect();
    b.disconnect();
  });

  test('an oversized message drops only the sender', async () => {
    const a = await client(t);
    const b = await client(t);
    await call(b, 'join', { roomId: 'big-room', displayName: 'Bob' });
    const dropped = nextEvent<string>(a, 'disconnect');
    a.emit('join', { roomId: 'big-room', displayName: 'Ann', padding: 'x'.repeat(t.config.http.maxMessageBytes + 1) }, () => {});
    assert.equal(await dropped, 'transport close');
    const bobTransport = await call(b, 'createTransport', { direction: 'send' });
    assert.ok(bobTransport.id);
    b.disconnect();
  });

  test('a full room answers LIMIT', async () => {
    const sockets = await Promise.all([client(t), client(t), client(t), client(t)]);
    for (const [i, s] of sockets.slice(0, 3).entries()) await call(s, 'join', { roomId: 'full-room', displayName: `P${i}` });
    const fourth = await request(sockets[3]!, 'join', { roomId: 'full-room', displayName: 'P3' });
    assert.equal(!fourth.ok && fourth.error.code, 'LIMIT');
    for (const s of sockets) s.disconnect();
  });

  test('analysis seam: only consenting peers\' cameras are reported, and consent changes are followed', async () => {
    const available: AnalysisCamera[] = [];
    const unavailable: (AnalysisCamera & { reason: string })[] = [];
    const consent: { peerId: string; analysisConsent: boolean }[] = [];
    const onAvailable = (c: AnalysisCamera) => available.push(c);
    const onUnavailable = (c: AnalysisCamera & { reason: string }) => unavailable.push(c);
    const onConsent = (c: { peerId: string; analysisConsent: boolean }) => consent.push(c);
    t.sfu.feed.on('cameraAvailable', onAvailable);
    t.sfu.feed.on('cameraUnavailable', onUnavailable);
    t.sfu.feed.on('consentChanged', onConsent);
    try {
      const a = await client(t);
      const b = await client(t);
      const ann = await joinWithTransports(a, 'consent-room', 'Ann', true);
      const bob = await joinWithTransports(b, 'consent-room', 'Bob', false);
      const annCam = await call(a, 'produce', { transportId: ann.send.id, kind: 'video', source: 'camera', rtpParameters: vp8SimulcastParameters(6000) });
      await call(a, 'produce', { transportId: ann.send.id, kind: 'audio', source: 'mic', rtpParameters: opusParameters(6100) });
      const bobCam = await call(b, 'produce', { transportId: bob.send.id, kind: 'video', source: 'camera', rtpParameters: vp8SimulcastParameters(6200) });
      assert.deepEqual(available, [{ roomId: 'consent-room', peerId: ann.joined.peerId, producerId: annCam.producerId }]);
      assert.deepEqual(t.sfu.registry.analysableCameras().map((c) => c.producerId), [annCam.producerId]);

      await call(b, 'setAnalysisConsent', { analysisConsent: true });
      assert.deepEqual(available.at(-1), { roomId: 'consent-room', peerId: bob.joined.peerId, producerId: bobCam.producerId });
      await call(a, 'setAnalysisConsent', { analysisConsent: false });
      assert.deepEqual(unavailable, [{ roomId: 'consent-room', peerId: ann.joined.peerId, producerId: annCam.producerId, reason: 'consent-withdrawn' }]);
      assert.deepEqual(consent, [
        { roomId: 'consent-room', peerId: bob.joined.peerId, analysisConsent: true },
        { roomId: 'consent-room', peerId: ann.joined.peerId, analysisConsent: false },
      ]);
      b.disconnect();
      await waitFor(() => unavailable.length === 2, 'Bob\'s camera to go');
      assert.equal(unavailable[1]?.reason, 'left');
      assert.deepEqual(t.sfu.registry.analysableCameras(), []);
      a.disconnect();
    } finally {
      t.sfu.feed.off('cameraAvailable', onAvailable);
      t.sfu.feed.off('cameraUnavailable', onUnavailable);
      t.sfu.feed.off('consentChanged', onConsent);
    }
  });

  test('/healthz reports workers, rooms and peers', async () => {
    const res = await fetch(`${t.url}/healthz`);
    assert.equal(res.status, 200);
    const body = (await res.json()) as { status: string; workers: { live: number; configured: number }; mediasoup: string };
    assert.equal(body.status, 'ok');
    assert.deepEqual(body.workers, { live: 1, configured: 1 });
    assert.equal(body.mediasoup, '3.19.3');
    assert.equal((await fetch(`${t.url}/nope`)).status, 404);
  });

  test('browsers from origins outside SFU_CORS_ORIGINS cannot connect', async () => {
    const allowed = await client(t, { origin: 'http://localhost:3000' });
    assert.ok(allowed.connected);
    await assert.rejects(client(t, { origin: 'https://evil.example' }));
    allowed.disconnect();
  });
});

function findConsumer(t: TestSfu, consumerId: string) {
  for (const roomId of ['media-room']) {
    for (const peer of t.sfu.registry.get(roomId)?.peers.values() ?? []) {
      const c = peer.consumers.get(consumerId);
      if (c) return c;
    }
  }
  throw new Error(`consumer ${consumerId} not found on the server`);
}
