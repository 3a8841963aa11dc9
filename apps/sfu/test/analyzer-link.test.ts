import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, test } from 'node:test';
import type { Socket } from 'socket.io-client';
import {
  analyzerCall,
  analyzerClient,
  analyzerRequest,
  analyzerRtpCapabilities,
  browserRtpCapabilities,
  call,
  client,
  dtlsParameters,
  joinWithTransports,
  nextEvent,
  opusParameters,
  request,
  startSfu,
  vp8SimulcastParameters,
  waitFor,
  TEST_ANALYZER_TOKEN,
  type TestSfu,
} from './helpers.ts';

type Seen = { event: string; payload: unknown }[];

const of = (events: Seen, name: string) => events.filter((e) => e.event === name).map((e) => e.payload);

/** The analyzer's side of the consume flow, up to a paused consumer. */
async function analyzerConsume(socket: Socket, roomId: string, producerId: string) {
  const transport = await analyzerCall(socket, 'createConsumerTransport', { roomId });
  await analyzerCall(socket, 'connectConsumerTransport', { transportId: transport.id, dtlsParameters });
  const consumer = await analyzerCall(socket, 'consume', { transportId: transport.id, producerId, rtpCapabilities: analyzerRtpCapabilities });
  return { transport, consumer };
}

function serverConsumer(t: TestSfu, consumerId: string) {
  for (const session of t.sfu.analyzerLink.sessions) {
    for (const producer of t.sfu.registry.analysableCameras()) {
      const found = session.consumersOf(producer.producerId).find((c) => c.id === consumerId);
      if (found) return found;
    }
  }
  return undefined;
}

describe('analyzer link: authentication', () => {
  let t: TestSfu;
  before(async () => {
    t = await startSfu({ ANALYZER_SERVICE_TOKEN: TEST_ANALYZER_TOKEN });
  });
  after(() => t.close());

  test('a missing or wrong token, or a browser origin, is refused; the right token gets a snapshot', async () => {
    for (const [options, code] of [
      [{ token: null }, 'FORBIDDEN'],
      [{ token: 'wrong-token-wrong-token-wrong' }, 'FORBIDDEN'],
      [{ token: `${TEST_ANALYZER_TOKEN}x` }, 'FORBIDDEN'],
      [{ extraHeaders: { origin: 'http://localhost:3000' } }, 'FORBIDDEN'],
    ] as const) {
      const refused = await analyzerClient(t, options).then(
        () => assert.fail(`connected with ${JSON.stringify(options)}`),
        (error: Error & { data?: { code?: string } }) => error,
      );
      assert.equal(refused.data?.code, code, refused.message);
    }
    assert.equal(t.sfu.analyzerLink.sessions.size, 0);
    const { events } = await analyzerClient(t);
    await waitFor(() => events.length > 0, 'the snapshot');
    assert.deepEqual(events[0], { event: 'cameraSnapshot', payload: { cameras: [] } });
    assert.equal(t.sfu.analyzerLink.sessions.size, 1);
  });

  test('participants cannot reach the analyzer protocol or its events from their namespace', async () => {
    const p = await client(t);
    const ann = await joinWithTransports(p, 'auth-room', 'Ann', true);
    const available = nextEvent(p, 'cameraAvailable', 300).then(
      () => 'received',
      () => 'not received',
    );
    const cam = await call(p, 'produce', { transportId: ann.send.id, kind: 'video', source: 'camera', rtpParameters: vp8SimulcastParameters(100) });
    assert.equal(await available, 'not received');
    for (const event of ['createConsumerTransport', 'getRouterRtpCapabilities', 'requestKeyFrame', 'closeTransport']) {
      const ack = (await p.timeout(5000).emitWithAck(event, { roomId: 'auth-room' })) as { ok: boolean; error?: { code: string; message: string } };
      assert.equal(ack.error?.code, 'BAD_REQUEST', event);
      assert.match(ack.error?.message ?? '', /unknown event/);
    }
    // The participant's own consume cannot take the analyzer's shape (no recv transport of theirs).
    const consume = await request(p, 'consume', { transportId: 'analyzer-transport', producerId: cam.producerId, rtpCapabilities: analyzerRtpCapabilities });
    assert.equal(!consume.ok && consume.error.code, 'NOT_FOUND');
    p.disconnect();
  });

  test('an SFU without ANALYZER_SERVICE_TOKEN refuses every analyzer connection', async () => {
    const bare = await startSfu();
    try {
      const refused = await analyzerClient(bare, { token: TEST_ANALYZER_TOKEN }).then(
        () => assert.fail('connected without a configured token'),
        (error: Error & { data?: { code?: string } }) => error,
      );
      assert.equal(refused.data?.code, 'UNAVAILABLE');
      assert.match(refused.message, /ANALYZER_SERVICE_TOKEN/);
    } finally {
      await bare.close();
    }
  });
});

