/**
 * Receiver child process: consumes ONE video track from the SFU with mediasoup-client on
 * node-webrtc, decodes it, caps the frame rate, and writes frames to fd 3 with the binary framing
 * of @moodroom/shared/frames. Control messages travel over the IPC channel (see frames.ts for the
 * protocol); the parent relays everything SFU-bound. Started by receiver-process.ts, never by hand.
 *
 * Lives in its own process because node-webrtc is native code that can crash (and segfaults on
 * some exit paths): a crash here loses one stream, never the analyzer.
 */
import net from 'node:net';
import { Device } from 'mediasoup-client';
import type { types as ms } from 'mediasoup-client';
import {
  FRAME_HEADER_BYTES,
  encodeFrame,
  receiverParentMessageSchema,
  videoFrameByteLength,
  type ReceiverChildMessage,
  type ReceiverOutputFormat,
  type ReceiverParentMessage,
  type ReceiverStats,
} from '@moodroom/shared';
import { FrameRateCap } from './frame-rate-cap.ts';
import { installWrtcGlobals } from './wrtc-globals.ts';

const FRAME_FD = 3;

/** What the decoder hands out (RTCVideoSink 'frame' event). */
interface SinkFrameEvent {
  frame: { width: number; height: number; data: Uint8Array };
}
interface VideoSink {
  stop(): void;
  onframe: ((event: SinkFrameEvent) => void) | null;
}
interface StoppableTrack {
  stop(): void;
}

if (typeof process.send !== 'function') {
  console.error('receiver child: no IPC channel; this process is started by the analyzer (receiver-process.ts), not by hand');
  process.exit(2);
}

const wrtc = installWrtcGlobals();
const frameOut = new net.Socket({ fd: FRAME_FD, readable: false, writable: true });

let settings: { maxFps: number; format: ReceiverOutputFormat; statsIntervalMs: number } | null = null;
let device: Device | null = null;
let transport: ms.Transport | null = null;
let consumer: ms.Consumer | null = null;
let sink: VideoSink | null = null;
let pendingConnect: { resolve: () => void; reject: (error: Error) => void } | null = null;
let statsTimer: NodeJS.Timeout | null = null;
let closing = false;

const stats: ReceiverStats = {
  framesDecoded: 0,
  framesSent: 0,
  framesDroppedRate: 0,
  framesDroppedBackpressure: 0,
  decodeFps: 0,
  width: 0,
  height: 0,
  connectionState: 'new',
};
let decodedAtLastStats = 0;
let lastStatsAt = Date.now();

function send(message: ReceiverChildMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.connected) return resolve();
    process.send!(message, undefined, undefined, () => resolve());
  });
}

function errorText(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, 4000);
}

/**
 * Teardown order matters with node-webrtc (measured): stop the sink, close the peer connection,
 * stop the track, then exit explicitly. Exiting by letting the loop drain after track.stop()
 * segfaults; not stopping the track keeps the process alive forever.
 */
async function shutdown(code: number, reason: string): Promise<never> {
  if (!closing) {
    closing = true;
    if (statsTimer) clearInterval(statsTimer);
    // Both sends are bounded: a dead parent must not keep this process alive.
    await Promise.race([
      (async () => {
        await sendStats();
        await send({ type: 'closing', reason: reason.slice(0, 500) });
      })(),
      new Promise((resolve) => setTimeout(resolve, 500)),
    ]);
    try {
      sink?.stop();
    } catch {}
    try {
      transport?.close(); // pc.close(), then consumer.transportClosed() → track.stop()
    } catch {}
    try {
      (consumer?.track as StoppableTrack | undefined)?.stop();
    } catch {}
    frameOut.destroy();
  }
  process.exit(code);
}

function sendStats(): Promise<void> {
  const now = Date.now();
  const seconds = (now - lastStatsAt) / 1000;
  stats.decodeFps = seconds > 0 ? Math.round(((stats.framesDecoded - decodedAtLastStats) / seconds) * 10) / 10 : 0;
  decodedAtLastStats = stats.framesDecoded;
  lastStatsAt = now;
  return send({ type: 'stats', stats: { ...stats } });
}

function fatal(message: string): Promise<never> {
  return send({ type: 'error', message: message.slice(0, 4000), fatal: true }).then(() => shutdown(1, message));
}

