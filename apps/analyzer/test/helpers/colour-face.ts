import type { FaceAligner, FaceTracker, TimedFrame } from '../../src/ports.ts';

/**
 * Stand-ins for packages/vision at its port (the real one is tested in packages/vision): a frame
 * "has a face" when its first pixel is not black, and the aligned crop is that colour. With the
 * tiny test model (red → happy, green → sad) this makes end-to-end outcomes predictable.
 */
export type ColourLandmarks = { rgb: [number, number, number] };

export const colourTracker = (): FaceTracker<ColourLandmarks> => ({
  track(frame) {
    const rgb: [number, number, number] = [frame.data[0]!, frame.data[1]!, frame.data[2]!];
    return rgb.some((c) => c > 0) ? { face: { landmarks: { rgb }, score: 0.9 }, faceCount: 1 } : { face: null, faceCount: 0 };
  },
});

export const colourAligner: FaceAligner<ColourLandmarks> = (_frame, { rgb }, size) => {
  const data = new Uint8Array(size.width * size.height * 3);
  for (let i = 0; i < size.width * size.height; i++) data.set(rgb, i * 3);
  return { width: size.width, height: size.height, data };
};

export const solidFrame = (t: number, rgb: [number, number, number]): TimedFrame => {
  const data = new Uint8Array(16 * 16 * 4);
  for (let i = 0; i < 256; i++) data.set([...rgb, 255], i * 4);
  return { t, frame: { width: 16, height: 16, format: 'rgba', data } };
};
