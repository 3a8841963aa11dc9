import type { types } from 'mediasoup';
import {
  AckableError,
  type ClientResponse,
  type MediaKind,
  type MediaSource,
  type PeerInfo,
  type RosterParticipant,
  type ServerEventName,
  type ServerEventPayload,
} from '@moodroom/shared';
import { consentingCameras, diffCameras, type AnalysisCamera, type AnalysisFeed, type CameraGoneReason } from './analysis-feed.ts';
import type { SfuConfig } from './config.ts';
import type { Logger } from './logger.ts';
import type { ConsumerAppData, Peer, ProducerAppData } from './peer.ts';

export interface RoomOptions {
  rtc: SfuConfig['rtc'];
  limits: SfuConfig['limits'];
  log: Logger;
  feed: AnalysisFeed;
}

interface TransportAppData extends types.AppData {
  peerId: string;
  direction: 'send' | 'recv';
}

/** Which media kind each source must carry. */
const SOURCE_KIND: Record<MediaSource, MediaKind> = { mic: 'audio', camera: 'video', screen: 'video' };

/**
 * One meeting: one mediasoup Router and the peers in it. Every operation is checked against the
 * calling peer (a peer can only touch its own transports, producers and consumers) and every
 * change is announced to the other peers with the protocol's server events.
 */
export class Room {
  readonly peers = new Map<string, Peer>();
  private analysable = new Map<string, AnalysisCamera>();
  /** Set while the room swaps routers: mediasoup's close events then are not news for clients. */
  private resetting = false;
  private isClosed = false;
  private readonly log: Logger;

  constructor(
    readonly id: string,
    private currentRouter: types.Router,
    private readonly options: RoomOptions,
  ) {
    this.log = options.log.child({ roomId: id });
  }

