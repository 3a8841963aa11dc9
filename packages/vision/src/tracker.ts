import type { FaceDetection } from './detection.ts';
import type { Frame } from './frame.ts';
import { iou, type Box } from './geometry.ts';
import { boundingBox, landmarksToRoi } from './roi.ts';
import type { FaceMesh, Vision } from './vision.ts';

export interface TrackerOptions {
  /** Below this mesh presence the face counts as lost and the detector runs (default 0.5, MediaPipe's min_tracking_confidence). */
  minPresence?: number;
  /** Run the detector at least every N frames even while tracking, to count faces and recover from drift (default 30). */
  redetectEvery?: number;
}

export interface TrackedFrame {
  /** Whether the detector ran on this frame (false: the ROI came from the previous frame's mesh). */
  detectorRan: boolean;
  /** Faces the detector found; null on frames where it did not run. */
  facesDetected: number | null;
  /** The tracked (main) face, or null when there is none. */
  face: FaceMesh | null;
  /** The detection the mesh was started from, on detection frames. */
  detection: FaceDetection | null;
}

/**
 * The face a participant's pipeline follows: the largest, most central one. Area dominates; a face
 * at the frame's corner counts half as much as the same face in the centre.
 */
export function pickMainFace(faces: readonly FaceDetection[], frameWidth: number, frameHeight: number): FaceDetection | null {
  let best: FaceDetection | null = null;
  let bestScore = -Infinity;
  const halfDiag = Math.hypot(frameWidth, frameHeight) / 2;
  for (const f of faces) {
    const dx = f.box.xMin + f.box.width / 2 - frameWidth / 2;
    const dy = f.box.yMin + f.box.height / 2 - frameHeight / 2;
    const s = f.box.width * f.box.height * (1 - 0.5 * Math.min(1, Math.hypot(dx, dy) / halfDiag));
    if (s > bestScore) { bestScore = s; best = f; }
  }
  return best;
}

/** The detection that continues the tracked face (IoU with its mesh's bounding box), so a periodic re-detection never swaps people. */
export function matchTrackedFace(faces: readonly FaceDetection[], tracked: Box, minIou = 0.2): FaceDetection | null {
  let best: FaceDetection | null = null;
  let bestIou = minIou;
  for (const f of faces) {
    const o = iou(f.box, tracked);
    if (o >= bestIou) { bestIou = o; best = f; }
  }
  return best;
}

/**
 * MediaPipe-style face tracking for one video stream: while the previous frame had a face, the next
 * ROI comes from its mesh and the detector is skipped; the detector runs again when presence drops,
 * when there was no face, or every `redetectEvery` frames. One tracker per stream (it holds state).
 */
export class FaceTracker {
  private readonly minPresence: number;
  private readonly redetectEvery: number;
  private previous: FaceMesh | null = null;
  private sinceDetection = 0;

  constructor(private readonly vision: Pick<Vision, 'detectFaces' | 'faceLandmarks'>, options: TrackerOptions = {}) {
    this.minPresence = options.minPresence ?? 0.5;
    this.redetectEvery = options.redetectEvery ?? 30;
    if (!(this.redetectEvery >= 1)) throw new RangeError(`redetectEvery must be ≥ 1, got ${this.redetectEvery}`);
  }

  /** Forget the tracked face (e.g. after a gap in the stream). */
  reset(): void {
    this.previous = null;
    this.sinceDetection = 0;
  }

  async process(frame: Frame): Promise<TrackedFrame> {
    if (this.previous && this.sinceDetection + 1 < this.redetectEvery) {
      const mesh = await this.vision.faceLandmarks(frame, landmarksToRoi(this.previous.landmarks));
      if (mesh.presence >= this.minPresence) {
        this.previous = mesh;
        this.sinceDetection++;
        return { detectorRan: false, facesDetected: null, face: mesh, detection: null };
      }
    }
    return this.detect(frame);
  }

  private async detect(frame: Frame): Promise<TrackedFrame> {
    const faces = await this.vision.detectFaces(frame);
    const tracked = this.previous ? boundingBox(this.previous.landmarks) : null;
    const detection = (tracked && matchTrackedFace(faces, tracked)) || pickMainFace(faces, frame.width, frame.height);
    this.sinceDetection = 0;
    this.previous = null;
    if (!detection) return { detectorRan: true, facesDetected: 0, face: null, detection: null };
    const mesh = await this.vision.faceLandmarks(frame, detection);
    if (mesh.presence < this.minPresence) return { detectorRan: true, facesDetected: faces.length, face: null, detection };
    this.previous = mesh;
    return { detectorRan: true, facesDetected: faces.length, face: mesh, detection };
  }
}
