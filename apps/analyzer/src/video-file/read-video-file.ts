import { execFile, spawn } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { Observable } from 'rxjs';
import { MAX_FRAME_DIMENSION, videoFrameByteLength, type VideoFrame, type VideoFrameFormat } from '@moodroom/shared';

/**
 * Recorded video as decoded frames, through Debian's ffmpeg/ffprobe (spawned; no native addon):
 * for analysing uploaded recordings and for feeding the pipeline real faces in tests and benches.
 */

export interface VideoFileInfo {
  path: string;
  codec: string;
  /** Source picture size. */
  width: number;
  height: number;
  /** Seconds; null when the container does not say. */
  durationSec: number | null;
  /** The source's average frame rate; null when unknown. */
  sourceFps: number | null;
}

export interface ReadVideoFileOptions {
  /** Output frame rate (ffmpeg's fps filter: frames are dropped or repeated to hit it). */
  fps: number;
  /** Output size. Give both to force it; give one to keep the aspect ratio (the other rounded to even). Default: the source size. */
  width?: number;
  height?: number;
  /** Default 'i420'. */
  format?: VideoFrameFormat;
  /** Added to every frame's media time (ms): e.g. the recording's wall-clock start. Default 0. */
  startTimeMs?: number;
  /** Pace output at the file's real speed (ffmpeg -re), like a live source. Default false: as fast as it decodes. */
  realtime?: boolean;
  /**
   * Pace output at this multiple of the file's real speed (ffmpeg -readrate): the analysis CLI
   * uses it so decoding never outruns the pipeline (whose stages drop frames when busy) and no
   * decoded frames pile up in memory. Overrides `realtime`.
   */
  speed?: number;
  /** Called once, before the first frame, with the probe result and the expected frame count (progress bars). */
  onInfo?: (info: VideoFileInfo & { expectedFrames: number | null; outputWidth: number; outputHeight: number }) => void;
}

export class VideoFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VideoFileError';
  }
}

const FFMPEG_MISSING = 'ffmpeg/ffprobe is not installed (or not on PATH): install it with `apt-get install ffmpeg`';
const PIX_FMT: Record<VideoFrameFormat, string> = { i420: 'yuv420p', rgb: 'rgb24', rgba: 'rgba' };

function isMissingBinary(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | null)?.code === 'ENOENT';
}

function parseRate(rate: unknown): number | null {
  if (typeof rate !== 'string') return null;
  const [num, den] = rate.split('/').map(Number);
  if (!num || !Number.isFinite(num)) return null;
  const value = den ? num / den : num;
  return Number.isFinite(value) && value > 0 ? value : null;
}

function positiveNumber(value: unknown): number | null {
  const n = typeof value === 'string' ? Number(value) : typeof value === 'number' ? value : NaN;
  return Number.isFinite(n) && n > 0 ? n : null;
}

async function assertReadableFile(path: string): Promise<void> {
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new VideoFileError(`not a file: ${path}`);
  } catch (error) {
    if (error instanceof VideoFileError) throw error;
    throw new VideoFileError(`video file not found: ${path} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`);
  }
}

/** Size, codec, duration and frame rate of the first video stream, via ffprobe. */
export async function probeVideoFile(path: string): Promise<VideoFileInfo> {
  await assertReadableFile(path);
  const args = ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=codec_name,width,height,avg_frame_rate,duration:format=duration', '-of', 'json', path];
  const output = await new Promise<string>((resolve, reject) => {
    execFile('ffprobe', args, { maxBuffer: 1024 * 1024 }, (error, stdout, stderr) => {
      if (isMissingBinary(error)) return reject(new VideoFileError(FFMPEG_MISSING));
      if (error) return reject(new VideoFileError(`not a readable video: ${path}: ${stderr.trim().split('\n').pop() || error.message}`));
      resolve(stdout);
    });
  });
  let parsed: { streams?: Record<string, unknown>[]; format?: Record<string, unknown> };
  try {
    parsed = JSON.parse(output) as typeof parsed;
  } catch {
    throw new VideoFileError(`ffprobe gave unreadable output for ${path}`);
  }
  const stream = parsed.streams?.[0];
  if (!stream) throw new VideoFileError(`not a video: ${path} has no video stream`);
  const width = positiveNumber(stream.width);
  const height = positiveNumber(stream.height);
  if (!width || !height) throw new VideoFileError(`not a video: ${path}'s video stream has no picture size`);
  return {
    path,
    codec: typeof stream.codec_name === 'string' ? stream.codec_name : 'unknown',
    width,
    height,
    durationSec: positiveNumber(stream.duration) ?? positiveNumber(parsed.format?.duration),
    sourceFps: parseRate(stream.avg_frame_rate),
  };
}

const even = (n: number) => Math.max(2, Math.round(n / 2) * 2);