  get router(): types.Router {
    return this.currentRouter;
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** The consenting participants' cameras the analyzer may consume (see analysis-feed.ts). */
  get analysableCameras(): AnalysisCamera[] {
    return [...this.analysable.values()];
  }

  /** The producer behind an analysable camera; undefined for any other producer id. */
  analysableProducer(producerId: string): types.Producer<ProducerAppData> | undefined {
    const camera = this.analysable.get(producerId);
    return camera && this.peers.get(camera.peerId)?.producers.get(producerId);
  }

  join(peer: Peer): PeerInfo[] {
    if (this.peers.size >= this.options.limits.peersPerRoom) {
      throw new AckableError('LIMIT', `room is full (${this.options.limits.peersPerRoom} participants)`);
    }
    const others = [...this.peers.values()].map((p) => ({ peerId: p.id, displayName: p.displayName, producers: p.producerInfos() }));
    this.peers.set(peer.id, peer);
    this.broadcast(peer.id, 'peerJoined', { peerId: peer.id, displayName: peer.displayName });
    if (peer.session) this.options.feed.emit('participantJoined', this.rosterEntry(peer));
    this.log.info({ peerId: peer.id, peers: this.peers.size }, 'peer joined');
    return others;
  }

  leave(peer: Peer): void {
    if (this.peers.get(peer.id) !== peer) return;
    this.peers.delete(peer.id);
    for (const producer of [...peer.producers.values()]) this.closeProducerOf(peer, producer);
    peer.close();
    this.broadcast(peer.id, 'peerLeft', { peerId: peer.id });
    this.syncAnalysis('left');
    if (peer.session) this.options.feed.emit('participantLeft', { roomId: this.id, peerId: peer.id });
    this.log.info({ peerId: peer.id, peers: this.peers.size }, 'peer left');
  }

  /** A WebRtcTransport on this room's router with the configured listen addresses (peers' and the analyzer's). */
  async createWebRtcTransport<T extends types.AppData>(appData: T): Promise<types.WebRtcTransport<T>> {
    const { rtc } = this.options;
    const listenInfos: types.TransportListenInfo[] = [];
    for (const protocol of ['udp', 'tcp'] as const) {
      if (protocol === 'udp' ? !rtc.enableUdp : !rtc.enableTcp) continue;
      listenInfos.push({ protocol, ip: rtc.listenIp, announcedAddress: rtc.announcedAddress, portRange: rtc.portRange });
    }
    return mediaCall(() =>
      this.router.createWebRtcTransport<T>({
        listenInfos,
        preferUdp: rtc.preferUdp,
        initialAvailableOutgoingBitrate: rtc.initialOutgoingBitrate,
        appData,
      }),
    );
  }

  async createTransport(peer: Peer, direction: 'send' | 'recv'): Promise<ClientResponse<'createTransport'>> {
    const { rtc, limits } = this.options;
    if (peer.transports.size >= limits.transportsPerPeer) throw new AckableError('LIMIT', `at most ${limits.transportsPerPeer} transports per peer`);
    const transport = await this.createWebRtcTransport<TransportAppData>({ peerId: peer.id, direction });
    if (peer.closed) {
      transport.close();
      throw new AckableError('NOT_JOINED', 'left the room while the transport was being created');
    }
    if (direction === 'send' && rtc.maxIncomingBitrate > 0) await mediaCall(() => transport.setMaxIncomingBitrate(rtc.maxIncomingBitrate));
    peer.transports.set(transport.id, transport);
    transport.observer.once('close', () => peer.transports.delete(transport.id));
    transport.on('dtlsstatechange', (state) => {
      if (state === 'failed' || state === 'closed') this.log.warn({ peerId: peer.id, transportId: transport.id, state }, 'transport DTLS state');
    });
    return {
      id: transport.id,
      iceParameters: { ...transport.iceParameters },
      iceCandidates: transport.iceCandidates.map((c) => ({ ...c })),
      dtlsParameters: transport.dtlsParameters,
    };
  }

  async connectTransport(peer: Peer, transportId: string, dtlsParameters: unknown): Promise<void> {
    const transport = this.transportOf(peer, transportId);
    await clientParamsCall(() => transport.connect({ dtlsParameters: dtlsParameters as types.DtlsParameters }));
  }

  async restartIce(peer: Peer, transportId: string): Promise<ClientResponse<'restartIce'>> {
    const transport = this.transportOf(peer, transportId);
    const iceParameters = await mediaCall(() => transport.restartIce());
    return { iceParameters: { ...iceParameters } };
  }

  async produce(
    peer: Peer,
    request: { transportId: string; kind: MediaKind; rtpParameters: unknown; source: MediaSource; paused: boolean },
  ): Promise<ClientResponse<'produce'>> {
    const { limits } = this.options;
    if (peer.producers.size >= limits.producersPerPeer) throw new AckableError('LIMIT', `at most ${limits.producersPerPeer} producers per peer`);
    if (SOURCE_KIND[request.source] !== request.kind) {
      throw new AckableError('BAD_REQUEST', `source "${request.source}" must carry ${SOURCE_KIND[request.source]}, not ${request.kind}`);
    }
    const transport = this.transportOf(peer, request.transportId);
    if (transport.appData.direction !== 'send') throw new AckableError('BAD_REQUEST', 'produce needs a send transport');
    const producer = await clientParamsCall(() =>
      transport.produce<ProducerAppData>({
        kind: request.kind,
        rtpParameters: request.rtpParameters as types.RtpParameters,
        paused: request.paused,
        appData: { peerId: peer.id, source: request.source },
      }),
    );
    if (peer.closed) {
      producer.close();
      throw new AckableError('NOT_JOINED', 'left the room while the producer was being created');
    }
    peer.producers.set(producer.id, producer);
    producer.observer.once('close', () => peer.producers.delete(producer.id));
    this.broadcast(peer.id, 'newProducer', {
      producerId: producer.id,
      peerId: peer.id,
      kind: producer.kind,
      source: request.source,
      paused: producer.paused,
    });
    this.syncAnalysis('producer-closed');
    this.log.info({ peerId: peer.id, producerId: producer.id, kind: producer.kind, source: request.source, type: producer.type }, 'producer created');
    return { producerId: producer.id };
  }

  closeProducer(peer: Peer, producerId: string): void {
    this.closeProducerOf(peer, this.producerOf(peer, producerId));
    this.syncAnalysis('producer-closed');
  }

  async setProducerPaused(peer: Peer, producerId: string, paused: boolean): Promise<void> {
    const producer = this.producerOf(peer, producerId);
    await mediaCall(() => (paused ? producer.pause() : producer.resume()));
    this.broadcast(peer.id, paused ? 'producerPaused' : 'producerResumed', { peerId: peer.id, producerId });
    // A paused camera sends nothing to analyse: the analyzer lets go of it until it is resumed.
    this.syncAnalysis('camera-off');
  }

  async consume(
    peer: Peer,
    request: { transportId: string; producerId: string; rtpCapabilities: unknown },
  ): Promise<ClientResponse<'consume'>> {
    const { limits } = this.options;
    if (peer.consumers.size >= limits.consumersPerPeer) throw new AckableError('LIMIT', `at most ${limits.consumersPerPeer} consumers per peer`);
    const transport = this.transportOf(peer, request.transportId);
    if (transport.appData.direction !== 'recv') throw new AckableError('BAD_REQUEST', 'consume needs a recv transport');
    const owner = [...this.peers.values()].find((p) => p.producers.has(request.producerId));
    const producer = owner?.producers.get(request.producerId);
    if (!owner || !producer) throw new AckableError('NOT_FOUND', `no producer ${request.producerId} in this room`);
    const rtpCapabilities = request.rtpCapabilities as types.RtpCapabilities;
    if (!this.router.canConsume({ producerId: producer.id, rtpCapabilities })) {
      throw new AckableError('BAD_REQUEST', `your rtpCapabilities cannot receive this ${producer.kind} producer's codec`);
    }
    // Paused: the client resumes once its track is wired, so the first key frame is not lost.
    const consumer = await clientParamsCall(() =>
      transport.consume<ConsumerAppData>({
        producerId: producer.id,
        rtpCapabilities,
        paused: true,
        appData: { peerId: owner.id, source: producer.appData.source },
      }),
    );
    if (peer.closed) {
      consumer.close();
      throw new AckableError('NOT_JOINED', 'left the room while the consumer was being created');
    }
    peer.consumers.set(consumer.id, consumer);
    consumer.observer.once('close', () => peer.consumers.delete(consumer.id));
    consumer.on('producerclose', () => {
      peer.consumers.delete(consumer.id);
      if (!this.resetting && !peer.closed) peer.notify('consumerClosed', { consumerId: consumer.id, producerId: producer.id });
    });
    return {
      consumerId: consumer.id,
      producerId: producer.id,
      peerId: owner.id,
      kind: consumer.kind,
      source: producer.appData.source,
      rtpParameters: consumer.rtpParameters as ClientResponse<'consume'>['rtpParameters'],
      paused: true,
      producerPaused: consumer.producerPaused,
    };
  }

  async resumeConsumer(peer: Peer, consumerId: string): Promise<void> {
    const consumer = this.consumerOf(peer, consumerId);
    await mediaCall(() => consumer.resume());
    // Video decoders need a key frame to start; ask the sender for one right away.
    if (consumer.kind === 'video') await mediaCall(() => consumer.requestKeyFrame());
  }

  async setPreferredLayers(peer: Peer, consumerId: string, spatialLayer: number, temporalLayer?: number): Promise<void> {
    const consumer = this.consumerOf(peer, consumerId);
    if (consumer.type !== 'simulcast' && consumer.type !== 'svc') {
      throw new AckableError('BAD_REQUEST', `consumer ${consumerId} has a single layer (type "${consumer.type}")`);
    }
    await clientParamsCall(() => consumer.setPreferredLayers(temporalLayer === undefined ? { spatialLayer } : { spatialLayer, temporalLayer }));
  }

  /** The session participants in this room (what the analyzer's roster holds). */
  get roster(): RosterParticipant[] {
    return [...this.peers.values()].filter((p) => p.session).map((p) => this.rosterEntry(p));
  }

  private rosterEntry(peer: Peer): RosterParticipant {
    return { roomId: this.id, peerId: peer.id, displayName: peer.displayName, analysisConsent: peer.analysisConsent };
  }

  setAnalysisConsent(peer: Peer, analysisConsent: boolean): void {
    if (peer.analysisConsent === analysisConsent) return;
    peer.analysisConsent = analysisConsent; // throws FORBIDDEN where the session does not allow analysis
    this.options.feed.emit('consentChanged', { roomId: this.id, peerId: peer.id, analysisConsent });
    this.syncAnalysis('consent-withdrawn');
    this.log.info({ peerId: peer.id, analysisConsent }, 'analysis consent changed');
  }

  /**
   * The room's worker died: every media object is gone. Moves the room to `router` (on a healthy
   * worker), drops all peers and tells them to rejoin.
   */
  reset(router: types.Router, reason: string): void {
    this.resetting = true;
    try {
      const evicted = [...this.peers.values()];
      this.peers.clear();
      for (const peer of evicted) peer.close();
      this.currentRouter = router;
      this.syncAnalysis('room-reset');
      for (const peer of evicted) if (peer.session) this.options.feed.emit('participantLeft', { roomId: this.id, peerId: peer.id });
      for (const peer of evicted) peer.notify('roomReset', { roomId: this.id, reason });
      this.log.warn({ evicted: evicted.length, routerId: router.id }, 'room reset onto a new router');
    } finally {
      this.resetting = false;
    }
  }

  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.resetting = true;
    const evicted = [...this.peers.values()];
    for (const peer of evicted) peer.close();
    this.peers.clear();
    this.syncAnalysis('room-closed');
    for (const peer of evicted) if (peer.session) this.options.feed.emit('participantLeft', { roomId: this.id, peerId: peer.id });
    this.router.close();
    this.log.info('room closed');
  }

