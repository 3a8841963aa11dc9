import type { EmotionProbs } from '@moodroom/shared';

/**
 * The analyzer's view of its collaborators. packages/vision and packages/windowed-model satisfy
 * these through thin adapters (see README "Adapters"), so the pipeline is testable on its own and
 * the real implementations plug in without touching it.
 */

/** A decoded video frame (same shape as packages/vision's Frame). */
export interface Frame {
  width: number;
  height: number;
  data: Uint8Array | Uint8ClampedArray;
  format: 'rgba' | 'rgb' | 'i420';
}

/** A frame with its capture/decode time (ms since the epoch); every stage keys on this time. */
export interface TimedFrame {
  t: number;
  frame: Frame;
}

/** The participant's primary face in one frame, as a face tracker sees it. */
export interface TrackedFace<L> {
  /** Landmarks in whatever form the aligner understands (opaque to the pipeline). */
  landmarks: L;
  /** 0..1 detection × landmark confidence. */
  score: number;
}

export interface FaceTrackResult<L> {
  /** The participant's face (the tracker picks one when several are visible), or null. */
  face: TrackedFace<L> | null;
  /** How many faces the frame holds. */
  faceCount: number;
}

/** Per-participant, stateful (it may reuse the last frame's landmarks to skip detection). */
export interface FaceTracker<L> {
  track(frame: Frame, t: number): FaceTrackResult<L> | Promise<FaceTrackResult<L>>;
  close?(): void;
}

/** An aligned face crop: RGB, 3 bytes per pixel, row-major, size × size. */
export interface FaceCrop {
  width: number;
  height: number;
  data: Uint8Array;
}

export type FaceAligner<L> = (frame: Frame, landmarks: L, size: { width: number; height: number }) => FaceCrop | Promise<FaceCrop>;

/** What the pipeline needs to know about the windowed model (from its ONNX metadata). */
export interface WindowedModelInfo {
  name: string;
  /** T: frames per window. */
  frames: number;
  height: number;
  width: number;
}

/**
 * One window ready for the model: T crops packed back to back (RGB bytes, T × H × W × 3, oldest
 * first) and one weight per frame (0 = no usable face). Plain typed arrays so it can be
 * transferred to a worker thread without copying.
 */
export interface PackedWindow {
  frames: number;
  height: number;
  width: number;
  pixels: Uint8Array;
  weights: Float32Array;
}

/**
 * Runs a windowed model on a batch of windows; lives inside an inference worker thread, one per
 * thread. Produced by a factory module's `createWindowRunner(options)` (see inference/worker.ts).
 */
export interface WindowRunner {
  readonly info: WindowedModelInfo;
  run(windows: PackedWindow[]): Promise<EmotionProbs[]>;
  close?(): Promise<void> | void;
}

/** The shape of a factory module loaded by every inference worker. */
export interface WindowRunnerFactoryModule {
  createWindowRunner(options: unknown): Promise<WindowRunner>;
}
