import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { once } from 'node:events';
import { after, before, test } from 'node:test';
import * as mediasoup from 'mediasoup';
import type { types } from 'mediasoup';
import { routerMediaCodecs } from '../src/media-codecs.ts';

/**
 * Real media through the installed worker with SRTP on both sides, at MTU-sized payloads.
 * Guards the offline build's libsrtp 2 compat layer (scripts/setup/mediasoup/subprojects/libsrtp3):
 * a room check against SRTP_MAX_TRAILER_LEN instead of the session's real trailer would silently
 * drop every packet above ~1356 bytes when the worker encrypts into its 1500-byte io_uring buffers.
 *
 *   node UDP ──RTP──▶ plain1 (producer) ─▶ plain2 ══SRTP══▶ plain3 (producer) ─▶ plain4 ──RTP──▶ node UDP
 */
let worker: types.Worker;
before(async () => {
  worker = await mediasoup.createWorker({ logLevel: 'warn' });
});
after(() => worker.close());

const PAYLOAD_SIZES = [160, 1000, 1400];
const SUITES: types.SrtpCryptoSuite[] = ['AES_CM_128_HMAC_SHA1_80', 'AES_CM_128_HMAC_SHA1_32', 'AEAD_AES_256_GCM', 'AEAD_AES_128_GCM'];

for (const suite of SUITES) {
  test(`${suite}: ${PAYLOAD_SIZES.join('/')}-byte RTP payloads survive SRTP encrypt + decrypt in the worker`, async (t) => {
    const router = await worker.createRouter({ mediaCodecs: routerMediaCodecs });
    const sender = dgram.createSocket('udp4');
    const receiver = dgram.createSocket('udp4');
    t.after(() => {
      router.close();
      sender.close();
      receiver.close();
    });
    receiver.bind(0, '127.0.0.1');
    await once(receiver, 'listening');
    const listenInfo = { protocol: 'udp' as const, ip: '127.0.0.1' };

    const plain1 = await router.createPlainTransport({ listenInfo, rtcpMux: true, comedia: true });
    const producer1 = await plain1.produce({
      kind: 'audio',
      rtpParameters: { codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }], encodings: [{ ssrc: 1111 }] },
    });

    const plain2 = await router.createPlainTransport({ listenInfo, rtcpMux: true, comedia: false, enableSrtp: true, srtpCryptoSuite: suite });
    const plain3 = await router.createPlainTransport({ listenInfo, rtcpMux: true, comedia: true, enableSrtp: true, srtpCryptoSuite: suite });
    // Each side decrypts with the parameters the other encrypts with.
    await plain3.connect({ srtpParameters: plain2.srtpParameters! });
    await plain2.connect({ ip: '127.0.0.1', port: plain3.tuple.localPort, srtpParameters: plain3.srtpParameters! });
    const consumer2 = await plain2.consume({ producerId: producer1.id, rtpCapabilities: router.rtpCapabilities });
    const { mid: _mid, ...forwarded } = consumer2.rtpParameters;
    const producer3 = await plain3.produce({ kind: 'audio', rtpParameters: forwarded });

    const plain4 = await router.createPlainTransport({ listenInfo, rtcpMux: true, comedia: false });
    await plain4.connect({ ip: '127.0.0.1', port: receiver.address().port });
    await plain4.consume({ producerId: producer3.id, rtpCapabilities: router.rtpCapabilities });

    const received = new Map<number, number>(); // payload size → packets with intact payload
    let datagrams = 0;
    receiver.on('message', (msg) => {
      datagrams++;
      let offset = 12 + (msg[0]! & 0x0f) * 4;
      if (msg[0]! & 0x10) offset += 4 + msg.readUInt16BE(offset + 2) * 4; // header extensions
      const payload = msg.subarray(offset);
      if (payload.every((b, i) => b === (payload.length + i) % 251)) received.set(payload.length, (received.get(payload.length) ?? 0) + 1);
    });

    const perSize = 30;
    let seq = 0;
    for (let n = 0; n < perSize; n++) {
      for (const size of PAYLOAD_SIZES) {
        const packet = Buffer.alloc(12 + size);
        packet[0] = 0x80;
        packet[1] = 100;
        packet.writeUInt16BE(seq++ & 0xffff, 2);
        packet.writeUInt32BE(seq * 960, 4);
        packet.writeUInt32BE(1111, 8);
        for (let i = 0; i < size; i++) packet[12 + i] = (size + i) % 251;
        sender.send(packet, plain1.tuple.localPort, '127.0.0.1');
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    const deadline = Date.now() + 5000;
    while (PAYLOAD_SIZES.some((s) => (received.get(s) ?? 0) < perSize * 0.9) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));

    const counts = Object.fromEntries(PAYLOAD_SIZES.map((s) => [s, received.get(s) ?? 0]));
    const [stats] = await producer3.getStats();
    t.diagnostic(`intact payloads per size: ${JSON.stringify(counts)} of ${datagrams} datagrams; SRTP-decrypted by plain3: ${stats?.packetCount ?? 0} packets`);
    for (const size of PAYLOAD_SIZES) assert.ok(counts[size]! >= perSize * 0.9, `${size}-byte payloads: ${counts[size]}/${perSize} arrived`);
  });
}

test('reports whether the worker sends through io_uring (where the MTU pitfall bites)', async (t) => {
  const dump = (await worker.dump()) as { liburing?: unknown };
  t.diagnostic(`worker binary: ${mediasoup.workerBin}; liburing: ${JSON.stringify(dump.liburing ?? 'not in use')}`);
});
