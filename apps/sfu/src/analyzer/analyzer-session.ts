import type { types } from 'mediasoup';
import {
  AckableError,
  type AnalyzerEventName,
  type AnalyzerEventPayload,
  type AnalyzerRequest,
  type AnalyzerResponse,
  type CameraUnavailableReason,
  type PreferredLayers,
} from '@moodroom/shared';
import type { SfuConfig } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { RoomRegistry } from '../room-registry.ts';
import { clientParamsCall, mediaCall, type Room } from '../room.ts';
import { defaultAnalysisLayers, spatialScales } from './layers.ts';

export type AnalyzerEmit = <E extends AnalyzerEventName>(event: E, payload: AnalyzerEventPayload<E>) => void;

interface AnalyzerTransportAppData extends types.AppData {
  analyzerId: string;
  roomId: string;
}
interface AnalyzerConsumerAppData extends types.AppData {
  roomId: string;
  transportId: string;
  peerId: string;
  /** Set just before the SFU closes the consumer itself, for the consumerClosed event. */
  closeReason?: CameraUnavailableReason;
}

interface TransportEntry {
  transport: types.WebRtcTransport<AnalyzerTransportAppData>;
  room: Room;
}

/**
 * One analyzer connection's media objects: receive transports on rooms' routers and consumers of
 * analysable cameras. They live outside the rooms' peer lists, so participants never learn about
 * them. Every consume is checked against the room's analysable cameras, and the link closes this
 * session's consumers of a camera the moment it stops being analysable (dropCamera).
 */
export class AnalyzerSession {
  private readonly transports = new Map<string, TransportEntry>();
  private readonly consumers = new Map<string, types.Consumer<AnalyzerConsumerAppData>>();
  private isClosed = false;

  constructor(
    readonly id: string,
    private readonly registry: RoomRegistry,
    private readonly limits: Pick<SfuConfig['analyzer'], 'maxTransports' | 'maxConsumers'>,
    private readonly emit: AnalyzerEmit,
    private readonly log: Logger,
  ) {}

  get transportCount(): number {
    return this.transports.size;
  }

  get consumerCount(): number {
    return this.consumers.size;
  }

  /** This session's live consumers of a producer (for tests and diagnostics). */
  consumersOf(producerId: string): types.Consumer[] {
    return [...this.consumers.values()].filter((c) => c.producerId === producerId);
  }

  getRouterRtpCapabilities({ roomId }: AnalyzerRequest<'getRouterRtpCapabilities'>): AnalyzerResponse<'getRouterRtpCapabilities'> {
    return { rtpCapabilities: this.roomOf(roomId).router.rtpCapabilities as AnalyzerResponse<'getRouterRtpCapabilities'>['rtpCapabilities'] };
  }

  async createConsumerTransport({ roomId }: AnalyzerRequest<'createConsumerTransport'>): Promise<AnalyzerResponse<'createConsumerTransport'>> {
    if (this.transports.size >= this.limits.maxTransports) throw new AckableError('LIMIT', `at most ${this.limits.maxTransports} analyzer transports per connection`);
    const room = this.roomOf(roomId);
    const transport = await room.createWebRtcTransport<AnalyzerTransportAppData>({ analyzerId: this.id, roomId });
    if (this.isClosed || room.closed) {
      transport.close();
      throw new AckableError('UNAVAILABLE', 'the room or the analyzer connection closed while the transport was being created');
    }
    this.transports.set(transport.id, { transport, room });
    transport.observer.once('close', () => {
      // Still listed: the SFU closed it (the room's router went away), not the analyzer.
      if (!this.transports.delete(transport.id) || this.isClosed) return;
      this.emit('transportClosed', { transportId: transport.id, roomId, reason: room.closed ? 'room-closed' : 'room-reset' });
    });
    transport.on('dtlsstatechange', (state) => {
      if (state === 'failed' || state === 'closed') this.log.warn({ roomId, transportId: transport.id, state }, 'analyzer transport DTLS state');
    });
    this.log.info({ roomId, transportId: transport.id }, 'analyzer transport created');
    return {
      id: transport.id,
      iceParameters: { ...transport.iceParameters },
      iceCandidates: transport.iceCandidates.map((c) => ({ ...c })),
      dtlsParameters: transport.dtlsParameters,
    };
  }

  async connectConsumerTransport({ transportId, dtlsParameters }: AnalyzerRequest<'connectConsumerTransport'>): Promise<void> {
    const { transport } = this.transportOf(transportId);
    await clientParamsCall(() => transport.connect({ dtlsParameters: dtlsParameters as types.DtlsParameters }));
  }

