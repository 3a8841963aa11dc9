import type { PackedWindow, WindowedModelInfo } from '../ports.ts';
import type { FrameWindow } from './sliding-window.ts';

/**
 * Packs a window's crops into one transferable RGB buffer (T × H × W × 3). Frames without a face
 * borrow the nearest face crop (their weight stays 0): models that read `frame_weights` ignore
 * them anyway, and models that don't see a face instead of a black frame. Returns null when the
 * window holds no face at all — such a window is never sent to a model.
 */
export function packWindow(window: FrameWindow, model: Pick<WindowedModelInfo, 'frames' | 'height' | 'width'>): PackedWindow | null {
  const { frames: T, height: H, width: W } = model;
  if (window.crops.length !== T) throw new Error(`packWindow: window has ${window.crops.length} frames, the model takes ${T}`);
  const present = window.crops.map((c, i) => (c ? i : -1)).filter((i) => i >= 0);
  if (present.length === 0) return null;
  const frameBytes = H * W * 3;
  const pixels = new Uint8Array(T * frameBytes);
  const weights = new Float32Array(T);
  for (let i = 0; i < T; i++) {
    let source = window.crops[i];
    if (!source) {
      let nearest = present[0]!;
      for (const p of present) if (Math.abs(p - i) < Math.abs(nearest - i)) nearest = p;
      source = window.crops[nearest]!;
    } else {
      weights[i] = window.weights[i]!;
    }
    if (source.data.length !== frameBytes) throw new Error(`packWindow: crop ${i} has ${source.data.length} bytes, expected ${W}x${H} RGB (${frameBytes})`);
    pixels.set(source.data, i * frameBytes);
  }
  return { frames: T, height: H, width: W, pixels, weights };
}
