import { Device } from 'mediasoup-client';
import type { types as msc } from 'mediasoup-client';
import type { types as mst } from 'mediasoup';
import { installWrtcGlobals } from '../wrtc-globals.ts';
import { stampCounter } from './test-pattern.ts';
import type { LoopbackSfu } from './loopback-sfu.ts';

export interface WrtcSenderOptions {
  /** Source pictures (I420, width x height), played in a loop. */
  frames: Uint8Array[];
  width: number;
  height: number;
  fps: number;
}

/**
 * A real WebRTC sender, like a participant's browser: node-webrtc's RTCVideoSource fed with I420
 * frames, produced into the loopback SFU through mediasoup-client and a WebRtcTransport. Each frame
 * carries its counter in the pixels (test-pattern.ts); `sentAt` maps counter → send time (ms).
 */
/** The SFU calls a publisher needs (one send transport, one video producer). */
export interface PublishSignalling {
  routerRtpCapabilities: unknown;
  createSendTransport(): Promise<{ id: string; iceParameters: unknown; iceCandidates: unknown; dtlsParameters: unknown }>;
  connectTransport(transportId: string, dtlsParameters: unknown): Promise<void>;
  /** Returns the server-side producer id. */
  produce(transportId: string, kind: 'audio' | 'video', rtpParameters: unknown): Promise<string>;
}

export class WrtcSender {
  readonly sentAt = new Map<number, number>();
  private counter = 0;
  private timer: NodeJS.Timeout | null = null;
  private startedAt = 0;

  /** Frames handed to the encoder so far (the first, pre-produce frame not counted). */
  get framesSent(): number {
    return this.counter;
  }

  private constructor(
    private readonly options: WrtcSenderOptions,
    private readonly source: { onFrame(frame: { width: number; height: number; data: Uint8Array }): void },
    private readonly track: { stop(): void },
    private readonly transport: msc.Transport,
    readonly producer: msc.Producer,
    /** The server-side producer id (the SFU's id of this camera). */
    readonly producerId: string,
  ) {}

  /** Publishes straight into a loopback router (receiver tests and benches). */
  static async start(sfu: LoopbackSfu, options: WrtcSenderOptions): Promise<WrtcSender & { serverProducer: mst.Producer }> {
    let serverProducer: mst.Producer | null = null;
    const transports = new Map<string, mst.WebRtcTransport>();
    const sender = await WrtcSender.publish(
      {
        routerRtpCapabilities: sfu.router.rtpCapabilities,
        async createSendTransport() {
          const t = await sfu.createWebRtcTransport();
          transports.set(t.id, t);
          return { id: t.id, iceParameters: t.iceParameters, iceCandidates: t.iceCandidates, dtlsParameters: t.dtlsParameters };
        },
        connectTransport: (transportId, dtlsParameters) => transports.get(transportId)!.connect({ dtlsParameters: dtlsParameters as mst.DtlsParameters }),
        async produce(transportId, kind, rtpParameters) {
          serverProducer = await transports.get(transportId)!.produce({ kind, rtpParameters: rtpParameters as mst.RtpParameters });
          return serverProducer.id;
        },
      },
      options,
    );
    return Object.assign(sender, { serverProducer: serverProducer! });
  }

  /** Publishes through any signalling: e.g. the real SFU as a participant (sfu-participant.ts). */
  static async publish(signalling: PublishSignalling, options: WrtcSenderOptions): Promise<WrtcSender> {
    const wrtc = installWrtcGlobals();
    const device = new Device({ handlerName: 'Chrome111' });
    await device.load({ routerRtpCapabilities: signalling.routerRtpCapabilities as msc.RtpCapabilities });
    const params = await signalling.createSendTransport();
    const transport = device.createSendTransport({
      id: params.id,
      iceParameters: params.iceParameters as msc.IceParameters,
      iceCandidates: params.iceCandidates as msc.IceCandidate[],
      dtlsParameters: params.dtlsParameters as msc.DtlsParameters,
      iceServers: [],
    });
    let producerId = '';
    transport.on('connect', ({ dtlsParameters }, callback, errback) => {
      signalling.connectTransport(params.id, dtlsParameters).then(callback, errback);
    });
    transport.on('produce', ({ kind, rtpParameters }, callback, errback) => {
      signalling.produce(params.id, kind, rtpParameters).then((id) => {
        producerId = id;
        callback({ id });
      }, errback);
    });
    const source = new wrtc.nonstandard.RTCVideoSource();
    const track = source.createTrack();
    // A frame must flow before produce() so the encoder has a resolution to negotiate.
    const first = options.frames[0]!.slice();
    stampCounter(first, options.width, 0);
    source.onFrame({ width: options.width, height: options.height, data: first });
    const producer = await transport.produce({
      track: track as never,
      encodings: [{ maxBitrate: 1_500_000 }],
      codec: device.rtpCapabilities.codecs?.find((c) => c.mimeType.toLowerCase() === 'video/vp8'),
    });
    const instance = new WrtcSender(options, source, track, transport, producer, producerId);
    instance.startedAt = performance.now();
    instance.scheduleNext();
    return instance;
  }

  /**
   * Paced against the start, like a camera: setInterval(1000 / 15) runs every 66 ms (Node rounds
   * the delay down), i.e. 15.15 fps, which a 15 fps rate cap downstream would then have to drop.
   */
  private scheduleNext(): void {
    const due = this.startedAt + ((this.counter + 1) * 1000) / this.options.fps;
    this.timer = setTimeout(() => {
      this.sendNext();
      if (this.timer) this.scheduleNext();
    }, Math.max(0, due - performance.now()));
  }

  private sendNext(): void {
    const counter = ++this.counter;
    const data = this.options.frames[counter % this.options.frames.length]!.slice();
    stampCounter(data, this.options.width, counter);
    this.sentAt.set(counter & 0xffff, Date.now());
    this.source.onFrame({ width: this.options.width, height: this.options.height, data });
  }

  /** The source picture behind a counter (without its stamp). */
  sourceFrame(counter: number): Uint8Array {
    return this.options.frames[counter % this.options.frames.length]!;
  }

  /** Same teardown order as the receiver child: stop feeding, close the pc, stop the track. */
  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.transport.close();
    this.track.stop();
  }
}
