/**
 * A frame counter stamped into the pixels of a test video, so that a receiver can tell which
 * source frame it got (for latency and content checks) after lossy VP8 coding: 16 bits as 16x16
 * luma blocks (macroblock-aligned, black/white) along the top-left of the Y plane.
 */
export const STAMP_BITS = 16;
export const STAMP_BLOCK = 16;
/** Rows at the top of the frame that the stamp overwrites (leave them out of content checks). */
export const STAMP_ROWS = STAMP_BLOCK;

/** Writes `counter` (mod 2^16) into the Y plane of an I420 frame, in place. */
export function stampCounter(i420: Uint8Array, width: number, counter: number): void {
  if (width < STAMP_BITS * STAMP_BLOCK) throw new RangeError(`the stamp needs a frame at least ${STAMP_BITS * STAMP_BLOCK} px wide`);
  for (let bit = 0; bit < STAMP_BITS; bit++) {
    const value = (counter >> bit) & 1 ? 235 : 16;
    for (let y = 0; y < STAMP_BLOCK; y++) i420.fill(value, y * width + bit * STAMP_BLOCK, y * width + (bit + 1) * STAMP_BLOCK);
  }
}

/** Reads the counter back from a decoded I420 frame (mean of each block's inner 8x8, threshold 126). */
export function readCounter(i420: Uint8Array, width: number): number {
  let counter = 0;
  for (let bit = 0; bit < STAMP_BITS; bit++) {
    let sum = 0;
    for (let y = 4; y < 12; y++) for (let x = 4; x < 12; x++) sum += i420[y * width + bit * STAMP_BLOCK + x]!;
    if (sum / 64 > 126) counter |= 1 << bit;
  }
  return counter;
}

/**
 * Mean absolute difference (0..255) between two Y planes of the same size, over `cell`x`cell`
 * block means (a downscaled comparison: robust to coding noise, sensitive to the wrong picture),
 * skipping the stamp rows.
 */
export function lumaBlockDifference(a: Uint8Array, b: Uint8Array, width: number, height: number, cell = 16): number {
  let total = 0;
  let cells = 0;
  for (let cy = STAMP_ROWS; cy + cell <= height; cy += cell) {
    for (let cx = 0; cx + cell <= width; cx += cell) {
      let sa = 0;
      let sb = 0;
      for (let y = cy; y < cy + cell; y++) {
        for (let x = cx; x < cx + cell; x++) {
          sa += a[y * width + x]!;
          sb += b[y * width + x]!;
        }
      }
      total += Math.abs(sa - sb) / (cell * cell);
      cells++;
    }
  }
  return cells ? total / cells : 0;
}

/** Mean luma (0..255) of a Y plane below the stamp rows. */
export function meanLuma(i420: Uint8Array, width: number, height: number): number {
  let sum = 0;
  for (let i = STAMP_ROWS * width; i < width * height; i++) sum += i420[i]!;
  return sum / ((height - STAMP_ROWS) * width);
}
