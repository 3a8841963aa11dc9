import { EMOTIONS, type EmotionProbs } from '@moodroom/shared';
import type { FaceCrop, Frame, TimedFrame } from '../../src/ports.ts';
import type { AlignedFrame } from '../../src/pipeline/align-crops.ts';

export const frameAt = (t: number, fill = 0): TimedFrame => ({ t, frame: { width: 4, height: 4, format: 'rgb', data: new Uint8Array(48).fill(fill) } });

export const crop = (size: number, rgb: [number, number, number]): FaceCrop => {
  const data = new Uint8Array(size * size * 3);
  for (let i = 0; i < size * size; i++) data.set(rgb, i * 3);
  return { width: size, height: size, data };
};

export const aligned = (t: number, face: boolean, size = 2): AlignedFrame => ({
  t,
  crop: face ? crop(size, [t % 256, 0, 0]) : null,
  weight: face ? 0.9 : 0,
  faceCount: face ? 1 : 0,
});

export const onehot = (e: (typeof EMOTIONS)[number]): EmotionProbs =>
  Object.fromEntries(EMOTIONS.map((x) => [x, x === e ? 1 : 0])) as EmotionProbs;

export const dummyFrame = (): Frame => ({ width: 2, height: 2, format: 'rgb', data: new Uint8Array(12) });
