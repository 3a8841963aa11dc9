import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { cacheDir, repoRoot } from './paths.ts';

const run = promisify(execFile);

export interface FakeMedia {
  /** .y4m (yuv420p) for --use-file-for-fake-video-capture; Chromium loops it. */
  video: string;
  /** .wav for --use-file-for-fake-audio-capture. */
  audio: string;
}

export const DEFAULT_FACE = path.join(repoRoot, 'fixtures/faces/astronaut.png');

/**
 * Makes the fake camera and microphone files once and caches them in .cache/e2e/ (a 4 s 640x480
 * 15 fps y4m is ~27 MB, so it is generated, never committed). The video is the still face with a
 * slow zoom, so frames differ like a real camera's; the audio is a sine tone.
 * `brightness` scales every pixel (e.g. 0.15 for a badly lit room); `pattern` replaces the image by
 * an ffmpeg lavfi source (e.g. `gradients` for a camera that sees no face), cached under `name`.
 */
export async function ensureFakeMedia(
  options: { image?: string; toneHz?: number; seconds?: number; brightness?: number; pattern?: { lavfi: string; name: string } } = {},
): Promise<FakeMedia> {
  const image = options.image ?? DEFAULT_FACE;
  const toneHz = options.toneHz ?? 440;
  const seconds = options.seconds ?? 4;
  mkdirSync(cacheDir, { recursive: true });
  const brightness = options.brightness ?? 1;
  const base = options.pattern?.name ?? path.basename(image, path.extname(image));
  const variant = brightness === 1 ? '' : `-b${brightness}`;
  const video = path.join(cacheDir, `${base}${variant}-640x480-15fps-${seconds}s-v1.y4m`);
  const audio = path.join(cacheDir, `tone-${toneHz}hz-${seconds}s-v1.wav`);
  const frames = seconds * 15;
  if (!existsSync(video)) {
    const tmp = `${video}.tmp.y4m`;
    await run('ffmpeg', [
      '-hide_banner', '-loglevel', 'error', '-y',
      ...(options.pattern ? ['-f', 'lavfi', '-i', options.pattern.lavfi] : ['-loop', '1', '-framerate', '15', '-i', image]),
      '-vf', `scale=-2:480,pad=640:480:(ow-iw)/2:0:color=0x334155,zoompan=z='1+0.002*on':x='iw/2-iw/zoom/2':y='ih/2-ih/zoom/2':d=1:s=640x480:fps=15${
        brightness === 1 ? '' : `,colorchannelmixer=rr=${brightness}:gg=${brightness}:bb=${brightness}`
      },format=yuv420p`,
      '-frames:v', String(frames), '-f', 'yuv4mpegpipe', tmp,
    ]);
    renameSync(tmp, video);
  }
  if (!existsSync(audio)) {
    const tmp = `${audio}.tmp.wav`;
    await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', `sine=frequency=${toneHz}:duration=${seconds}:sample_rate=48000`, '-ac', '1', tmp]);
    renameSync(tmp, audio);
  }
  return { video, audio };
}
