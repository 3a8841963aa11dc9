import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { inflateSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import type { Frame } from '../src/frame.ts';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const ASTRONAUT_PNG = `${REPO_ROOT}fixtures/faces/astronaut.png`;
export const OPENCV_DATA = '/usr/share/doc/opencv-doc/examples/data';
export const SHARED_VIDEOS = `${REPO_ROOT}../shared/data/videos`;

/** Minimal PNG decoder (8-bit greyscale/RGB/RGBA, not interlaced): enough for fixtures without an image library. */
export function decodePng(bytes: Uint8Array): Frame {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 8;
  let width = 0, height = 0, colorType = 0;
  const idat: Uint8Array[] = [];
  while (pos < bytes.length) {
    const len = view.getUint32(pos);
    const type = String.fromCharCode(...bytes.subarray(pos + 4, pos + 8));
    const body = bytes.subarray(pos + 8, pos + 8 + len);
    if (type === 'IHDR') {
      width = view.getUint32(pos + 8);
      height = view.getUint32(pos + 12);
      if (body[8] !== 8 || body[12] !== 0) throw new Error('only 8-bit non-interlaced PNGs are supported');
      colorType = body[9]!;
    } else if (type === 'IDAT') idat.push(body);
    else if (type === 'IEND') break;
    pos += 12 + len;
  }
  const channels = ({ 0: 1, 2: 3, 6: 4 } as Record<number, number>)[colorType];
  if (!channels) throw new Error(`unsupported PNG colour type ${colorType}`);
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const pix = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? pix[y * stride + x - channels]! : 0;
      const b = y > 0 ? pix[(y - 1) * stride + x]! : 0;
      const c = x >= channels && y > 0 ? pix[(y - 1) * stride + x - channels]! : 0;
      let pred = 0;
      if (filter === 1) pred = a;
      else if (filter === 2) pred = b;
      else if (filter === 3) pred = (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c;
        const pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
        pred = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      pix[y * stride + x] = (line[x]! + pred) & 255;
    }
  }
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    if (channels === 1) data.set([pix[i]!, pix[i]!, pix[i]!, 255], i * 4);
    else {
      data[i * 4] = pix[i * channels]!; data[i * 4 + 1] = pix[i * channels + 1]!; data[i * 4 + 2] = pix[i * channels + 2]!;
      data[i * 4 + 3] = channels === 4 ? pix[i * channels + 3]! : 255;
    }
  }
  return { width, height, format: 'rgba', data };
}

export const loadAstronaut = (): Frame => decodePng(readFileSync(ASTRONAUT_PNG));

export function hasFfmpeg(): boolean {
  return spawnSync('ffmpeg', ['-version'], { stdio: 'ignore' }).status === 0;
}

/** Decodes an image or video with Debian's ffmpeg into raw frames ('rgb' or 'i420'), optionally scaled/limited. */
export function decodeWithFfmpeg(path: string, opts: { format: 'rgb' | 'rgba' | 'i420'; maxFrames?: number; fps?: number; width?: number; inputArgs?: string[] }): Frame[] {
  const filters: string[] = [];
  if (opts.fps) filters.push(`fps=${opts.fps}`);
  if (opts.width) filters.push(`scale=${opts.width}:-2`);
  const pixFmt = { rgb: 'rgb24', rgba: 'rgba', i420: 'yuv420p' }[opts.format];
  const probe = spawnSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height', '-of', 'csv=p=0', path], { encoding: 'utf8' });
  if (probe.status !== 0) throw new Error(`ffprobe failed on ${path}: ${probe.stderr}`);
  let [w, h] = probe.stdout.trim().split(',').map(Number) as [number, number];
  if (opts.width) { h = 2 * Math.round((h * opts.width) / w / 2); w = opts.width; }
  const args = ['-v', 'error', ...(opts.inputArgs ?? []), '-i', path, ...(filters.length ? ['-vf', filters.join(',')] : []), ...(opts.maxFrames ? ['-frames:v', String(opts.maxFrames)] : []), '-f', 'rawvideo', '-pix_fmt', pixFmt, '-'];
  const r = spawnSync('ffmpeg', args, { maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`ffmpeg failed on ${path}: ${r.stderr.toString()}`);
  const frameBytes = opts.format === 'i420' ? w * h + 2 * Math.ceil(w / 2) * Math.ceil(h / 2) : w * h * (opts.format === 'rgb' ? 3 : 4);
  const frames: Frame[] = [];
  for (let o = 0; o + frameBytes <= r.stdout.length; o += frameBytes) {
    frames.push({ width: w, height: h, format: opts.format, data: new Uint8Array(r.stdout.buffer, r.stdout.byteOffset + o, frameBytes) });
  }
  return frames;
}

/** Encodes a raw RGBA frame with ffmpeg into another pixel format (a real converter to compare ours against). */
export function convertWithFfmpeg(frame: Frame, to: 'i420'): Frame {
  if (frame.format !== 'rgba') throw new Error('convertWithFfmpeg takes RGBA');
  const r = spawnSync('ffmpeg', ['-v', 'error', '-f', 'rawvideo', '-pix_fmt', 'rgba', '-s', `${frame.width}x${frame.height}`, '-i', '-', '-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-'], { input: frame.data, maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`ffmpeg conversion failed: ${r.stderr.toString()}`);
  return { width: frame.width, height: frame.height, format: to, data: new Uint8Array(r.stdout) };
}

/** Mirrors a packed RGB/RGBA frame left-right. */
export function flipHorizontal(frame: Frame): Frame {
  const out = new Uint8Array(frame.data.length);
  const bpp = frame.format === 'rgba' ? 4 : 3;
  for (let y = 0; y < frame.height; y++) {
    for (let x = 0; x < frame.width; x++) {
      const s = (y * frame.width + x) * bpp;
      const d = (y * frame.width + (frame.width - 1 - x)) * bpp;
      for (let c = 0; c < bpp; c++) out[d + c] = frame.data[s + c]!;
    }
  }
  return { ...frame, data: out };
}

export function fileIfExists(path: string): string | null {
  return existsSync(path) ? path : null;
}
