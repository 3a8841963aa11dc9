/** An SSD anchor centre and size, normalised to the detector input (0..1). */
export interface Anchor {
  xCenter: number;
  yCenter: number;
  width: number;
  height: number;
}

/** The subset of MediaPipe's SsdAnchorsCalculatorOptions that BlazeFace uses. */
export interface SsdAnchorOptions {
  inputWidth: number;
  inputHeight: number;
  strides: readonly number[];
  /** Anchors per feature-map cell for each layer (MediaPipe: aspect ratios + interpolated scale). */
  anchorsPerLayer: number;
  anchorOffsetX: number;
  anchorOffsetY: number;
}

/** face_detection_short_range.pbtxt: 4 layers, strides 8/16/16/16, 2 anchors per layer, fixed size. */
export const BLAZEFACE_SHORT_RANGE_ANCHORS: SsdAnchorOptions = {
  inputWidth: 128,
  inputHeight: 128,
  strides: [8, 16, 16, 16],
  anchorsPerLayer: 2,
  anchorOffsetX: 0.5,
  anchorOffsetY: 0.5,
};

/**
 * SSD anchors as MediaPipe's SsdAnchorsCalculator makes them with fixed_anchor_size: consecutive
 * layers sharing a stride are merged into one feature map whose cells carry all their anchors;
 * order is feature map, row, column, anchor.
 */
export function generateSsdAnchors(opts: SsdAnchorOptions = BLAZEFACE_SHORT_RANGE_ANCHORS): Anchor[] {
  const anchors: Anchor[] = [];
  let layer = 0;
  while (layer < opts.strides.length) {
    const stride = opts.strides[layer]!;
    let last = layer;
    while (last < opts.strides.length && opts.strides[last] === stride) last++;
    const perCell = (last - layer) * opts.anchorsPerLayer;
    const rows = Math.ceil(opts.inputHeight / stride);
    const cols = Math.ceil(opts.inputWidth / stride);
    for (let y = 0; y < rows; y++) {
      for (let x = 0; x < cols; x++) {
        for (let k = 0; k < perCell; k++) {
          anchors.push({ xCenter: (x + opts.anchorOffsetX) / cols, yCenter: (y + opts.anchorOffsetY) / rows, width: 1, height: 1 });
        }
      }
    }
    layer = last;
  }
  return anchors;
}
