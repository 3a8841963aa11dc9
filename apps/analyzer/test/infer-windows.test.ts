import assert from 'node:assert/strict';
import { test } from 'node:test';
import { map, Observable, throwError, timer } from 'rxjs';
import { inferWindows, type InferenceOutcome, type WindowInference } from '../src/pipeline/infer-windows.ts';
import { packWindow } from '../src/pipeline/pack-window.ts';
import type { FrameWindow } from '../src/pipeline/sliding-window.ts';
import type { PackedWindow } from '../src/ports.ts';
import { crop, onehot } from './helpers/fixtures.ts';
import { marbles } from './helpers/marbles.ts';

const model = { name: 'm', frames: 3, height: 2, width: 2 };
const win = (t: number, faces: boolean[]): FrameWindow => ({
  t,
  windowStart: t - 200,
  crops: faces.map((f, i) => (f ? crop(2, [i * 10 + 1, 0, 0]) : null)),
  weights: faces.map((f) => (f ? 0.8 : 0)),
  times: faces.map((_, i) => t - 200 + i * 100),
  faceCount: faces.some(Boolean) ? 1 : 0,
  quality: (faces.filter(Boolean).length * 0.8) / faces.length,
});

test('packWindow packs T crops back to back and lends face-less frames the nearest face crop at weight 0', () => {
  const packed = packWindow(win(1000, [false, true, false]), model)!;
  assert.equal(packed.pixels.length, 3 * 2 * 2 * 3);
  assert.deepEqual(Array.from(packed.weights), [0, Math.fround(0.8), 0]);
  // Every frame holds crop 1's pixels (red = 11).
  assert.deepEqual([0, 12, 24].map((o) => packed.pixels[o]), [11, 11, 11]);
  assert.equal(packWindow(win(1000, [false, false, false]), model), null);
  assert.throws(() => packWindow(win(1000, [true, true]), model), /window has 2 frames, the model takes 3/);
});

/** Scripted inference service: "done" after `delay` ms of virtual time, or what `script` says. */
function scripted(script: (call: number) => Observable<InferenceOutcome>): WindowInference & { calls: PackedWindow[] } {
  const calls: PackedWindow[] = [];
  return { model, calls, infer: (_p, w) => (calls.push(w), script(calls.length - 1)) };
}

test('inferWindows sends face windows to inference, passes face-less ones through with probs null', () => {
  marbles().run(({ cold, expectObservable }) => {
    const inference = scripted(() => timer(5).pipe(map(() => ({ status: 'done', probs: onehot('happy'), queueMs: 2, inferenceMs: 3 }) as const)));
    const out = cold('a 9ms b|', { a: win(1000, [true, true, true]), b: win(2000, [false, false, false]) }).pipe(
      inferWindows(inference, { participantId: 'p1' }),
      map((w) => [w.t, w.facePresent, w.probs?.happy ?? null, w.queueMs]),
    );
    expectObservable(out).toBe('----- x 4ms y|', { x: [1000, true, 1, 2], y: [2000, false, null, 0] });
  });
});

test('inferWindows treats a window with too few face frames as face-less (no estimate invented)', () => {
  marbles().run(({ cold, expectObservable }) => {
    const inference = scripted(() => timer(1).pipe(map(() => ({ status: 'done', probs: onehot('sad'), queueMs: 0, inferenceMs: 1 }) as const)));
    const out = cold('a|', { a: win(1000, [true, false, false]) }).pipe(
      inferWindows(inference, { participantId: 'p1', minFaceShare: 0.5 }),
      map((w) => [w.facePresent, w.probs]),
    );
    expectObservable(out).toBe('x|', { x: [false, null] });
    assert.equal(inference.calls.length, 0);
  });
});

test('inferWindows drops superseded and failed windows, keeps going, and never emits out of order', () => {
  const errors: string[] = [];
  marbles().run(({ cold, expectObservable }) => {
    // Call 0 is slow and finishes after call 3: its late result is dropped.
    const inference = scripted((call) => {
      if (call === 0) return timer(30).pipe(map(() => ({ status: 'done', probs: onehot('angry'), queueMs: 0, inferenceMs: 30 }) as const));
      if (call === 1) return timer(2).pipe(map(() => ({ status: 'superseded' }) as const));
      if (call === 2) return throwError(() => new Error('worker died'));
      return timer(2).pipe(map(() => ({ status: 'done', probs: onehot('fear'), queueMs: 0, inferenceMs: 2 }) as const));
    });
    const all = [true, true, true];
    const out = cold('a 4ms b 4ms c 4ms d|', { a: win(1000, all), b: win(2000, all), c: win(3000, all), d: win(4000, all) }).pipe(
      inferWindows(inference, { participantId: 'p1', onError: (m) => errors.push(m) }),
      map((x) => [x.t, x.probs?.fear]),
    );
    expectObservable(out).toBe(' 17ms x 12ms |', { x: [4000, 1] });
  });
  assert.deepEqual(errors, ['inference failed for a window of p1: worker died']);
});
