import { videoFrameByteLength, type VideoFrame, type VideoFrameFormat } from '@moodroom/shared';

/** Pixel layouts a Frame may carry ('i420': planar Y, then U and V at half resolution). */
export type PixelFormat = VideoFrameFormat;

/**
 * The pixels of one image, tightly packed: @moodroom/shared's VideoFrame without its timing, so
 * decoded frames pass straight in and crops/test images need no timestamps.
 */
export type Frame = Pick<VideoFrame, 'width' | 'height' | 'format' | 'data'>;

/** Bytes a tightly packed frame of this size and format holds. */
export const frameByteLength = videoFrameByteLength;

/** Throws a clear error for a frame the kernels cannot read (wrong size, unknown format, empty). */
export function assertFrame(frame: Frame, what = 'frame'): void {
  if (frame === null || typeof frame !== 'object') throw new TypeError(`${what} must be an object { width, height, format, data }`);
  const { width, height, format, data } = frame;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new RangeError(`${what} has invalid size ${String(width)}x${String(height)}: width and height must be positive integers`);
  }
  if (format !== 'rgba' && format !== 'rgb' && format !== 'i420') {
    throw new TypeError(`${what} has unsupported format ${JSON.stringify(format)}: use 'rgba', 'rgb' or 'i420'`);
  }
  if (!(data instanceof Uint8Array)) throw new TypeError(`${what}.data must be a Uint8Array (or Buffer)`);
  const expected = frameByteLength(width, height, format);
  if (data.length < expected) {
    throw new RangeError(`${what} (${width}x${height} ${format}) needs ${expected} bytes of tightly packed pixels, got ${data.length}`);
  }
}
