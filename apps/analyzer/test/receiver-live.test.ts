import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { VideoFrame } from '@moodroom/shared';
import { ReceiverCrashedError, ReceiverProcess } from '../src/receiver/index.ts';
import { faceClipI420 } from '../src/receiver/testing/face-clip.ts';
import { LoopbackSfu } from '../src/receiver/testing/loopback-sfu.ts';
import { lumaBlockDifference, readCounter } from '../src/receiver/testing/test-pattern.ts';
import { WrtcSender } from '../src/receiver/testing/wrtc-sender.ts';

// This process sends with node-webrtc (the sender); node-webrtc segfaults in its native
// destructors when a process that used it exits on its own, so exit explicitly once all tests have
// reported (server-side-decode notes: "shutdown pitfall").
process.once('beforeExit', (code) => process.exit(code));

/**
 * Real media end to end, on 127.0.0.1: a WebRTC sender (node-webrtc + mediasoup-client, like a
 * browser) publishes real face frames (VP8, 320x240, 15 fps) into a real mediasoup router;
 * receiver children consume them through their own WebRtcTransports, decode and pipe frames back.
 */

const ASTRONAUT = fileURLToPath(new URL('../../../fixtures/faces/astronaut.png', import.meta.url));
const CHILD_SCRIPT = fileURLToPath(new URL('../src/receiver/child.ts', import.meta.url));
const WIDTH = 320;
const HEIGHT = 240;
const SOURCE_FPS = 15;

let sfu: LoopbackSfu | null = null;
let sender: WrtcSender | null = null;
let skipReason: string | false = false;

