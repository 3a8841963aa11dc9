import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  assessFraming,
  boundingBox,
  CENTRE_Y_RANGE,
  HINTS,
  MAX_CENTRE_OFFSET_X,
  MESH_POINTS,
  meanLuminance,
  MIN_FACE_HEIGHT,
  MIN_LUMINANCE,
  SHORT_LABELS,
  type Point,
} from '../src/lib/framing/hints.ts';

const BRIGHT = 120;

/** A face as FaceLandmarker reports it: 468 mesh points on a box's outline, then the 10 "iris" slots of
 * the zero padding, all one point (the mesh crop's corner) off the face. */
function face(cx: number, cy: number, width: number, height: number): Point[] {
  const points: Point[] = [];
  for (let i = 0; i < MESH_POINTS; i++) {
    const t = (i / MESH_POINTS) * 2 * Math.PI;
    points.push({ x: cx + (Math.cos(t) * width) / 2, y: cy + (Math.sin(t) * height) / 2 });
  }
  for (let i = 0; i < 10; i++) points.push({ x: 5, y: -5 });
  return points;
}

const centred = face(0.5, 0.4, 0.25, 0.33);

test('a single, big enough, centred face in a bright picture is ok', () => {
  const result = assessFraming([centred], BRIGHT);
  assert.equal(result.status, 'ok');
  assert.equal(result.hint, HINTS.ok);
  assert.match(result.hint, /looks good/);
});

test('the face box comes from the 468 mesh points only (the 10 zero-padded iris slots are not face points)', () => {
  const box = boundingBox(centred)!;
  assert.ok(Math.abs(box.x - 0.375) < 1e-3 && Math.abs(box.width - 0.25) < 1e-3);
  assert.ok(Math.abs(box.y - (0.4 - 0.165)) < 1e-3 && Math.abs(box.height - 0.33) < 1e-3);
  assert.equal(boundingBox([]), null);
});

test('no face, several faces', () => {
  assert.deepEqual(assessFraming([], BRIGHT), { status: 'no-face', hint: HINTS['no-face'], box: null });
  const several = assessFraming([centred, face(0.8, 0.4, 0.1, 0.12)], BRIGHT);
  assert.equal(several.status, 'several-faces');
  // The box follows the largest face, whichever order they come in.
  assert.deepEqual(assessFraming([face(0.8, 0.4, 0.1, 0.12), centred], BRIGHT).box, several.box);
  assert.ok(Math.abs(several.box!.width - 0.25) < 1e-3);
});

test('the same face found twice (overlapping boxes) is one face, not several', () => {
  const twice = assessFraming([centred, face(0.51, 0.41, 0.24, 0.32)], BRIGHT);
  assert.equal(twice.status, 'ok');
  assert.ok(Math.abs(twice.box!.width - 0.25) < 1e-3, 'the larger box is kept');
  // Side by side (no overlap) they are two people.
  assert.equal(assessFraming([face(0.3, 0.4, 0.2, 0.3), face(0.7, 0.4, 0.2, 0.3)], BRIGHT).status, 'several-faces');
});

test('too dark wins over everything (a dark frame also hides faces from the detector)', () => {
  assert.equal(assessFraming([], MIN_LUMINANCE - 1).status, 'too-dark');
  assert.equal(assessFraming([centred], MIN_LUMINANCE - 1).status, 'too-dark');
  assert.notEqual(assessFraming([centred], MIN_LUMINANCE - 1).box, null);
  assert.equal(assessFraming([centred], MIN_LUMINANCE).status, 'ok');
});

test('too far: a face shorter than MIN_FACE_HEIGHT of the frame', () => {
  assert.equal(assessFraming([face(0.5, 0.4, 0.1, MIN_FACE_HEIGHT - 0.01)], BRIGHT).status, 'too-far');
  assert.equal(assessFraming([face(0.5, 0.4, 0.15, MIN_FACE_HEIGHT + 0.01)], BRIGHT).status, 'ok');
});

test('off-centre says which way to move from the person\'s own point of view', () => {
  // Left of the camera's raw frame = the person is off to their right side: they move to their left.
  const left = assessFraming([face(0.5 - MAX_CENTRE_OFFSET_X - 0.02, 0.4, 0.25, 0.33)], BRIGHT);
  assert.equal(left.status, 'off-centre');
  assert.match(left.hint, /to your left/);
  assert.match(assessFraming([face(0.5 + MAX_CENTRE_OFFSET_X + 0.02, 0.4, 0.25, 0.33)], BRIGHT).hint, /to your right/);
  assert.match(assessFraming([face(0.5, CENTRE_Y_RANGE[0] - 0.02, 0.25, 0.3)], BRIGHT).hint, /cut off at the top/);
  assert.match(assessFraming([face(0.5, CENTRE_Y_RANGE[1] + 0.02, 0.25, 0.3)], BRIGHT).hint, /low in the picture/);
  // A face a little above the middle is how people are framed: fine.
  assert.equal(assessFraming([face(0.45, 0.3, 0.25, 0.33)], BRIGHT).status, 'ok');
});

test('every status has a short, friendly hint and a badge label', () => {
  const statuses = ['ok', 'no-face', 'several-faces', 'too-far', 'off-centre', 'too-dark'] as const;
  for (const s of statuses) assert.ok(SHORT_LABELS[s].length > 0 && SHORT_LABELS[s].length <= 16, s);
  for (const hint of Object.values(HINTS)) assert.ok(hint.length <= 90, hint);
});

test('meanLuminance: Rec. 601 luma of RGBA pixels', () => {
  assert.equal(meanLuminance(new Uint8ClampedArray([255, 255, 255, 255, 0, 0, 0, 255])), 127.5);
  assert.ok(Math.abs(meanLuminance([255, 0, 0, 255]) - 76.245) < 1e-9);
  assert.ok(Math.abs(meanLuminance([0, 255, 0, 0]) - 149.685) < 1e-9);
  assert.equal(meanLuminance([]), 0);
});