  async consume(request: AnalyzerRequest<'consume'>): Promise<AnalyzerResponse<'consume'>> {
    if (this.consumers.size >= this.limits.maxConsumers) throw new AckableError('LIMIT', `at most ${this.limits.maxConsumers} analyzer consumers per connection`);
    const { transport, room } = this.transportOf(request.transportId);
    const producer = room.analysableProducer(request.producerId);
    // One answer for "no consent", "not a camera", "paused", "gone" and "another room": the
    // analyzer learns nothing about producers it may not analyse.
    const forbidden = () =>
      new AckableError('FORBIDDEN', `producer ${request.producerId} is not an analysable camera in room ${room.id} (no consent, paused, not a camera, or gone)`);
    if (!producer) throw forbidden();
    const rtpCapabilities = request.rtpCapabilities as types.RtpCapabilities;
    if (!room.router.canConsume({ producerId: producer.id, rtpCapabilities })) {
      throw new AckableError('BAD_REQUEST', "your rtpCapabilities cannot receive this camera's codec");
    }
    const peerId = producer.appData.peerId;
    const consumer = await clientParamsCall(() =>
      transport.consume<AnalyzerConsumerAppData>({ producerId: producer.id, rtpCapabilities, paused: true, appData: { roomId: room.id, transportId: transport.id, peerId } }),
    );
    // Consent may have been withdrawn (or the camera paused) while the consumer was being created.
    if (this.isClosed || room.analysableProducer(producer.id) !== producer) {
      consumer.close();
      if (this.isClosed) throw new AckableError('UNAVAILABLE', 'analyzer connection closed');
      throw forbidden();
    }
    this.consumers.set(consumer.id, consumer);
    consumer.observer.once('close', () => {
      if (!this.consumers.delete(consumer.id) || this.isClosed) return;
      const reason = consumer.appData.closeReason ?? (transport.closed ? (room.closed ? 'room-closed' : 'room-reset') : 'producer-closed');
      this.emit('consumerClosed', { consumerId: consumer.id, producerId: producer.id, roomId: room.id, reason });
    });

    const scales = spatialScales(producer.rtpParameters.encodings ?? []);
    let preferredLayers: PreferredLayers | undefined;
    if (consumer.type === 'simulcast' || consumer.type === 'svc') {
      const wanted = request.preferredLayers ?? defaultAnalysisLayers(scales);
      preferredLayers = { spatialLayer: Math.min(wanted.spatialLayer, scales.length - 1), ...(wanted.temporalLayer === undefined ? {} : { temporalLayer: wanted.temporalLayer }) };
      await clientParamsCall(() => consumer.setPreferredLayers(preferredLayers!));
    }
    this.log.info({ roomId: room.id, peerId, producerId: producer.id, consumerId: consumer.id, type: consumer.type }, 'analyzer consumer created');
    return {
      consumerId: consumer.id,
      producerId: producer.id,
      roomId: room.id,
      peerId,
      kind: 'video',
      rtpParameters: consumer.rtpParameters as AnalyzerResponse<'consume'>['rtpParameters'],
      paused: true,
      producerPaused: consumer.producerPaused,
      type: consumer.type,
      scaleResolutionDownBy: scales,
      ...(preferredLayers ? { preferredLayers } : {}),
    };
  }

  async resumeConsumer({ consumerId }: AnalyzerRequest<'resumeConsumer'>): Promise<void> {
    const consumer = this.consumerOf(consumerId);
    await mediaCall(() => consumer.resume());
    // The decoder needs a key frame to start; ask the sender for one right away.
    await mediaCall(() => consumer.requestKeyFrame());
  }

  async requestKeyFrame({ consumerId }: AnalyzerRequest<'requestKeyFrame'>): Promise<void> {
    const consumer = this.consumerOf(consumerId);
    await mediaCall(() => consumer.requestKeyFrame());
  }

  async setPreferredLayers({ consumerId, spatialLayer, temporalLayer }: AnalyzerRequest<'setPreferredLayers'>): Promise<void> {
    const consumer = this.consumerOf(consumerId);
    if (consumer.type !== 'simulcast' && consumer.type !== 'svc') {
      throw new AckableError('BAD_REQUEST', `consumer ${consumerId} has a single layer (type "${consumer.type}")`);
    }
    await clientParamsCall(() => consumer.setPreferredLayers(temporalLayer === undefined ? { spatialLayer } : { spatialLayer, temporalLayer }));
  }

  closeConsumer({ consumerId }: AnalyzerRequest<'closeConsumer'>): AnalyzerResponse<'closeConsumer'> {
    const consumer = this.consumers.get(consumerId);
    if (!consumer) return { closed: false };
    this.consumers.delete(consumerId);
    consumer.close();
    return { closed: true };
  }

  closeTransport({ transportId }: AnalyzerRequest<'closeTransport'>): AnalyzerResponse<'closeTransport'> {
    const entry = this.transports.get(transportId);
    if (!entry) return { closed: false };
    this.transports.delete(transportId);
    // Its consumers close with it; they were the analyzer's own doing, so no consumerClosed events.
    for (const c of [...this.consumers.values()]) if (c.appData.transportId === transportId) this.consumers.delete(c.id);
    entry.transport.close();
    return { closed: true };
  }

  /** The camera is no longer analysable: close this session's consumers of it, at once. */
  dropCamera(producerId: string, reason: CameraUnavailableReason): void {
    for (const consumer of this.consumersOf(producerId) as types.Consumer<AnalyzerConsumerAppData>[]) {
      consumer.appData.closeReason = reason;
      consumer.close();
      this.log.info({ roomId: consumer.appData.roomId, producerId, consumerId: consumer.id, reason }, 'analyzer consumer closed: camera no longer analysable');
    }
  }

  /** The analyzer disconnected: free everything it held. */
  close(): void {
    this.isClosed = true;
    for (const { transport } of this.transports.values()) transport.close();
    this.transports.clear();
    this.consumers.clear();
  }

  private roomOf(roomId: string): Room {
    const room = this.registry.get(roomId);
    if (!room || room.closed) throw new AckableError('NOT_FOUND', `no room ${roomId} (rooms exist while participants are in them)`);
    return room;
  }

  private transportOf(transportId: string): TransportEntry {
    const entry = this.transports.get(transportId);
    if (!entry) throw new AckableError('NOT_FOUND', `no analyzer transport ${transportId} of yours (closed by you, or by a room reset)`);
    return entry;
  }

  private consumerOf(consumerId: string): types.Consumer<AnalyzerConsumerAppData> {
    const consumer = this.consumers.get(consumerId);
    if (!consumer) throw new AckableError('NOT_FOUND', `no analyzer consumer ${consumerId} of yours (closed by you, or because its camera is no longer analysable)`);
    return consumer;
  }
}
