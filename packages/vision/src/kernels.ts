import type { Frame } from './frame.ts';
import type { Affine } from './geometry.ts';

/** What lies outside the frame: black ('zero', MediaPipe's letterbox) or the nearest edge pixel ('replicate'). */
export type BorderMode = 'zero' | 'replicate';

/**
 * Where and how a warp writes: a preallocated NHWC float tensor for one image. Each output value is
 * `pixel (0..255) · scale + offset`, so [-1,1], [0,1] and 0..255 model inputs are all one kernel.
 * `channels: 1` writes luma with `greyWeights` (applied to 0..255 RGB) before scale/offset.
 */
export interface TensorTarget {
  data: Float32Array;
  width: number;
  height: number;
  channels: 1 | 3;
  scale: number;
  offset: number;
  greyWeights?: readonly [number, number, number];
}

const clampByte = (v: number): number => (v < 0 ? 0 : v > 255 ? 255 : v);

/**
 * Reads pixel (xi, yi) — which must be inside the frame — as RGB 0..255 into out[0..2].
 * I420 uses BT.601 limited range with each 2x2 block sharing its chroma sample: what libyuv
 * (WebRTC) does, so a decoded camera frame and its RGBA conversion give the same pixels.
 */
export function readPixel(frame: Frame, xi: number, yi: number, out: Float64Array | number[]): void {
  const { width, data } = frame;
  switch (frame.format) {
    case 'rgba': {
      const o = (yi * width + xi) * 4;
      out[0] = data[o]!; out[1] = data[o + 1]!; out[2] = data[o + 2]!;
      return;
    }
    case 'rgb': {
      const o = (yi * width + xi) * 3;
      out[0] = data[o]!; out[1] = data[o + 1]!; out[2] = data[o + 2]!;
      return;
    }
    case 'i420': {
      const cw = (width + 1) >> 1;
      const ySize = width * frame.height;
      const cSize = cw * ((frame.height + 1) >> 1);
      const c = (yi >> 1) * cw + (xi >> 1);
      const y = 1.164 * (data[yi * width + xi]! - 16);
      const u = data[ySize + c]! - 128;
      const v = data[ySize + cSize + c]! - 128;
      out[0] = clampByte(y + 1.596 * v);
      out[1] = clampByte(y - 0.392 * u - 0.813 * v);
      out[2] = clampByte(y + 2.017 * u);
      return;
    }
  }
}

/** Per-call scratch so the hot loop allocates nothing. */
const px = new Float64Array(3);

/**
 * Bilinear sample at continuous (x, y) in pixel-centre coordinates, written as RGB 0..255 into rgb.
 * With border 'zero' outside neighbours count as black, as OpenCV's BORDER_CONSTANT.
 */
export function sampleBilinear(frame: Frame, x: number, y: number, border: BorderMode, rgb: Float64Array): void {
  const w = frame.width;
  const h = frame.height;
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const fx = x - x0;
  const fy = y - y0;
  rgb[0] = 0; rgb[1] = 0; rgb[2] = 0;
  for (let k = 0; k < 4; k++) {
    const dx = k & 1;
    const dy = k >> 1;
    const weight = (dx ? fx : 1 - fx) * (dy ? fy : 1 - fy);
    if (weight === 0) continue;
    let xi = x0 + dx;
    let yi = y0 + dy;
    if (xi < 0 || yi < 0 || xi >= w || yi >= h) {
      if (border === 'zero') continue;
      xi = xi < 0 ? 0 : xi >= w ? w - 1 : xi;
      yi = yi < 0 ? 0 : yi >= h ? h - 1 : yi;
    }
    readPixel(frame, xi, yi, px);
    rgb[0] += weight * px[0]!; rgb[1] += weight * px[1]!; rgb[2] += weight * px[2]!;
  }
}

const rgbScratch = new Float64Array(3);

/**
 * Affine warp with bilinear sampling into a float tensor: output pixel (u, v) reads the frame at
 * `srcFromDst · (u, v)`. One kernel serves letterboxing, rotated ROI crops and resizing.
 */
export function warpAffineToTensor(frame: Frame, srcFromDst: Affine, target: TensorTarget, border: BorderMode): void {
  const { data, width, height, channels, scale, offset } = target;
  if (data.length < width * height * channels) {
    throw new RangeError(`tensor buffer holds ${data.length} values, ${width}x${height}x${channels} needed`);
  }
  const [a, b, c, d, e, f] = srcFromDst;
  const [gr, gg, gb] = target.greyWeights ?? [0.2989, 0.587, 0.114];
  let o = 0;
  for (let v = 0; v < height; v++) {
    let sx = b * v + c;
    let sy = e * v + f;
    for (let u = 0; u < width; u++) {
      sampleBilinear(frame, sx, sy, border, rgbScratch);
      if (channels === 3) {
        data[o++] = rgbScratch[0]! * scale + offset;
        data[o++] = rgbScratch[1]! * scale + offset;
        data[o++] = rgbScratch[2]! * scale + offset;
      } else {
        data[o++] = (gr * rgbScratch[0]! + gg * rgbScratch[1]! + gb * rgbScratch[2]!) * scale + offset;
      }
      sx += a;
      sy += d;
    }
  }
}

