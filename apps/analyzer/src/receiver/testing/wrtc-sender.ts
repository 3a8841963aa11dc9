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
export class WrtcSender {
  readonly sentAt = new Map<number, number>();
  private counter = 0;
  private timer: NodeJS.Timeout | null = null;

  private constructor(
    private readonly options: WrtcSenderOptions,
    private readonly source: { onFrame(frame: { width: number; height: number; data: Uint8Array }): void },
    private readonly track: { stop(): void },
    private readonly transport: msc.Transport,
    readonly producer: msc.Producer,
    readonly serverProducer: mst.Producer,
  ) {}

  static async start(sfu: LoopbackSfu, options: WrtcSenderOptions): Promise<WrtcSender> {
    const wrtc = installWrtcGlobals();
    const device = new Device({ handlerName: 'Chrome111' });
    await device.load({ routerRtpCapabilities: sfu.router.rtpCapabilities as msc.RtpCapabilities });
    const serverTransport = await sfu.createWebRtcTransport();
    const transport = device.createSendTransport({
      id: serverTransport.id,
      iceParameters: serverTransport.iceParameters as msc.IceParameters,
      iceCandidates: serverTransport.iceCandidates as msc.IceCandidate[],
      dtlsParameters: serverTransport.dtlsParameters as msc.DtlsParameters,
      iceServers: [],
    });
    let serverProducer: mst.Producer | null = null;
    transport.on('connect', ({ dtlsParameters }, callback, errback) => {
      serverTransport.connect({ dtlsParameters: dtlsParameters as mst.DtlsParameters }).then(callback, errback);
    });
    transport.on('produce', ({ kind, rtpParameters }, callback, errback) => {
      serverTransport
        .produce({ kind, rtpParameters: rtpParameters as mst.RtpParameters })
        .then((producer) => {
          serverProducer = producer;
          callback({ id: producer.id });
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
    const instance = new WrtcSender(options, source, track, transport, producer, serverProducer!);
    instance.timer = setInterval(() => instance.sendNext(), 1000 / options.fps);
    return instance;
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
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.transport.close();
    this.track.stop();
  }
}
