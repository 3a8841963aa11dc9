/**
 * Receiver benchmark: CPU % of each receiver child and capture-to-parent latency, for 1 and 4
 * streams of real face video (VP8 640x480 @ 15 fps over loopback WebRTC through mediasoup),
 * comparing I420 output (decoder's format, no conversion) with RGBA output (converted in the child).
 *
 *   npx tsx src/receiver/bench/receiver.bench.ts [seconds=10]
 *
 * Latency = time the parent got the frame − time the sender handed it to the encoder (same
 * process, same clock), matched by a counter stamped into the pixels.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ReceiverOutputFormat } from '@moodroom/shared';
import { ReceiverProcess } from '../receiver-process.ts';
import { faceClipI420 } from '../testing/face-clip.ts';
import { LoopbackSfu } from '../testing/loopback-sfu.ts';
import { readCounter } from '../testing/test-pattern.ts';
import { WrtcSender } from '../testing/wrtc-sender.ts';

const ASTRONAUT = fileURLToPath(new URL('../../../../../fixtures/faces/astronaut.png', import.meta.url));
const WIDTH = 640;
const HEIGHT = 480;
const FPS = 15;
const SECONDS = Number(process.argv[2] ?? 10);
const CLOCK_TICKS = 100; // USER_HZ on Linux

function cpuTicks(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime + stime (fields 14, 15 of stat)
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;

async function run(sfu: LoopbackSfu, sender: WrtcSender, streams: number, format: ReceiverOutputFormat) {
  const receivers = Array.from({ length: streams }, (_, i) => new ReceiverProcess({ signalling: sfu.receiverSignalling(sender.producerId), maxFps: FPS, format, label: `bench-${i}` }));
  const latencies: number[] = [];
  let measuring = false;
  for (const receiver of receivers) {
    receiver.frames$.subscribe({
      next: (frame) => {
        if (!measuring) return;
        // The stamp lives in the Y plane; RGBA frames carry it as grey levels in every channel.
        const y = format === 'i420' ? frame.data : Uint8Array.from({ length: WIDTH * 16 }, (_, i) => frame.data[i * 4]!);
        const sentAt = sender.sentAt.get(readCounter(y, WIDTH));
        if (sentAt !== undefined) latencies.push(Date.now() - sentAt);
      },
      error: (error) => console.error(`  ${String(error)}`),
    });
  }
  await Promise.all(receivers.map((r) => r.start()));
  await new Promise((r) => setTimeout(r, 3000)); // warm-up: key frame, bitrate ramp
  const ticksBefore = receivers.map((r) => cpuTicks(r.pid!));
  const framesBefore = receivers.map((r) => r.stats.framesReceived);
  const t0 = Date.now();
  measuring = true;
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  measuring = false;
  const wall = (Date.now() - t0) / 1000;
  const cpu = receivers.map((r, i) => ((cpuTicks(r.pid!) - ticksBefore[i]!) / CLOCK_TICKS / wall) * 100);
  const fps = receivers.map((r, i) => (r.stats.framesReceived - framesBefore[i]!) / wall);
  await Promise.all(receivers.map((r) => r.close()));
  latencies.sort((a, b) => a - b);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  console.log(
    `${streams} stream(s), ${format.padEnd(4)}: child CPU ${mean(cpu).toFixed(1)} % of a core per stream ` +
      `(total ${cpu.reduce((a, b) => a + b, 0).toFixed(1)} %), ${mean(fps).toFixed(1)} fps per stream, ` +
      `latency p50 ${percentile(latencies, 0.5)} ms, p95 ${percentile(latencies, 0.95)} ms (n=${latencies.length})`,
  );
}

const sfu = await LoopbackSfu.start();
try {
  const frames = await faceClipI420(ASTRONAUT, { width: WIDTH, height: HEIGHT, frames: 60 });
  const sender = await WrtcSender.start(sfu, { frames, width: WIDTH, height: HEIGHT, fps: FPS });
  console.log(`receiver bench: VP8 ${WIDTH}x${HEIGHT} @ ${FPS} fps, ${SECONDS} s per run, ${(await import('node:os')).cpus().length} cores`);
  for (const streams of [1, 4]) for (const format of ['i420', 'rgba'] as const) await run(sfu, sender, streams, format);
  sender.close();
} finally {
  sfu.close();
}
// node-webrtc in this process (the sender): exit explicitly, see README "Shutdown".
process.exit(0);