/** The output size for a source size and the requested width/height (see ReadVideoFileOptions). */
export function outputSize(source: { width: number; height: number }, requested: { width?: number; height?: number }): { width: number; height: number } {
  const { width, height } = requested;
  let size: { width: number; height: number };
  if (width && height) size = { width, height };
  else if (width) size = { width, height: even((source.height * width) / source.width) };
  else if (height) size = { width: even((source.width * height) / source.height), height };
  else size = { width: source.width, height: source.height };
  for (const v of [size.width, size.height]) {
    if (!Number.isInteger(v) || v < 1 || v > MAX_FRAME_DIMENSION) {
      throw new VideoFileError(`output size ${size.width}x${size.height} is invalid: width and height must be integers in 1..${MAX_FRAME_DIMENSION}`);
    }
  }
  return size;
}

/**
 * Decoded frames of a video file at `fps`, with `t` = the frame's media time (ms, plus
 * startTimeMs) and `seq` = the output frame index. Cold: each subscription runs its own ffmpeg,
 * which is killed on unsubscribe. Errors with VideoFileError (missing file, not a video, ffmpeg
 * missing or failing).
 */
export function readVideoFile(path: string, options: ReadVideoFileOptions): Observable<VideoFrame> {
  return new Observable<VideoFrame>((subscriber) => {
    let ffmpeg: ReturnType<typeof spawn> | null = null;
    let stopped = false;
    const format = options.format ?? 'i420';
    if (!(options.fps > 0 && options.fps <= 240)) {
      subscriber.error(new VideoFileError(`fps must be in (0, 240], got ${options.fps}`));
      return;
    }

    probeVideoFile(path)
      .then((info) => {
        if (stopped) return;
        const { width, height } = outputSize(info, options);
        const frameBytes = videoFrameByteLength(width, height, format);
        const expectedFrames = info.durationSec === null ? null : Math.round(info.durationSec * options.fps);
        options.onInfo?.({ ...info, expectedFrames, outputWidth: width, outputHeight: height });
        const args = [
          '-hide_banner', '-nostdin', '-v', 'error',
          ...(options.speed ? ['-readrate', String(options.speed)] : options.realtime ? ['-re'] : []),
          '-i', path,
          '-map', '0:v:0',
          '-vf', `fps=${options.fps},scale=${width}:${height}`,
          '-f', 'rawvideo', '-pix_fmt', PIX_FMT[format],
          'pipe:1',
        ];
        const child = spawn('ffmpeg', args, { stdio: ['ignore', 'pipe', 'pipe'] });
        ffmpeg = child;
        let stderr = '';
        let seq = 0;
        let current = new Uint8Array(frameBytes);
        let filled = 0;
        const frameMs = 1000 / options.fps;
        const startTimeMs = options.startTimeMs ?? 0;
        child.stderr!.setEncoding('utf8');
        child.stderr!.on('data', (text: string) => {
          stderr = (stderr + text).slice(-4000);
        });
        child.stdout!.on('data', (chunk: Buffer) => {
          let offset = 0;
          while (offset < chunk.length && !stopped) {
            const take = Math.min(frameBytes - filled, chunk.length - offset);
            current.set(chunk.subarray(offset, offset + take), filled);
            filled += take;
            offset += take;
            if (filled === frameBytes) {
              const frame: VideoFrame = { width, height, format, data: current, t: startTimeMs + seq * frameMs, seq };
              seq++;
              current = new Uint8Array(frameBytes);
              filled = 0;
              subscriber.next(frame);
            }
          }
        });
        child.on('error', (error) => {
          subscriber.error(new VideoFileError(isMissingBinary(error) ? FFMPEG_MISSING : `could not run ffmpeg: ${error.message}`));
        });
        child.on('close', (code, signal) => {
          ffmpeg = null;
          if (stopped) return;
          const lastLine = stderr.trim().split('\n').pop();
          if (code !== 0) {
            subscriber.error(new VideoFileError(`ffmpeg failed decoding ${path} (${signal ? `killed by ${signal}` : `exit code ${code}`})${lastLine ? `: ${lastLine}` : ''}`));
          } else if (filled !== 0) {
            subscriber.error(new VideoFileError(`ffmpeg's output for ${path} ended inside a frame (${filled} of ${frameBytes} bytes)`));
          } else if (seq === 0) {
            subscriber.error(new VideoFileError(`ffmpeg decoded no frames from ${path}${lastLine ? `: ${lastLine}` : ''}`));
          } else {
            subscriber.complete();
          }
        });
      })
      .catch((error: unknown) => {
        if (!stopped) subscriber.error(error instanceof VideoFileError ? error : new VideoFileError(String((error as Error)?.message ?? error)));
      });

    return () => {
      stopped = true;
      ffmpeg?.kill('SIGKILL');
    };
  });
}
