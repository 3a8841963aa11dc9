import { z } from 'zod';
import { dtlsParametersSchema, idSchema, mediaKindSchema, rtpCapabilitiesSchema, rtpParametersSchema, transportOptionsSchema } from './signalling.ts';

/**
 * Decoded video frames as they travel through the analyzer: the frame shape, a compact binary
 * framing for moving frames between processes (receiver child → analyzer), and the control
 * messages between the analyzer and a receiver child process.
 *
 * Kept free of Node APIs (Uint8Array + DataView, no Buffer) so that every app can import the
 * package index.
 */

export const VIDEO_FRAME_FORMATS = ['i420', 'rgba', 'rgb'] as const;
export type VideoFrameFormat = (typeof VIDEO_FRAME_FORMATS)[number];

/** Largest width/height a frame may declare; anything bigger is treated as a corrupt header. */
export const MAX_FRAME_DIMENSION = 4096;

/** One decoded picture: tightly packed rows (no stride padding). */
export interface VideoFrame {
  width: number;
  height: number;
  /** 'i420': planar Y, then U and V at half resolution (rounded up); 'rgba'/'rgb': interleaved. */
  format: VideoFrameFormat;
  data: Uint8Array;
  /** Capture time (recorded video: media time) or receive time (live video), ms since the epoch. */
  t: number;
  /** Per-source frame counter, increasing by one per frame the source produced (gaps = drops). */
  seq: number;
}

/** Bytes a tightly packed frame of this size and format holds. */
export function videoFrameByteLength(width: number, height: number, format: VideoFrameFormat): number {
  switch (format) {
    case 'rgba':
      return width * height * 4;
    case 'rgb':
      return width * height * 3;
    case 'i420':
      return width * height + 2 * Math.ceil(width / 2) * Math.ceil(height / 2);
  }
}

// ---- binary framing ----------------------------------------------------------------------------
//
// Little-endian header, then exactly `byteLength` pixel bytes:
//   0  u8[4] magic "MRVF"     4  u8  version (1)     5  u8  format (0 i420, 1 rgba, 2 rgb)
//   6  u16   reserved (0)     8  u16 width           10 u16 height
//   12 u32   seq              16 f64 t               24 u32 byteLength
// byteLength must equal videoFrameByteLength(width, height, format), so a reader never allocates
// more than a 4096x4096 RGBA frame on the word of a header.

export const FRAME_MAGIC = [0x4d, 0x52, 0x56, 0x46] as const; // "MRVF"
export const FRAME_VERSION = 1;
export const FRAME_HEADER_BYTES = 28;
const FORMAT_CODES: readonly VideoFrameFormat[] = ['i420', 'rgba', 'rgb'];
const MAX_SEQ = 0xffff_ffff;

export class FrameDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FrameDecodeError';
  }
}

function checkFrameFields(width: number, height: number, format: VideoFrameFormat, maxDimension: number): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || width > maxDimension || height > maxDimension) {
    throw new RangeError(`frame size ${width}x${height} is outside 1..${maxDimension} in either dimension`);
  }
  if (!FORMAT_CODES.includes(format)) throw new TypeError(`unknown frame format ${JSON.stringify(format)}: use ${FORMAT_CODES.join(', ')}`);
}

/** The 28-byte header for a frame; write it followed by `frame.data` (e.g. with writev). */
export function encodeFrameHeader(frame: VideoFrame): Uint8Array {
  checkFrameFields(frame.width, frame.height, frame.format, MAX_FRAME_DIMENSION);
  const byteLength = videoFrameByteLength(frame.width, frame.height, frame.format);
  if (frame.data.length !== byteLength) {
    throw new RangeError(`a ${frame.width}x${frame.height} ${frame.format} frame holds ${byteLength} bytes, got ${frame.data.length}`);
  }
  if (!Number.isInteger(frame.seq) || frame.seq < 0 || frame.seq > MAX_SEQ) throw new RangeError(`frame seq ${frame.seq} is not a u32`);
  if (!Number.isFinite(frame.t)) throw new RangeError(`frame t ${frame.t} is not a finite number`);
  const header = new Uint8Array(FRAME_HEADER_BYTES);
  const view = new DataView(header.buffer);
  header.set(FRAME_MAGIC, 0);
  view.setUint8(4, FRAME_VERSION);
  view.setUint8(5, FORMAT_CODES.indexOf(frame.format));
  view.setUint16(8, frame.width, true);
  view.setUint16(10, frame.height, true);
  view.setUint32(12, frame.seq, true);
  view.setFloat64(16, frame.t, true);
  view.setUint32(24, byteLength, true);
  return header;
}