/** Affine warp with bilinear sampling into packed RGB bytes (out must hold width·height·3). */
export function warpAffineToRgb(frame: Frame, srcFromDst: Affine, width: number, height: number, out: Uint8Array, border: BorderMode): void {
  if (out.length < width * height * 3) throw new RangeError(`output holds ${out.length} bytes, ${width * height * 3} needed`);
  const [a, b, c, d, e, f] = srcFromDst;
  let o = 0;
  for (let v = 0; v < height; v++) {
    let sx = b * v + c;
    let sy = e * v + f;
    for (let u = 0; u < width; u++) {
      sampleBilinear(frame, sx, sy, border, rgbScratch);
      out[o++] = Math.round(rgbScratch[0]!);
      out[o++] = Math.round(rgbScratch[1]!);
      out[o++] = Math.round(rgbScratch[2]!);
      sx += a;
      sy += d;
    }
  }
}

/**
 * Matrix for an aspect-preserving fit of a srcW x srcH frame into dstW x dstH with equal padding
 * on both sides (MediaPipe's keep_aspect_ratio letterbox). Returns dst→src.
 */
export function letterboxMatrix(srcW: number, srcH: number, dstW: number, dstH: number): Affine {
  const s = Math.min(dstW / srcW, dstH / srcH);
  const padX = (dstW - srcW * s) / 2;
  const padY = (dstH - srcH * s) / 2;
  return [1 / s, 0, -padX / s, 0, 1 / s, -padY / s];
}

/** Matrix for a plain resize (stretch) of srcW x srcH onto dstW x dstH, dst→src, pixel areas aligned (as cv::resize). */
export function resizeMatrix(srcW: number, srcH: number, dstW: number, dstH: number): Affine {
  const sx = srcW / dstW;
  const sy = srcH / dstH;
  return [sx, 0, 0.5 * sx - 0.5, 0, sy, 0.5 * sy - 0.5];
}

/** RGBA/RGB → I420 (BT.601 limited range, 2x2 chroma averaging): the inverse of readPixel's conversion. */
export function toI420(frame: Frame): Frame {
  if (frame.format === 'i420') return frame;
  const { width, height } = frame;
  const cw = (width + 1) >> 1;
  const ch = (height + 1) >> 1;
  const out = new Uint8Array(width * height + 2 * cw * ch);
  const p = new Float64Array(3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      readPixel(frame, x, y, p);
      out[y * width + x] = Math.round(clampByte(16 + 0.257 * p[0]! + 0.504 * p[1]! + 0.098 * p[2]!));
    }
  }
  const uOff = width * height;
  const vOff = uOff + cw * ch;
  for (let cy = 0; cy < ch; cy++) {
    for (let cx = 0; cx < cw; cx++) {
      let r = 0, g = 0, b = 0, n = 0;
      for (let k = 0; k < 4; k++) {
        const x = 2 * cx + (k & 1);
        const y = 2 * cy + (k >> 1);
        if (x >= width || y >= height) continue;
        readPixel(frame, x, y, p);
        r += p[0]!; g += p[1]!; b += p[2]!; n++;
      }
      r /= n; g /= n; b /= n;
      out[uOff + cy * cw + cx] = Math.round(clampByte(128 - 0.148 * r - 0.291 * g + 0.439 * b));
      out[vOff + cy * cw + cx] = Math.round(clampByte(128 + 0.439 * r - 0.368 * g - 0.071 * b));
    }
  }
  return { width, height, format: 'i420', data: out };
}

/** Converts any frame to packed RGBA (allocates; for tests, tools and previews, not the hot path). */
export function toRgba(frame: Frame): Frame {
  if (frame.format === 'rgba') return frame;
  const out = new Uint8Array(frame.width * frame.height * 4);
  const p = new Float64Array(3);
  for (let y = 0, o = 0; y < frame.height; y++) {
    for (let x = 0; x < frame.width; x++, o += 4) {
      readPixel(frame, x, y, p);
      out[o] = Math.round(p[0]!); out[o + 1] = Math.round(p[1]!); out[o + 2] = Math.round(p[2]!); out[o + 3] = 255;
    }
  }
  return { width: frame.width, height: frame.height, format: 'rgba', data: out };
}
