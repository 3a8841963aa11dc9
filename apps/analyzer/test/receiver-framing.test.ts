import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  FRAME_HEADER_BYTES,
  FrameDecodeError,
  FrameDecoder,
  encodeFrame,
  encodeFrameHeader,
  receiverChildMessageSchema,
  receiverParentMessageSchema,
  videoFrameByteLength,
  type VideoFrame,
} from '@moodroom/shared';

function makeFrame(width: number, height: number, format: VideoFrame['format'], seq: number): VideoFrame {
  const data = new Uint8Array(videoFrameByteLength(width, height, format));
  for (let i = 0; i < data.length; i++) data[i] = (i * 31 + seq) & 0xff;
  return { width, height, format, data, t: 1_700_000_000_000 + seq * 66.67, seq };
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

describe('frame byte lengths', () => {
  it('rounds I420 chroma planes up for odd sizes', () => {
    assert.equal(videoFrameByteLength(640, 480, 'i420'), 640 * 480 * 1.5);
    assert.equal(videoFrameByteLength(3, 3, 'i420'), 9 + 2 * 2 * 2);
    assert.equal(videoFrameByteLength(5, 4, 'rgb'), 60);
    assert.equal(videoFrameByteLength(5, 4, 'rgba'), 80);
  });
});

describe('frame framing', () => {
  it('round-trips frames of every format, including odd sizes', () => {
    const frames = [makeFrame(320, 240, 'i420', 0), makeFrame(7, 5, 'i420', 1), makeFrame(16, 9, 'rgba', 2), makeFrame(3, 3, 'rgb', 0xffff_ffff)];
    const decoder = new FrameDecoder();
    const out = decoder.push(concat(frames.map(encodeFrame)));
    assert.equal(out.length, frames.length);
    out.forEach((frame, i) => assert.deepEqual(frame, frames[i]));
    assert.equal(decoder.pendingBytes, 0);
  });

  it('reassembles frames from chunks split at every possible size', () => {
    const frames = [makeFrame(8, 6, 'i420', 10), makeFrame(4, 4, 'rgba', 11), makeFrame(6, 2, 'rgb', 12)];
    const stream = concat(frames.map(encodeFrame));
    for (const chunkSize of [1, 2, 3, 7, FRAME_HEADER_BYTES - 1, FRAME_HEADER_BYTES, FRAME_HEADER_BYTES + 1, 50, stream.length]) {
      const decoder = new FrameDecoder();
      const out: VideoFrame[] = [];
      for (let i = 0; i < stream.length; i += chunkSize) out.push(...decoder.push(stream.subarray(i, i + chunkSize)));
      assert.equal(out.length, 3, `chunk size ${chunkSize}`);
      out.forEach((frame, i) => assert.deepEqual(frame, frames[i], `chunk size ${chunkSize}, frame ${i}`));
    }
  });

  it('holds a partial frame until the rest arrives', () => {
    const encoded = encodeFrame(makeFrame(10, 10, 'rgb', 3));
    const decoder = new FrameDecoder();
    assert.deepEqual(decoder.push(encoded.subarray(0, 100)), []);
    assert.equal(decoder.pendingBytes, 100);
    const [frame] = decoder.push(encoded.subarray(100));
    assert.equal(frame?.seq, 3);
  });

  it('copies pixel bytes out of the chunk (the caller may reuse its buffer)', () => {
    const encoded = encodeFrame(makeFrame(2, 2, 'rgba', 1));
    const [frame] = new FrameDecoder().push(encoded);
    encoded.fill(0);
    assert.notEqual(frame!.data[1], 0);
  });

  it('rejects bad magic, version, format, reserved bytes and sizes with a clear error', () => {
    const good = encodeFrame(makeFrame(4, 4, 'rgb', 0));
    const corrupt = (offset: number, value: number) => {
      const copy = good.slice();
      copy[offset] = value;
      return copy;
    };
    const cases: [Uint8Array, RegExp][] = [
      [corrupt(0, 0x00), /bad magic/],
      [corrupt(4, 9), /unsupported version 9/],
      [corrupt(5, 7), /unknown format code 7/],
      [corrupt(6, 1), /reserved/],
      [corrupt(9, 0x20), /size 8196x4 is outside 1\.\.4096/], // width 0x2004
      [corrupt(10, 0), /size 4x0/],
      [corrupt(24, 0xff), /declares .* bytes but a 4x4 rgb frame holds 48/],
    ];
    for (const [bytes, message] of cases) {
      assert.throws(() => new FrameDecoder().push(bytes), (error: unknown) => error instanceof FrameDecodeError && message.test(error.message));
    }
  });

  it('never allocates from an unchecked length: a huge declared length fails before any allocation', () => {
    const header = encodeFrameHeader(makeFrame(1, 1, 'rgba', 0));
    const view = new DataView(header.buffer);
    view.setUint16(8, 4096, true);
    view.setUint16(10, 4096, true);
    view.setUint32(24, 0xffff_ffff, true);
    assert.throws(() => new FrameDecoder().push(header), /declares 4294967295 bytes/);
  });

  it('honours a smaller dimension cap', () => {
    assert.throws(() => new FrameDecoder({ maxDimension: 64 }).push(encodeFrame(makeFrame(65, 2, 'rgb', 0))), /outside 1\.\.64/);
  });

  it('stays failed after a corrupt header (the stream has lost sync)', () => {
    const decoder = new FrameDecoder();
    const good = encodeFrame(makeFrame(2, 2, 'rgb', 0));
    assert.throws(() => decoder.push(new Uint8Array(FRAME_HEADER_BYTES)), FrameDecodeError);
    assert.throws(() => decoder.push(good), FrameDecodeError);
  });

  it('reports where in the stream the corrupt header starts', () => {
    const good = encodeFrame(makeFrame(2, 2, 'rgb', 0));
    const decoder = new FrameDecoder();
    assert.equal(decoder.push(good).length, 1);
    assert.throws(() => decoder.push(new Uint8Array(FRAME_HEADER_BYTES)), new RegExp(`stream byte ${good.length}:`));
  });

  it('refuses to encode inconsistent frames', () => {
    assert.throws(() => encodeFrame({ ...makeFrame(4, 4, 'rgb', 0), data: new Uint8Array(10) }), /holds 48 bytes, got 10/);
    assert.throws(() => encodeFrame(makeFrame(4097, 1, 'rgb', 0)), /outside 1\.\.4096/);
    assert.throws(() => encodeFrame({ ...makeFrame(2, 2, 'rgb', 0), seq: -1 }), /not a u32/);
    assert.throws(() => encodeFrame({ ...makeFrame(2, 2, 'rgb', 0), t: Number.NaN }), /not a finite number/);
    assert.throws(() => encodeFrame({ ...makeFrame(2, 2, 'rgb', 0), format: 'yuv' as never }), /unknown frame format/);
  });
});

describe('receiver control messages', () => {
  it('accepts the protocol messages and rejects malformed ones', () => {
    assert.ok(receiverParentMessageSchema.safeParse({ type: 'close' }).success);
    assert.ok(receiverParentMessageSchema.safeParse({ type: 'transportConnectFailed', message: 'no' }).success);
    assert.equal(receiverParentMessageSchema.safeParse({ type: 'init', maxFps: 10 }).success, false);
    assert.equal(receiverParentMessageSchema.safeParse({ type: 'reboot' }).success, false);
    assert.ok(receiverChildMessageSchema.safeParse({ type: 'ready', consumerId: 'c1' }).success);
    assert.equal(receiverChildMessageSchema.safeParse({ type: 'ready' }).success, false);
    assert.equal(
      receiverChildMessageSchema.safeParse({ type: 'stats', stats: { framesDecoded: -1 } }).success,
      false,
    );
    assert.equal(
      receiverParentMessageSchema.safeParse({
        type: 'init',
        routerRtpCapabilities: { codecs: [] },
        transport: { id: 't', iceParameters: {}, iceCandidates: [], dtlsParameters: { fingerprints: [{ algorithm: 'sha-256', value: 'AA' }] } },
        maxFps: 1000,
        format: 'i420',
        statsIntervalMs: 1000,
      }).success,
      false,
      'maxFps above 120 is refused',
    );
  });
});
