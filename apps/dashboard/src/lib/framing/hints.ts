/**
 * The camera check's verdict: from the faces MediaPipe's FaceLandmarker found in one frame and the
 * frame's brightness to one status and a short hint. Pure, so every rule is unit-tested.
 * Coordinates are normalised to the camera frame (0..1, x to the right of the *unmirrored* frame).
 */

export type FramingStatus = 'ok' | 'no-face' | 'several-faces' | 'too-far' | 'off-centre' | 'too-dark';

export interface Point {
  x: number;
  y: number;
}

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Framing {
  status: FramingStatus;
  hint: string;
  /** The face the hint is about (the largest), or null when there is none. */
  box: Box | null;
}

/**
 * Points of the 468-point face mesh. FaceLandmarker reports 478 (its graph assumes the iris model);
 * the bundled mesh has no iris and its output is zero-padded to 478 (models/face_landmarker.md), so
 * the last 10 are all the mesh crop's corner (z 0), not face points, and are ignored.
 */
export const MESH_POINTS = 468;

/**
 * Mean luma (0..255) below which the picture is too dark: under roughly a sixth of full scale a
 * webcam's auto-exposure has run out and faces lose the contrast others need to read them (and the
 * detector starts missing them, so this is checked before anything else).
 */
export const MIN_LUMINANCE = 45;

/**
 * A face whose box is less than this share of the frame height is "too far": at a normal laptop
 * distance a face fills 30-50 % of the picture; below a fifth it becomes a thumbnail in the grid.
 */
export const MIN_FACE_HEIGHT = 0.2;

/** The face's centre may sit this far left or right of the middle before we suggest moving. */
export const MAX_CENTRE_OFFSET_X = 0.22;

/**
 * Vertical band for the face's centre. Not symmetric: a well-framed face sits above the middle
 * (eyes near the upper third), so only a face cut off at the top or sinking low is flagged.
 */
export const CENTRE_Y_RANGE: readonly [number, number] = [0.14, 0.68];

export const HINTS = {
  ok: 'Your picture looks good.',
  'no-face': "We can't see your face: look at the camera and check nothing covers it.",
  'several-faces': 'More than one face is in the picture: the check works best with just you.',
  'too-far': 'You look quite small: move a little closer to the camera.',
  'too-dark': 'Your picture is quite dark: turn on a light or face a window.',
} as const satisfies Record<Exclude<FramingStatus, 'off-centre'>, string>;

export function boundingBox(points: readonly Point[]): Box | null {
  const mesh = points.slice(0, MESH_POINTS);
  if (mesh.length === 0) return null;
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const p of mesh) {
    minX = Math.min(minX, p.x);
    minY = Math.min(minY, p.y);
    maxX = Math.max(maxX, p.x);
    maxY = Math.max(maxY, p.y);
  }
  return { x: minX, y: minY, width: maxX - minX, height: maxY - minY };
}

/** Which way to move, said from the person's own point of view (so mirroring does not matter). */
function offCentreHint(box: Box): string | null {
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  // The camera sees the person's left on the right of its (unmirrored) frame.
  if (cx < 0.5 - MAX_CENTRE_OFFSET_X) return 'You are near the edge: move a little to your left.';
  if (cx > 0.5 + MAX_CENTRE_OFFSET_X) return 'You are near the edge: move a little to your right.';
  if (cy < CENTRE_Y_RANGE[0]) return 'Your head is cut off at the top: tilt the camera up or sit a little lower.';
  if (cy > CENTRE_Y_RANGE[1]) return 'You are low in the picture: tilt the camera down or sit a little higher.';
  return null;
}

/**
 * Boxes that overlap this much are one face found twice: in VIDEO mode the landmarker re-runs its
 * detector while it tracks fewer than numFaces faces, and the same face can come back as a second
 * one for a frame (seen with the astronaut: "several faces" flickering over a single face).
 */
const SAME_FACE_IOU = 0.3;

function iou(a: Box, b: Box): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  return inter / (a.width * a.height + b.width * b.height - inter);
}

/** Pure: one box per distinct face, the larger of each overlapping pair kept. */
export function distinctFaces(boxes: readonly Box[]): Box[] {
  const bySize = [...boxes].sort((a, b) => b.width * b.height - a.width * a.height);
  const kept: Box[] = [];
  for (const box of bySize) if (!kept.some((k) => iou(k, box) > SAME_FACE_IOU)) kept.push(box);
  return kept;
}

/** `faces`: each face's landmarks; `luminance`: the frame's mean luma, 0..255. */
export function assessFraming(faces: readonly (readonly Point[])[], luminance: number): Framing {
  const boxes = distinctFaces(faces.map(boundingBox).filter((b): b is Box => b !== null));
  const largest = boxes.reduce<Box | null>((best, b) => (!best || b.width * b.height > best.width * best.height ? b : best), null);
  if (luminance < MIN_LUMINANCE) return { status: 'too-dark', hint: HINTS['too-dark'], box: largest };
  if (!largest) return { status: 'no-face', hint: HINTS['no-face'], box: null };
  if (boxes.length > 1) return { status: 'several-faces', hint: HINTS['several-faces'], box: largest };
  if (largest.height < MIN_FACE_HEIGHT) return { status: 'too-far', hint: HINTS['too-far'], box: largest };
  const offCentre = offCentreHint(largest);
  if (offCentre) return { status: 'off-centre', hint: offCentre, box: largest };
  return { status: 'ok', hint: HINTS.ok, box: largest };
}

/** Mean Rec. 601 luma of RGBA pixels (a small downscaled copy of the frame is plenty). */
export function meanLuminance(rgba: ArrayLike<number>): number {
  const pixels = Math.floor(rgba.length / 4);
  if (pixels === 0) return 0;
  let sum = 0;
  for (let i = 0; i < pixels * 4; i += 4) sum += 0.299 * rgba[i]! + 0.587 * rgba[i + 1]! + 0.114 * rgba[i + 2]!;
  return sum / pixels;
}

/** Few-word labels for the in-call self-view badge (the full hint is its tooltip). */
export const SHORT_LABELS: Record<FramingStatus, string> = {
  ok: 'Picture OK',
  'no-face': 'Face not visible',
  'several-faces': 'Several faces',
  'too-far': 'Move closer',
  'off-centre': 'Off-centre',
  'too-dark': 'Too dark',
};
