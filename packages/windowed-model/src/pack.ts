/** What packing needs to know about the model's input. */
export interface PackSpec {
  frames: number;
  height: number;
  width: number;
  mean: readonly [number, number, number];
  std: readonly [number, number, number];
}

/** RGB bytes, H × W × 3 per crop. */
export type RgbBytes = Uint8Array | Uint8ClampedArray;

/**
 * One window of T aligned face crops, oldest first, in one of three layouts:
 * - one RGB byte buffer of T × H × W × 3 (crops back to back),
 * - an array of T RGB byte buffers of H × W × 3 each,
 * - a Float32Array of T × 3 × H × W already normalised ((rgb/255 - mean)/std, NCHW per frame),
 *   copied as is.
 */
export type WindowPixels = RgbBytes | readonly RgbBytes[] | Float32Array;

/** One window and one quality weight per frame. */
export interface WindowInput {
  pixels: WindowPixels;
  /** Per-frame quality in [0, 1], 0 = no usable face. Omitted: every frame counts fully. */
  weights?: Float32Array | readonly number[];
}

/** Floats one window occupies in the `frames` input (T·3·H·W). */
export function windowSize(spec: PackSpec): number {
  return spec.frames * 3 * spec.height * spec.width;
}

/** Throws a RangeError saying what is wrong when `pixels` is not one window of the model's size. */
export function checkPixels(pixels: WindowPixels, spec: PackSpec): void {
  const { frames, height, width } = spec;
  const plane = height * width;
  const size = frames * plane * 3;
  if (pixels instanceof Float32Array) {
    if (pixels.length !== size) {
      throw new RangeError(
        `normalised window holds ${pixels.length} floats, the model needs ${frames}×3×${height}×${width} = ${size} ([T,3,H,W], already (rgb/255 - mean)/std)`,
      );
    }
  } else if (Array.isArray(pixels)) {
    const crops = pixels as readonly RgbBytes[];
    if (crops.length !== frames) throw new RangeError(`window has ${crops.length} crops, the model needs ${frames} (oldest first)`);
    crops.forEach((c, t) => {
      if (!(c instanceof Uint8Array || c instanceof Uint8ClampedArray)) throw new RangeError(`crop ${t} is not RGB bytes (Uint8Array)`);
      if (c.length !== plane * 3) throw new RangeError(`crop ${t} holds ${c.length} bytes, the model needs ${height}×${width}×3 = ${plane * 3} (RGB)`);
    });
  } else if (!(pixels instanceof Uint8Array || pixels instanceof Uint8ClampedArray)) {
    throw new RangeError('window pixels must be a Uint8Array (T×H×W×3 RGB), an array of T crops, or a normalised Float32Array');
  } else if (pixels.length !== size) {
    throw new RangeError(
      `window pixels hold ${pixels.length} bytes, the model needs ${frames}×${height}×${width}×3 = ${size} (T aligned RGB crops, oldest first)`,
    );
  }
}

/** Throws a RangeError when `weights` cannot be the frame weights of a T-frame window. */
export function checkWeights(weights: WindowInput['weights'], frames: number): void {
  if (weights !== undefined && weights.length !== frames) throw new RangeError(`window has ${weights.length} frame weights, the model needs ${frames}`);
}

/**
 * Writes one window into `out` at `offset` as the contract's normalised NCHW slice [T,3,H,W]:
 * (rgb / 255 - mean) / std per channel (a Float32Array is taken as already normalised and copied).
 * Pure apart from writing `out`.
 */
export function packWindow(pixels: WindowPixels, spec: PackSpec, out: Float32Array, offset = 0): void {
  const { frames, height, width } = spec;
  const plane = height * width;
  const size = frames * plane * 3;
  if (offset < 0 || offset + size > out.length) {
    throw new RangeError(`window does not fit the input buffer at offset ${offset} (buffer ${out.length} floats)`);
  }
  checkPixels(pixels, spec);
  if (pixels instanceof Float32Array) {
    out.set(pixels, offset);
    return;
  }
  const crops = Array.isArray(pixels) ? (pixels as readonly RgbBytes[]) : null;
  // (x/255 - mean)/std folded into one multiply-add per value.
  const scale = [0, 1, 2].map((c) => 1 / (255 * spec.std[c]!));
  const shift = [0, 1, 2].map((c) => -spec.mean[c]! / spec.std[c]!);
  const [s0, s1, s2] = scale as [number, number, number];
  const [b0, b1, b2] = shift as [number, number, number];
  for (let t = 0; t < frames; t++) {
    const src = crops ? crops[t]! : (pixels as RgbBytes);
    const base = crops ? 0 : t * plane * 3;
    const dst = offset + t * plane * 3;
    for (let p = 0; p < plane; p++) {
      const i = base + p * 3;
      out[dst + p] = src[i]! * s0 + b0;
      out[dst + plane + p] = src[i + 1]! * s1 + b1;
      out[dst + 2 * plane + p] = src[i + 2]! * s2 + b2;
    }
  }
}

/**
 * Writes one window's frame weights into `out` at `offset`: non-finite values become 0 (no usable
 * face) and the rest are clamped to [0, 1], so one bad tracker score cannot dominate the window.
 * Missing weights mean every frame counts fully.
 */
export function packWeights(weights: WindowInput['weights'], frames: number, out: Float32Array, offset = 0): void {
  if (weights === undefined) {
    out.fill(1, offset, offset + frames);
    return;
  }
  checkWeights(weights, frames);
  for (let t = 0; t < frames; t++) {
    const w = weights[t]!;
    out[offset + t] = Number.isFinite(w) ? Math.min(1, Math.max(0, w)) : 0;
  }
}