/** Header and pixels in one buffer (one copy of the pixels). */
export function encodeFrame(frame: VideoFrame): Uint8Array {
  const header = encodeFrameHeader(frame);
  const out = new Uint8Array(FRAME_HEADER_BYTES + frame.data.length);
  out.set(header, 0);
  out.set(frame.data, FRAME_HEADER_BYTES);
  return out;
}

interface FrameHeader {
  width: number;
  height: number;
  format: VideoFrameFormat;
  seq: number;
  t: number;
  byteLength: number;
}

function parseHeader(header: Uint8Array, maxDimension: number, offset: number): FrameHeader {
  const at = `frame header at stream byte ${offset}`;
  for (let i = 0; i < FRAME_MAGIC.length; i++) {
    if (header[i] !== FRAME_MAGIC[i]) throw new FrameDecodeError(`${at}: bad magic (not a Moodroom frame stream, or the stream lost sync)`);
  }
  const view = new DataView(header.buffer, header.byteOffset, header.byteLength);
  const version = view.getUint8(4);
  if (version !== FRAME_VERSION) throw new FrameDecodeError(`${at}: unsupported version ${version} (this reader speaks ${FRAME_VERSION})`);
  const format = FORMAT_CODES[view.getUint8(5)];
  if (format === undefined) throw new FrameDecodeError(`${at}: unknown format code ${view.getUint8(5)}`);
  if (view.getUint16(6, true) !== 0) throw new FrameDecodeError(`${at}: reserved bytes are not zero`);
  const width = view.getUint16(8, true);
  const height = view.getUint16(10, true);
  if (width < 1 || height < 1 || width > maxDimension || height > maxDimension) {
    throw new FrameDecodeError(`${at}: size ${width}x${height} is outside 1..${maxDimension}`);
  }
  const seq = view.getUint32(12, true);
  const t = view.getFloat64(16, true);
  if (!Number.isFinite(t)) throw new FrameDecodeError(`${at}: timestamp is not a finite number`);
  const byteLength = view.getUint32(24, true);
  const expected = videoFrameByteLength(width, height, format);
  if (byteLength !== expected) {
    throw new FrameDecodeError(`${at}: declares ${byteLength} bytes but a ${width}x${height} ${format} frame holds ${expected}`);
  }
  return { width, height, format, seq, t, byteLength };
}

export interface FrameDecoderOptions {
  /** Largest accepted width/height (default MAX_FRAME_DIMENSION). */
  maxDimension?: number;
}

/**
 * Streaming parser for a byte stream of encoded frames: feed it chunks as they arrive (any split,
 * any size) and it returns the frames completed by each chunk. A corrupt header throws a
 * FrameDecodeError and leaves the decoder failed (the stream has lost sync; every later push
 * throws too), because guessing where the next frame starts could deliver garbage pictures.
 */
export class FrameDecoder {
  private readonly maxDimension: number;
  private readonly header = new Uint8Array(FRAME_HEADER_BYTES);
  private headerFilled = 0;
  private current: { header: FrameHeader; data: Uint8Array; filled: number } | null = null;
  private failure: FrameDecodeError | null = null;
  private consumed = 0;

  constructor(options: FrameDecoderOptions = {}) {
    this.maxDimension = Math.min(options.maxDimension ?? MAX_FRAME_DIMENSION, MAX_FRAME_DIMENSION);
  }

  /** Bytes held for a frame that is not complete yet (0 at a frame boundary). */
  get pendingBytes(): number {
    return this.current ? FRAME_HEADER_BYTES + this.current.filled : this.headerFilled;
  }