function onFrame(event: SinkFrameEvent, rateCap: FrameRateCap, format: ReceiverOutputFormat): void {
  if (closing) return;
  const now = Date.now();
  const seq = stats.framesDecoded++;
  const { width, height, data } = event.frame;
  stats.width = width;
  stats.height = height;
  // Cheap checks first: a dropped frame costs no conversion and no copy.
  if (!rateCap.admit(now)) {
    stats.framesDroppedRate++;
    return;
  }
  const bytes = videoFrameByteLength(width, height, format);
  // Drop, never queue: if a whole frame is still waiting for the parent to read it, the parent is
  // behind, and a newer frame is worth more than an older one.
  if (frameOut.writableLength >= FRAME_HEADER_BYTES + bytes) {
    stats.framesDroppedBackpressure++;
    return;
  }
  let pixels = data;
  if (format === 'rgba') {
    pixels = new Uint8Array(bytes);
    wrtc.nonstandard.i420ToRgba({ width, height, data }, { width, height, data: pixels });
  }
  // encodeFrame copies the pixels, so node-webrtc may reuse its buffer while the write is pending.
  frameOut.write(encodeFrame({ width, height, format, data: pixels, t: now, seq }));
  stats.framesSent++;
}

async function handleInit(message: Extract<ReceiverParentMessage, { type: 'init' }>): Promise<void> {
  if (device) throw new Error('init received twice');
  settings = { maxFps: message.maxFps, format: message.format, statsIntervalMs: message.statsIntervalMs };
  device = new Device({ handlerName: 'Chrome111' });
  await device.load({ routerRtpCapabilities: message.routerRtpCapabilities as ms.RtpCapabilities });
  if (!device.rtpCapabilities.codecs?.some((c) => c.kind === 'video')) {
    throw new Error('the router offers no video codec this receiver can decode (node-webrtc decodes VP8/VP9/AV1, not H264)');
  }
  const options = message.transport;
  transport = device.createRecvTransport({
    id: options.id,
    iceParameters: options.iceParameters as unknown as ms.IceParameters,
    iceCandidates: options.iceCandidates as unknown as ms.IceCandidate[],
    dtlsParameters: options.dtlsParameters as unknown as ms.DtlsParameters,
    iceServers: [],
  });
  transport.on('connect', ({ dtlsParameters }, callback, errback) => {
    pendingConnect = { resolve: callback, reject: errback };
    void send({ type: 'connectTransport', transportId: options.id, dtlsParameters: dtlsParameters as never });
  });
  transport.on('connectionstatechange', (state) => {
    stats.connectionState = state;
    void sendStats();
    if (state === 'failed') void fatal('the receive transport failed (ICE/DTLS): no media path to the SFU');
  });
  statsTimer = setInterval(() => void sendStats(), settings.statsIntervalMs);
  await send({ type: 'initialized', rtpCapabilities: device.rtpCapabilities as never });
}

async function handleConsume(message: Extract<ReceiverParentMessage, { type: 'consume' }>): Promise<void> {
  if (!transport || !settings) throw new Error('consume received before init');
  if (consumer) throw new Error('this receiver already consumes a track (one track per receiver process)');
  if (message.consumer.kind !== 'video') throw new Error(`the receiver decodes video only, got a ${message.consumer.kind} consumer`);
  consumer = await transport.consume({
    id: message.consumer.id,
    producerId: message.consumer.producerId,
    kind: 'video',
    rtpParameters: message.consumer.rtpParameters as unknown as ms.RtpParameters,
  });
  consumer.on('trackended', () => void shutdown(0, 'the track ended'));
  consumer.on('transportclose', () => void shutdown(0, 'the transport closed'));
  const rateCap = new FrameRateCap(settings.maxFps);
  const format = settings.format;
  sink = new wrtc.nonstandard.RTCVideoSink(consumer.track as never) as unknown as VideoSink;
  sink.onframe = (event) => {
    try {
      onFrame(event, rateCap, format);
    } catch (error) {
      void fatal(`frame handling failed: ${errorText(error)}`);
    }
  };
  await send({ type: 'ready', consumerId: consumer.id });
}

async function handleMessage(raw: unknown): Promise<void> {
  const parsed = receiverParentMessageSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    await fatal(`invalid control message from the parent${issue ? ` at ${issue.path.join('.') || '(root)'}: ${issue.message}` : ''}`);
    return;
  }
  const message = parsed.data;
  switch (message.type) {
    case 'init':
      return handleInit(message);
    case 'consume':
      return handleConsume(message);
    case 'transportConnected':
      pendingConnect?.resolve();
      pendingConnect = null;
      return;
    case 'transportConnectFailed':
      pendingConnect?.reject(new Error(message.message));
      pendingConnect = null;
      return;
    case 'close':
      await shutdown(0, 'closed by the parent');
  }
}

process.on('message', (raw) => {
  handleMessage(raw).catch((error: unknown) => fatal(errorText(error)));
});
// The parent went away (exit, crash, or it closed the channel): nobody reads our frames any more.
process.on('disconnect', () => void shutdown(0, 'the parent disconnected'));
process.on('uncaughtException', (error) => void fatal(`uncaught: ${errorText(error)}`));
process.on('unhandledRejection', (error) => void fatal(`unhandled rejection: ${errorText(error)}`));
process.on('SIGTERM', () => void shutdown(0, 'SIGTERM'));
frameOut.on('error', (error) => void shutdown(1, `frame pipe: ${errorText(error)}`));