describe('analyzer link: cameras and consumers against a real SFU', () => {
  let t: TestSfu;
  before(async () => {
    t = await startSfu({ ANALYZER_SERVICE_TOKEN: TEST_ANALYZER_TOKEN, SFU_ANALYZER_MAX_TRANSPORTS: '3' });
  });
  after(() => t.close());

  test('snapshot, then cameras come and go with consent, camera pause, stop and leave (ids only)', async () => {
    const roomId = 'feed-room';
    const a = await client(t);
    const ann = await joinWithTransports(a, roomId, 'Ann', true);
    const annCam = await call(a, 'produce', { transportId: ann.send.id, kind: 'video', source: 'camera', rtpParameters: vp8SimulcastParameters(1000) });
    await call(a, 'produce', { transportId: ann.send.id, kind: 'audio', source: 'mic', rtpParameters: opusParameters(1100) });

    const { socket, events } = await analyzerClient(t);
    await waitFor(() => events.length === 1, 'the snapshot');
    const annCamera = { roomId, peerId: ann.joined.peerId, producerId: annCam.producerId };
    assert.deepEqual(events[0], { event: 'cameraSnapshot', payload: { cameras: [annCamera] } });

    // No consent: Bob's camera is never announced.
    const b = await client(t);
    const bob = await joinWithTransports(b, roomId, 'Bob', false);
    const bobCam = await call(b, 'produce', { transportId: bob.send.id, kind: 'video', source: 'camera', rtpParameters: vp8SimulcastParameters(2000) });
    const c = await client(t);
    const carl = await joinWithTransports(c, roomId, 'Carl', true);
    const carlCam = await call(c, 'produce', { transportId: carl.send.id, kind: 'video', source: 'camera', rtpParameters: vp8SimulcastParameters(3000) });
    await call(c, 'produce', { transportId: carl.send.id, kind: 'video', source: 'screen', rtpParameters: { ...vp8SimulcastParameters(3100), mid: '2' } });
    const bobCamera = { roomId, peerId: bob.joined.peerId, producerId: bobCam.producerId };
    const carlCamera = { roomId, peerId: carl.joined.peerId, producerId: carlCam.producerId };
    await waitFor(() => events.length === 2, 'Carl\'s camera');
    assert.deepEqual(events[1], { event: 'cameraAvailable', payload: carlCamera });

    await call(b, 'setAnalysisConsent', { analysisConsent: true });
    await waitFor(() => events.length === 3, 'Bob\'s consent');
    assert.deepEqual(events[2], { event: 'cameraAvailable', payload: bobCamera });

    await call(a, 'pauseProducer', { producerId: annCam.producerId });
    await call(a, 'resumeProducer', { producerId: annCam.producerId });
    await call(a, 'setAnalysisConsent', { analysisConsent: false });
    await call(c, 'closeProducer', { producerId: carlCam.producerId });
    await call(b, 'leave');
    await waitFor(() => events.length === 8, 'five more events');
    assert.deepEqual(events.slice(3), [
      { event: 'cameraUnavailable', payload: { ...annCamera, reason: 'camera-off' } },
      { event: 'cameraAvailable', payload: annCamera },
      { event: 'cameraUnavailable', payload: { ...annCamera, reason: 'consent-withdrawn' } },
      { event: 'cameraUnavailable', payload: { ...carlCamera, reason: 'producer-closed' } },
      { event: 'cameraUnavailable', payload: { ...bobCamera, reason: 'left' } },
    ]);
    assert.deepEqual(t.sfu.registry.analysableCameras(), []);

    // A reconnecting analyzer starts from a fresh snapshot.
    await call(a, 'setAnalysisConsent', { analysisConsent: true });
    socket.disconnect();
    const again = await analyzerClient(t);
    await waitFor(() => again.events.length === 1, 'the second snapshot');
    assert.deepEqual(again.events[0], { event: 'cameraSnapshot', payload: { cameras: [annCamera] } });
    for (const s of [a, b, c, again.socket]) s.disconnect();
  });

  test('consume flow: paused simulcast consumer at the ~320 px layer; resume, key frame, layers; participants never see the analyzer', async () => {
    const roomId = 'consume-room';
    const a = await client(t);
    const ann = await joinWithTransports(a, roomId, 'Ann', true);
    const annCam = await call(a, 'produce', {
      transportId: ann.send.id,
      kind: 'video',
      source: 'camera',
      rtpParameters: vp8SimulcastParameters(4000),
    });
    const peerEvents: string[] = [];
    a.onAny((event: string) => peerEvents.push(event));

    const { socket } = await analyzerClient(t);
    const { rtpCapabilities } = await analyzerCall(socket, 'getRouterRtpCapabilities', { roomId });
    assert.deepEqual(rtpCapabilities, t.sfu.registry.get(roomId)?.router.rtpCapabilities);
    const { transport, consumer } = await analyzerConsume(socket, roomId, annCam.producerId);
    assert.equal(consumer.paused, true);
    assert.equal(consumer.kind, 'video');
    assert.equal(consumer.type, 'simulcast');
    assert.equal(consumer.peerId, ann.joined.peerId);
    assert.equal(consumer.roomId, roomId);
    assert.equal(consumer.rtpParameters.codecs[0]?.mimeType, 'video/VP8');
    assert.deepEqual(consumer.scaleResolutionDownBy, [4, 2, 1]);
    assert.deepEqual(consumer.preferredLayers, { spatialLayer: 1 }, 'a 640-px guess: the middle layer is 320 px');
    assert.ok(!('displayName' in consumer), 'no names for the analyzer');

    const server = serverConsumer(t, consumer.consumerId);
    assert.ok(server);
    assert.equal(server.paused, true);
    assert.equal(server.preferredLayers?.spatialLayer, 1);
    await analyzerCall(socket, 'resumeConsumer', { consumerId: consumer.consumerId });
    assert.equal(server.paused, false);
    await analyzerCall(socket, 'requestKeyFrame', { consumerId: consumer.consumerId });
    await analyzerCall(socket, 'setPreferredLayers', { consumerId: consumer.consumerId, spatialLayer: 0, temporalLayer: 0 });
    assert.deepEqual(server.preferredLayers, { spatialLayer: 0, temporalLayer: 0 });

    // Asked-for layers win over the guess.
    const second = await analyzerCall(socket, 'consume', {
      transportId: transport.id,
      producerId: annCam.producerId,
      rtpCapabilities: analyzerRtpCapabilities,
      preferredLayers: { spatialLayer: 2, temporalLayer: 1 },
    });
    assert.deepEqual(second.preferredLayers, { spatialLayer: 2, temporalLayer: 1 });
    assert.deepEqual(await analyzerCall(socket, 'closeConsumer', { consumerId: second.consumerId }), { closed: true });
    assert.deepEqual(await analyzerCall(socket, 'closeConsumer', { consumerId: second.consumerId }), { closed: false });

    // Participants: no event, and a late joiner's peer list holds only participants.
    const b = await client(t);
    const bob = await call(b, 'join', { roomId, displayName: 'Bob' });
    assert.deepEqual(bob.peers.map((p) => p.peerId), [ann.joined.peerId]);
    assert.deepEqual(bob.peers[0]?.producers.map((p) => p.producerId), [annCam.producerId]);
    await waitFor(() => peerEvents.length > 0, 'Bob\'s peerJoined');
    assert.deepEqual(peerEvents, ['peerJoined']);
    assert.equal(t.sfu.registry.get(roomId)?.peers.size, 2);
    for (const s of [a, b, socket]) s.disconnect();
  });

  test('only analysable cameras can be consumed: everything else is FORBIDDEN; bad messages get error acks', async () => {
    const roomId = 'forbidden-room';
    const a = await client(t);
    const b = await client(t);
    const ann = await joinWithTransports(a, roomId, 'Ann', true);
    const bob = await joinWithTransports(b, roomId, 'Bob', false);
    const annCam = await call(a, 'produce', { transportId: ann.send.id, kind: 'video', source: 'camera', rtpParameters: vp8SimulcastParameters(5000) });
    const annMic = await call(a, 'produce', { transportId: ann.send.id, kind: 'audio', source: 'mic', rtpParameters: opusParameters(5100) });
    const annScreen = await call(a, 'produce', { transportId: ann.send.id, kind: 'video', source: 'screen', rtpParameters: { ...vp8SimulcastParameters(5200), mid: '2' } });
    const bobCam = await call(b, 'produce', { transportId: bob.send.id, kind: 'video', source: 'camera', rtpParameters: vp8SimulcastParameters(5300) });
    const c = await client(t);
    const carl = await joinWithTransports(c, 'other-room', 'Carl', true);
    const carlCam = await call(c, 'produce', { transportId: carl.send.id, kind: 'video', source: 'camera', rtpParameters: vp8SimulcastParameters(5400) });

    const { socket } = await analyzerClient(t);
    const transport = await analyzerCall(socket, 'createConsumerTransport', { roomId });
    const consume = (producerId: string, rtpCapabilities: unknown = analyzerRtpCapabilities) =>
      analyzerRequest(socket, 'consume', { transportId: transport.id, producerId, rtpCapabilities });
    for (const [what, producerId] of [
      ["a non-consenting participant's camera", bobCam.producerId],
      ['a microphone', annMic.producerId],
      ['a screen share', annScreen.producerId],
      ['an unknown producer', 'nope'],
      ["another room's camera (through this room's transport)", carlCam.producerId],
    ] as const) {
      const ack = await consume(producerId);
      assert.equal(!ack.ok && ack.error.code, 'FORBIDDEN', what);
    }
    await call(a, 'pauseProducer', { producerId: annCam.producerId });
    assert.equal((await consume(annCam.producerId)).ok, false, 'a paused camera is not analysable');
    await call(a, 'resumeProducer', { producerId: annCam.producerId });
    const noVp8 = { codecs: [], headerExtensions: [] };
    const cannot = await consume(annCam.producerId, noVp8);
    assert.equal(!cannot.ok && cannot.error.code, 'BAD_REQUEST');
    assert.equal((await consume(annCam.producerId)).ok, true);

    const noRoom = await analyzerRequest(socket, 'createConsumerTransport', { roomId: 'no-such-room' });
    assert.equal(!noRoom.ok && noRoom.error.code, 'NOT_FOUND');
    const badRoom = await analyzerRequest(socket, 'getRouterRtpCapabilities', { roomId: '../etc' });
    assert.ok(!badRoom.ok);
    assert.equal(badRoom.error.code, 'BAD_REQUEST');
    assert.deepEqual(badRoom.error.issues?.map((i) => i.path), ['roomId']);
    const noPayload = await analyzerRequest(socket, 'consume');
    assert.equal(!noPayload.ok && noPayload.error.code, 'BAD_REQUEST');
    const badLayers = await analyzerRequest(socket, 'setPreferredLayers', { consumerId: 'x', spatialLayer: 9 });
    assert.equal(!badLayers.ok && badLayers.error.code, 'BAD_REQUEST');
    const unknownConsumer = await analyzerRequest(socket, 'resumeConsumer', { consumerId: 'nope' });
    assert.equal(!unknownConsumer.ok && unknownConsumer.error.code, 'NOT_FOUND');
    const unknownTransport = await analyzerRequest(socket, 'connectConsumerTransport', { transportId: 'nope', dtlsParameters });
    assert.equal(!unknownTransport.ok && unknownTransport.error.code, 'NOT_FOUND');
    const participantEvent = (await socket.timeout(5000).emitWithAck('join', { roomId, displayName: 'Spy' })) as { error?: { code: string } };
    assert.equal(participantEvent.error?.code, 'BAD_REQUEST', 'the analyzer cannot join as a participant');
    // Participant ids are not analyzer ids: Ann's own transport is not the analyzer's.
    const notYours = await analyzerRequest(socket, 'consume', { transportId: ann.recv.id, producerId: annCam.producerId, rtpCapabilities: analyzerRtpCapabilities });
    assert.equal(!notYours.ok && notYours.error.code, 'NOT_FOUND');

    // Per-connection limit (3 in this suite).
    await analyzerCall(socket, 'createConsumerTransport', { roomId });
    await analyzerCall(socket, 'createConsumerTransport', { roomId });
    const fourth = await analyzerRequest(socket, 'createConsumerTransport', { roomId });
    assert.equal(!fourth.ok && fourth.error.code, 'LIMIT');
    for (const s of [a, b, c, socket]) s.disconnect();
  });

  for (const change of ['consent-withdrawn', 'camera-off', 'producer-closed', 'left'] as const) {
    test(`${change}: the analyzer's consumer is closed before the participant's request is answered`, async () => {
      const roomId = `stop-${change}`;
      const a = await client(t);
      const ann = await joinWithTransports(a, roomId, 'Ann', true);
      const annCam = await call(a, 'produce', { transportId: ann.send.id, kind: 'video', source: 'camera', rtpParameters: vp8SimulcastParameters(6000) });
      const { socket, events } = await analyzerClient(t);
      const { consumer } = await analyzerConsume(socket, roomId, annCam.producerId);
      await analyzerCall(socket, 'resumeConsumer', { consumerId: consumer.consumerId });
      const server = serverConsumer(t, consumer.consumerId);
      assert.ok(server);
      const closedOnServer = once(server.observer, 'close');

      if (change === 'consent-withdrawn') await call(a, 'setAnalysisConsent', { analysisConsent: false });
      if (change === 'camera-off') await call(a, 'pauseProducer', { producerId: annCam.producerId });
      if (change === 'producer-closed') await call(a, 'closeProducer', { producerId: annCam.producerId });
      if (change === 'left') await call(a, 'leave');
      // The participant's ack arrived: by then the analyzer's consumer must already be closed.
      assert.equal(server.closed, true);
      await closedOnServer;

      await waitFor(() => of(events, 'consumerClosed').length === 1, 'consumerClosed');
      const camera = { roomId, peerId: ann.joined.peerId, producerId: annCam.producerId };
      assert.deepEqual(of(events, 'cameraUnavailable'), [{ ...camera, reason: change }]);
      assert.deepEqual(of(events, 'consumerClosed'), [{ consumerId: consumer.consumerId, producerId: annCam.producerId, roomId, reason: change }]);
      const stale = await analyzerRequest(socket, 'requestKeyFrame', { consumerId: consumer.consumerId });
      assert.equal(!stale.ok && stale.error.code, 'NOT_FOUND');
      if (change === 'camera-off' || change === 'consent-withdrawn') {
        // Camera back on / consent given again: available again, and consumable again.
        if (change === 'camera-off') await call(a, 'resumeProducer', { producerId: annCam.producerId });
        else await call(a, 'setAnalysisConsent', { analysisConsent: true });
        await waitFor(() => of(events, 'cameraAvailable').length === 1, 'the camera to come back');
        assert.ok((await analyzerConsume(socket, roomId, annCam.producerId)).consumer.consumerId);
      }
      a.disconnect();
      socket.disconnect();
    });
  }

  test("the analyzer's disconnect frees its transports and consumers; participants are untouched", async () => {
    const roomId = 'cleanup-room';
    const a = await client(t);
    const ann = await joinWithTransports(a, roomId, 'Ann', true);
    const annCam = await call(a, 'produce', { transportId: ann.send.id, kind: 'video', source: 'camera', rtpParameters: vp8SimulcastParameters(7000) });
    const router = t.sfu.registry.get(roomId)!.router;
    assert.equal((await router.dump()).transportIds.length, 2);

    const { socket } = await analyzerClient(t);
    const first = await analyzerConsume(socket, roomId, annCam.producerId);
    await analyzerConsume(socket, roomId, annCam.producerId);
    assert.equal((await router.dump()).transportIds.length, 4);
    assert.deepEqual(await analyzerCall(socket, 'closeTransport', { transportId: first.transport.id }), { closed: true });
    assert.deepEqual(await analyzerCall(socket, 'closeTransport', { transportId: first.transport.id }), { closed: false });
    assert.equal((await router.dump()).transportIds.length, 3);

    socket.disconnect();
    await waitFor(async () => (await router.dump()).transportIds.length === 2, "the analyzer's transports to close");
    assert.equal(t.sfu.analyzerLink.sessions.size, 0);
    // Ann's media is unaffected.
    const b = await client(t);
    const bob = await joinWithTransports(b, roomId, 'Bob');
    const consumer = await call(b, 'consume', { transportId: bob.recv.id, producerId: annCam.producerId, rtpCapabilities: browserRtpCapabilities });
    assert.equal(consumer.producerId, annCam.producerId);
    a.disconnect();
    b.disconnect();
  });
});