  private closeProducerOf(peer: Peer, producer: types.Producer<ProducerAppData>): void {
    // Closing the producer makes mediasoup close its consumers ('producerclose' → consumerClosed).
    producer.close();
    peer.producers.delete(producer.id);
    this.broadcast(peer.id, 'producerClosed', { peerId: peer.id, producerId: producer.id });
  }

  private broadcast<E extends ServerEventName>(exceptPeerId: string, event: E, payload: ServerEventPayload<E>): void {
    for (const p of this.peers.values()) if (p.id !== exceptPeerId) p.notify(event, payload);
  }

  private syncAnalysis(reason: CameraGoneReason): void {
    const next = consentingCameras(
      this.id,
      [...this.peers.values()].map((p) => ({
        peerId: p.id,
        analysisConsent: p.analysisConsent,
        producers: [...p.producers.values()].map((pr) => ({ producerId: pr.id, source: pr.appData.source, paused: pr.paused })),
      })),
    );
    const { added, removed } = diffCameras(this.analysable, next);
    this.analysable = next;
    for (const camera of removed) this.options.feed.emit('cameraUnavailable', { ...camera, reason });
    for (const camera of added) this.options.feed.emit('cameraAvailable', camera);
  }

  private transportOf(peer: Peer, transportId: string): types.WebRtcTransport<TransportAppData> {
    const transport = peer.transports.get(transportId);
    if (!transport) throw new AckableError('NOT_FOUND', `no transport ${transportId} of yours`);
    return transport as types.WebRtcTransport<TransportAppData>;
  }

