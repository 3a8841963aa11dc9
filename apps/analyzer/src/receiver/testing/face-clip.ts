import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { videoFrameByteLength } from '@moodroom/shared';

const run = promisify(execFile);

/**
 * Real face frames for tests and benchmarks: a slow zoom over a still photo (ffmpeg zoompan),
 * decoded to raw I420 in memory. Needs Debian's ffmpeg.
 */
export function faceClipI420(imagePath: string, options: { width: number; height: number; frames: number }): Promise<Uint8Array[]> {
  return faceClip(imagePath, { ...options, format: 'i420' });
}

/** The same clip in I420 (what publishers encode) or packed RGB (what image pipelines such as Human take). */
export async function faceClip(imagePath: string, options: { width: number; height: number; frames: number; format: 'i420' | 'rgb' }): Promise<Uint8Array[]> {
  const { width, height, frames, format } = options;
  const side = Math.max(width, height);
  const filter = [
    `scale=${side}:${side}`,
    `zoompan=z='min(1+0.01*on,1.4)':x='iw/2-(iw/zoom/2)':y='ih/2-(ih/zoom/2)':d=${frames}:s=${side}x${side}`,
    `crop=${width}:${height}`,
  ].join(',');
  const { stdout } = await run(
    'ffmpeg',
    ['-v', 'error', '-i', imagePath, '-vf', filter, '-frames:v', String(frames), '-f', 'rawvideo', '-pix_fmt', format === 'rgb' ? 'rgb24' : 'yuv420p', 'pipe:1'],
    { encoding: 'buffer', maxBuffer: 512 * 1024 * 1024 },
  );
  const size = format === 'rgb' ? width * height * 3 : videoFrameByteLength(width, height, 'i420');
  if (stdout.length !== size * frames) throw new Error(`ffmpeg produced ${stdout.length} bytes, expected ${frames} frames of ${size}`);
  return Array.from({ length: frames }, (_, i) => new Uint8Array(stdout.buffer, stdout.byteOffset + i * size, size).slice());
}