describe('analyzer link: worker death', () => {
  let t: TestSfu;
  before(async () => {
    t = await startSfu({ ANALYZER_SERVICE_TOKEN: TEST_ANALYZER_TOKEN, SFU_WORKERS: '2' });
  });
  after(() => t.close());

  test('room reset: cameraUnavailable(room-reset), transportClosed; the analyzer re-consumes when the camera is back', async () => {
    const roomId = 'reset-room';
    const a = await client(t);
    const ann = await joinWithTransports(a, roomId, 'Ann', true);
    const annCam = await call(a, 'produce', { transportId: ann.send.id, kind: 'video', source: 'camera', rtpParameters: vp8SimulcastParameters(8000) });
    const { socket, events } = await analyzerClient(t);
    const { transport, consumer } = await analyzerConsume(socket, roomId, annCam.producerId);

    const reset = nextEvent(a, 'roomReset', 10_000);
    process.kill(t.sfu.registry.get(roomId)!.router.appData['workerPid'] as number, 'SIGKILL');
    await reset;
    await waitFor(() => of(events, 'cameraUnavailable').length === 1 && of(events, 'transportClosed').length === 1, 'the reset to reach the analyzer', 10_000);
    assert.deepEqual(of(events, 'cameraUnavailable'), [{ roomId, peerId: ann.joined.peerId, producerId: annCam.producerId, reason: 'room-reset' }]);
    assert.deepEqual(of(events, 'transportClosed'), [{ transportId: transport.id, roomId, reason: 'room-reset' }]);
    assert.deepEqual(of(events, 'consumerClosed'), [{ consumerId: consumer.consumerId, producerId: annCam.producerId, roomId, reason: 'room-reset' }]);
    const [session] = t.sfu.analyzerLink.sessions;
    assert.equal(session?.transportCount, 0);
    assert.equal(session?.consumerCount, 0);
    const stale = await analyzerRequest(socket, 'createConsumerTransport', { roomId });
    // The emptied room closes (grace 0 in tests), possibly while the transport is being created.
    assert.ok(!stale.ok && ['NOT_FOUND', 'UNAVAILABLE'].includes(stale.error.code), 'no transports on an empty, reset room');

    const ann2 = await joinWithTransports(a, roomId, 'Ann', true);
    const cam2 = await call(a, 'produce', { transportId: ann2.send.id, kind: 'video', source: 'camera', rtpParameters: vp8SimulcastParameters(8100) });
    await waitFor(() => of(events, 'cameraAvailable').length === 1, 'the camera to come back');
    assert.deepEqual(of(events, 'cameraAvailable'), [{ roomId, peerId: ann2.joined.peerId, producerId: cam2.producerId }]);
    const again = await analyzerConsume(socket, roomId, cam2.producerId);
    assert.equal(again.consumer.paused, true);
    a.disconnect();
    socket.disconnect();
  });
});