function receiverChildren(): number[] {
  return readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .filter((e) => {
      try {
        return readFileSync(`/proc/${e}/cmdline`, 'utf8').includes(CHILD_SCRIPT);
      } catch {
        return false;
      }
    })
    .map(Number);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Explains a media failure: most often the mediasoup worker itself died. */
function why(): string {
  return LoopbackSfu.workerDeath
    ? ` — the mediasoup worker died (${LoopbackSfu.workerDeath.message}); a worker that crashes in the DTLS handshake means a broken worker build (see src/receiver/README.md, "Known problem")`
    : '';
}

interface Collected {
  frames: VideoFrame[];
  receivedAt: number[];
  error: unknown;
  done: boolean;
}

function collect(receiver: ReceiverProcess): Collected {
  const out: Collected = { frames: [], receivedAt: [], error: null, done: false };
  receiver.frames$.subscribe({
    next: (f) => {
      out.frames.push(f);
      out.receivedAt.push(Date.now());
    },
    error: (e) => {
      out.error = e;
      out.done = true;
    },
    complete: () => (out.done = true),
  });
  return out;
}

before(async () => {
  try {
    sfu = await LoopbackSfu.start();
  } catch (error) {
    skipReason = `mediasoup cannot start a worker here (${(error as Error).message}); build it with scripts/setup/mediasoup-worker.sh`;
    return;
  }
  const frames = await faceClipI420(ASTRONAUT, { width: WIDTH, height: HEIGHT, frames: 30 });
  try {
    sender = await WrtcSender.start(sfu, { frames, width: WIDTH, height: HEIGHT, fps: SOURCE_FPS });
  } catch (error) {
    throw new Error(`the test sender could not publish into mediasoup: ${(error as Error).message}${why()}`);
  }
});

after(async () => {
  sender?.close();
  sfu?.close();
  const deadline = Date.now() + 5000;
  while (receiverChildren().length > 0 && Date.now() < deadline) await sleep(50);
  assert.deepEqual(receiverChildren(), [], 'no receiver child process is left behind');
});

describe('receiver with real media', { timeout: 60_000 }, () => {
  it('decodes the face video at the capped rate, with the right picture; a killed child does not hurt another', { skip: skipReason }, async (t) => {
    if (skipReason || !sfu || !sender) return t.skip(skipReason || 'no sender');
    const producerId = sender.producerId;
    const capped = new ReceiverProcess({ signalling: sfu.receiverSignalling(producerId), maxFps: 5, label: 'capped' });
    const full = new ReceiverProcess({ signalling: sfu.receiverSignalling(producerId), maxFps: 30, format: 'rgba', label: 'full' });
    const cappedOut = collect(capped);
    const fullOut = collect(full);
    try {
      await Promise.all([capped.start(), full.start()]);
    } catch (error) {
      assert.fail(`receiver setup failed: ${(error as Error).message}${why()}`);
    }

    // First frames within a few seconds (key frame requested on resume).
    const firstDeadline = Date.now() + 8000;
    while ((cappedOut.frames.length === 0 || fullOut.frames.length === 0) && Date.now() < firstDeadline) await sleep(50);
    assert.ok(cappedOut.frames.length > 0 && fullOut.frames.length > 0, `no frames arrived within 8 s${why()}`);

    // Measure over 4 s of steady state.
    const startCapped = cappedOut.frames.length;
    const startFull = fullOut.frames.length;
    await sleep(4000);
    const cappedFps = (cappedOut.frames.length - startCapped) / 4;
    const fullFps = (fullOut.frames.length - startFull) / 4;
    assert.ok(cappedFps >= 3.5 && cappedFps <= 5.5, `capped receiver got ${cappedFps} fps, cap 5${why()}`);
    assert.ok(fullFps >= 10, `uncapped receiver got ${fullFps} fps from a ${SOURCE_FPS} fps source${why()}`);
    assert.ok(capped.stats.framesDroppedRate > 0, 'the cap dropped frames in the child');
    assert.ok(capped.stats.decodeFps >= 10, `the child decoded at ${capped.stats.decodeFps} fps`);

    // Size, format, ordering.
    for (const f of cappedOut.frames) {
      assert.deepEqual([f.width, f.height, f.format, f.data.length], [WIDTH, HEIGHT, 'i420', WIDTH * HEIGHT * 1.5]);
    }
    for (const f of fullOut.frames) assert.deepEqual([f.width, f.height, f.format, f.data.length], [WIDTH, HEIGHT, 'rgba', WIDTH * HEIGHT * 4]);
    for (let i = 1; i < cappedOut.frames.length; i++) assert.ok(cappedOut.frames[i]!.seq > cappedOut.frames[i - 1]!.seq);

    // Content: each received frame's stamp names its source frame, and the picture matches that
    // source (downscaled luma comparison) far better than a different source frame.
    const recent = cappedOut.frames.slice(-10);
    let matched = 0;
    for (const frame of recent) {
      const counter = readCounter(frame.data, WIDTH);
      assert.ok(sender.sentAt.has(counter), `stamp ${counter} was never sent`);
      const same = lumaBlockDifference(frame.data, sender.sourceFrame(counter), WIDTH, HEIGHT);
      const other = lumaBlockDifference(frame.data, sender.sourceFrame(counter + 15), WIDTH, HEIGHT);
      assert.ok(same < 8, `frame ${counter} differs from its source by ${same.toFixed(1)}`);
      if (other > same + 2) matched++;
    }
    assert.ok(matched >= 8, `only ${matched}/10 frames were told apart from another source frame`);

    // Kill one child: its stream errors with a clear report, the other stream keeps flowing.
    const beforeKill = fullOut.frames.length;
    process.kill(capped.pid!, 'SIGKILL');
    const killDeadline = Date.now() + 3000;
    while (!cappedOut.done && Date.now() < killDeadline) await sleep(20);
    assert.ok(cappedOut.error instanceof ReceiverCrashedError, `capped stream ended with ${String(cappedOut.error)}`);
    assert.equal(cappedOut.error.exit?.signal, 'SIGKILL');
    await sleep(1000);
    assert.ok(fullOut.frames.length - beforeKill >= 8, 'the other receiver kept receiving after the crash');

    const exit = await full.close();
    assert.equal(exit.code, 0, `clean exit expected, got ${JSON.stringify(exit)}`);
    assert.equal(fullOut.done && fullOut.error, null);
  });
});