  push(chunk: Uint8Array): VideoFrame[] {
    if (this.failure) throw this.failure;
    const frames: VideoFrame[] = [];
    let offset = 0;
    while (offset < chunk.length) {
      if (!this.current) {
        const take = Math.min(FRAME_HEADER_BYTES - this.headerFilled, chunk.length - offset);
        this.header.set(chunk.subarray(offset, offset + take), this.headerFilled);
        this.headerFilled += take;
        offset += take;
        if (this.headerFilled < FRAME_HEADER_BYTES) break;
        let header: FrameHeader;
        try {
          header = parseHeader(this.header, this.maxDimension, this.consumed);
        } catch (error) {
          this.failure = error as FrameDecodeError;
          throw error;
        }
        this.headerFilled = 0;
        this.current = { header, data: new Uint8Array(header.byteLength), filled: 0 };
      }
      const frame = this.current;
      const take = Math.min(frame.data.length - frame.filled, chunk.length - offset);
      frame.data.set(chunk.subarray(offset, offset + take), frame.filled);
      frame.filled += take;
      offset += take;
      if (frame.filled === frame.data.length) {
        const { width, height, format, seq, t } = frame.header;
        frames.push({ width, height, format, seq, t, data: frame.data });
        this.consumed += FRAME_HEADER_BYTES + frame.data.length;
        this.current = null;
      }
    }
    return frames;
  }
}

// ---- receiver child control protocol -----------------------------------------------------------
//
// One receiver child process consumes one video track. The analyzer (parent) relays between the
// child and the SFU; the child never talks to the SFU itself:
//   parent → child  init { routerRtpCapabilities, transport, maxFps, format }
//   child  → parent initialized { rtpCapabilities }        (parent: SFU consume with these)
//   parent → child  consume { consumer }
//   child  → parent connectTransport { dtlsParameters }    (parent: SFU connectTransport)
//   parent → child  transportConnected | transportConnectFailed
//   child  → parent ready { consumerId }                   (parent: SFU resume + key frame)
//   child  → parent stats (periodically), error, closing
//   parent → child  close                                  (or the IPC channel closing)

export const RECEIVER_OUTPUT_FORMATS = ['i420', 'rgba'] as const;
export type ReceiverOutputFormat = (typeof RECEIVER_OUTPUT_FORMATS)[number];

export const consumerParametersSchema = z.object({
  id: idSchema,
  producerId: idSchema,
  kind: mediaKindSchema,
  rtpParameters: rtpParametersSchema,
});
export type ConsumerParameters = z.infer<typeof consumerParametersSchema>;

export const receiverParentMessageSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('init'),
    routerRtpCapabilities: rtpCapabilitiesSchema,
    transport: transportOptionsSchema,
    /** Frames per second the child forwards at most; extra decoded frames are dropped in the child. */
    maxFps: z.number().positive().max(120),
    format: z.enum(RECEIVER_OUTPUT_FORMATS),
    /** How often the child reports stats, ms. */
    statsIntervalMs: z.number().int().min(100).max(60_000),
  }),
  z.object({ type: z.literal('consume'), consumer: consumerParametersSchema }),
  z.object({ type: z.literal('transportConnected') }),
  z.object({ type: z.literal('transportConnectFailed'), message: z.string().max(2000) }),
  z.object({ type: z.literal('close') }),
]);
export type ReceiverParentMessage = z.infer<typeof receiverParentMessageSchema>;

export const receiverStatsSchema = z.object({
  /** Frames the decoder handed out. */
  framesDecoded: z.number().int().nonnegative(),
  /** Frames written to the parent. */
  framesSent: z.number().int().nonnegative(),
  /** Dropped by the max-fps cap. */
  framesDroppedRate: z.number().int().nonnegative(),
  /** Dropped because the parent had not read the previous frame yet (drop, never queue). */
  framesDroppedBackpressure: z.number().int().nonnegative(),
  /** Decoded frames per second over the last stats period. */
  decodeFps: z.number().nonnegative(),
  /** Last decoded size (0 before the first frame). */
  width: z.number().int().nonnegative(),
  height: z.number().int().nonnegative(),
  /** ICE/DTLS state of the receive transport (mediasoup-client's connectionstatechange). */
  connectionState: z.string().max(32),
});
export type ReceiverStats = z.infer<typeof receiverStatsSchema>;

export const receiverChildMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('initialized'), rtpCapabilities: rtpCapabilitiesSchema }),
  z.object({ type: z.literal('connectTransport'), transportId: idSchema, dtlsParameters: dtlsParametersSchema }),
  z.object({ type: z.literal('ready'), consumerId: idSchema }),
  z.object({ type: z.literal('stats'), stats: receiverStatsSchema }),
  /** fatal: the child is exiting after this. */
  z.object({ type: z.literal('error'), message: z.string().max(4000), fatal: z.boolean() }),
  z.object({ type: z.literal('closing'), reason: z.string().max(500) }),
]);
export type ReceiverChildMessage = z.infer<typeof receiverChildMessageSchema>;