  private producerOf(peer: Peer, producerId: string): types.Producer<ProducerAppData> {
    const producer = peer.producers.get(producerId);
    if (!producer) throw new AckableError('NOT_FOUND', `no producer ${producerId} of yours`);
    return producer;
  }

  private consumerOf(peer: Peer, consumerId: string): types.Consumer<ConsumerAppData> {
    const consumer = peer.consumers.get(consumerId);
    if (!consumer) throw new AckableError('NOT_FOUND', `no consumer ${consumerId} of yours`);
    return consumer;
  }
}

/** A mediasoup object closed under us (worker died, transport closed): the client should retry. */
function isClosedError(error: unknown): boolean {
  return error instanceof Error && error.name === 'InvalidStateError';
}

/** Runs a mediasoup call that takes no client parameters: closed objects → UNAVAILABLE. */
export async function mediaCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (isClosedError(error)) throw new AckableError('UNAVAILABLE', 'media session closed (the room may have been reset); rejoin');
    throw error;
  }
}

/**
 * Runs a mediasoup call that validates client parameters (RTP/DTLS parameters, layers): mediasoup's
 * rejection (TypeError, UnsupportedError, or the worker's error) is the client's BAD_REQUEST.
 */
export async function clientParamsCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof AckableError) throw error;
    if (isClosedError(error)) throw new AckableError('UNAVAILABLE', 'media session closed (the room may have been reset); rejoin');
    throw new AckableError('BAD_REQUEST', `mediasoup rejected the parameters: ${(error as Error).message}`.slice(0, 500));
  }
}
