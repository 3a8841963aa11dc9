import * as mediasoup from 'mediasoup';
import type { types as mst } from 'mediasoup';
import type { ConsumerParameters, TransportOptions } from '@moodroom/shared';
import type { ReceiverSignalling, RtpCapabilities } from '../receiver-process.ts';

/**
 * A real mediasoup Worker and Router on 127.0.0.1 for receiver tests and benchmarks, with the
 * SFU-side half of the receiver's signalling done by direct mediasoup calls (what apps/sfu does
 * over socket.io for the analyzer).
 */
export class LoopbackSfu {
  /** Set when a worker died (e.g. SIGSEGV), so a test can say why media stopped. */
  static workerDeath: Error | null = null;

  private constructor(
    readonly worker: mst.Worker,
    readonly router: mst.Router,
  ) {}

  /**
   * Same video codecs as apps/sfu's routers: VP8 then VP9, no H264 (node-webrtc cannot decode it);
   * `offerH264` adds it, to check that receivers leave it out of their capabilities.
   */
  static async start(options: { offerH264?: boolean } = {}): Promise<LoopbackSfu> {
    const worker = await mediasoup.createWorker({ logLevel: 'warn' });
    worker.on('died', (error) => {
      LoopbackSfu.workerDeath = error;
    });
    const router = await worker.createRouter({
      mediaCodecs: [
        { kind: 'video', mimeType: 'video/VP8', clockRate: 90000, parameters: { 'x-google-start-bitrate': 1000 } },
        { kind: 'video', mimeType: 'video/VP9', clockRate: 90000, parameters: { 'profile-id': 0 } },
        ...(options.offerH264
          ? [{ kind: 'video' as const, mimeType: 'video/H264', clockRate: 90000, parameters: { 'packetization-mode': 1, 'profile-level-id': '42e01f' } }]
          : []),
      ],
    });
    return new LoopbackSfu(worker, router);
  }

  createWebRtcTransport(): Promise<mst.WebRtcTransport> {
    return this.router.createWebRtcTransport({ listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }], enableUdp: true });
  }

  /** Signalling for one receiver consuming `producerId`; records what it created for assertions. */
  receiverSignalling(producerId: string): ReceiverSignalling & { transports: mst.WebRtcTransport[]; consumers: mst.Consumer[] } {
    const transports = new Map<string, mst.WebRtcTransport>();
    const created = { transports: [] as mst.WebRtcTransport[], consumers: [] as mst.Consumer[] };
    const find = (id: string) => {
      const transport = transports.get(id);
      if (!transport) throw new Error(`no transport ${id}`);
      return transport;
    };
    return {
      ...created,
      routerRtpCapabilities: this.router.rtpCapabilities as RtpCapabilities,
      createTransport: async (): Promise<TransportOptions> => {
        const transport = await this.createWebRtcTransport();
        transports.set(transport.id, transport);
        created.transports.push(transport);
        return {
          id: transport.id,
          iceParameters: { ...transport.iceParameters },
          iceCandidates: transport.iceCandidates.map((c) => ({ ...c })),
          dtlsParameters: transport.dtlsParameters as TransportOptions['dtlsParameters'],
        };
      },
      connectTransport: async ({ transportId, dtlsParameters }) => {
        await find(transportId).connect({ dtlsParameters: dtlsParameters as mst.DtlsParameters });
      },
      consume: async ({ transportId, rtpCapabilities }): Promise<ConsumerParameters> => {
        const caps = rtpCapabilities as mst.RtpCapabilities;
        if (!this.router.canConsume({ producerId, rtpCapabilities: caps })) throw new Error('the receiver cannot decode this producer');
        const consumer = await find(transportId).consume({ producerId, rtpCapabilities: caps, paused: true });
        created.consumers.push(consumer);
        return { id: consumer.id, producerId, kind: consumer.kind, rtpParameters: consumer.rtpParameters as ConsumerParameters['rtpParameters'] };
      },
      resumeConsumer: async ({ consumerId }) => {
        const consumer = created.consumers.find((c) => c.id === consumerId);
        if (!consumer) throw new Error(`no consumer ${consumerId}`);
        await consumer.resume();
        await consumer.requestKeyFrame();
      },
      closeTransport: ({ transportId }) => {
        transports.get(transportId)?.close();
        transports.delete(transportId);
      },
    };
  }

  close(): void {
    this.worker.close();
  }
}
