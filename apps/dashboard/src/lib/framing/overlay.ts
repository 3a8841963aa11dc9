import type { Box } from './hints.ts';

export interface Size {
  width: number;
  height: number;
}

/** A box as CSS percentages of the element it is drawn over. */
export interface ViewBox {
  left: number;
  top: number;
  width: number;
  height: number;
}

/**
 * Where a frame-normalised box lands in a view that shows the frame with `object-fit: cover`
 * (scaled to fill, the overflow cropped equally on both sides), mirrored like the self-view.
 */
export function boxInView(box: Box, frame: Size, view: Size, mirrored: boolean): ViewBox {
  const scale = Math.max(view.width / frame.width, view.height / frame.height);
  const shownW = (frame.width * scale) / view.width; // > 1 where the frame overflows the view
  const shownH = (frame.height * scale) / view.height;
  const x = mirrored ? 1 - box.x - box.width : box.x;
  return {
    left: ((x - 0.5) * shownW + 0.5) * 100,
    top: ((box.y - 0.5) * shownH + 0.5) * 100,
    width: box.width * shownW * 100,
    height: box.height * shownH * 100,
  };
}
