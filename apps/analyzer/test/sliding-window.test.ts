import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BehaviorSubject, firstValueFrom, from, map, Subject, toArray } from 'rxjs';
import { slidingWindow, type FrameWindow } from '../src/pipeline/sliding-window.ts';
import type { AlignedFrame } from '../src/pipeline/align-crops.ts';
import { aligned } from './helpers/fixtures.ts';
import { marbles } from './helpers/marbles.ts';

const windowsOf = (frames: AlignedFrame[], options: Parameters<typeof slidingWindow>[0]) =>
  firstValueFrom(from(frames).pipe(slidingWindow(options), toArray()));
const every = (from: number, to: number, step: number, face = true) =>
  Array.from({ length: Math.floor((to - from) / step) + 1 }, (_, i) => aligned(from + i * step, face));

test('slidingWindow emits every stride once a span is covered (marbles)', () => {
  marbles().run(({ cold, expectObservable }) => {
    // One frame per 50 ms of frame time; T = 3 over 200 ms, stride 100 ms.
    const frames = Object.fromEntries(every(0, 400, 50).map((f, i) => [String.fromCharCode(97 + i), f]));
    const out = cold('abcdefghi|', frames).pipe(
      slidingWindow({ frames: 3, spanMs: 200, strideMs: 100 }),
      map((w) => w.times.join(',')),
    );
    expectObservable(out).toBe('----x-y-z|', { x: '0,100,200', y: '100,200,300', z: '200,300,400' });
  });
});

test('slidingWindow picks the frame nearest to each evenly spaced time', async () => {
  const [w] = await windowsOf([0, 30, 90, 160, 210].map((t) => aligned(t, true)), { frames: 3, spanMs: 200 });
  assert.deepEqual(w!.times, [0, 90, 210]);
  assert.equal(w!.t, 210);
  assert.equal(w!.windowStart, 0);
});

test('slidingWindow repeats frames when the input is sparser than T / span', async () => {
  const [w] = await windowsOf([0, 100, 200].map((t) => aligned(t, true)), { frames: 5, spanMs: 200 });
  // Targets 0, 50, 100, 150, 200: a tie goes to the newer frame.
  assert.deepEqual(w!.times, [0, 100, 100, 200, 200]);
});

test('slidingWindow gives face-less frames no crop and weight 0; quality is the mean weight', async () => {
  const frames = [aligned(0, true), aligned(100, false), aligned(200, true)];
  const [w] = await windowsOf(frames, { frames: 3, spanMs: 200 });
  assert.deepEqual(w!.weights, [0.9, 0, 0.9]);
  assert.deepEqual(w!.crops.map((c) => c !== null), [true, false, true]);
  assert.ok(Math.abs(w!.quality - 0.6) < 1e-9);
  assert.equal(w!.faceCount, 1);
});

test('slidingWindow starts over after a gap longer than the span', async () => {
  const frames = [...every(0, 200, 50), ...every(1000, 1300, 50)];
  const ws = await windowsOf(frames, { frames: 3, spanMs: 200, strideMs: 100 });
  assert.deepEqual(ws.map((w) => w.t), [200, 1200, 1300]);
  assert.deepEqual(ws[1]!.times, [1000, 1100, 1200]);
});

test('slidingWindow ignores out-of-order frames and releases frames older than the span', async () => {
  const frames = [...every(0, 200, 50), aligned(120, true), ...every(250, 1000, 50)];
  const ws = await windowsOf(frames, { frames: 3, spanMs: 200, strideMs: 100 });
  assert.ok(ws.every((w) => w.times.every((t, i) => i === 0 || t > w.times[i - 1]!)));
  const last = ws[ws.length - 1]!;
  assert.deepEqual(last.times, [800, 900, 1000]);
});

test('slidingWindow follows a stride change at run time', () => {
  const stride$ = new BehaviorSubject(100);
  const source = new Subject<AlignedFrame>();
  const seen: FrameWindow[] = [];
  source.pipe(slidingWindow({ frames: 2, spanMs: 200, strideMs: stride$ })).subscribe((w) => seen.push(w));
  for (const f of every(0, 400, 50)) source.next(f);
  stride$.next(300);
  for (const f of every(450, 1200, 50)) source.next(f);
  assert.deepEqual(seen.map((w) => w.t), [200, 300, 400, 500, 800, 1100]);
});

test('slidingWindow rejects a bad T with a clear error', () => {
  assert.throws(() => slidingWindow({ frames: 0 }), /frames must be an integer ≥ 1, got 0/);
});

test('slidingWindow gives a first window after firstWindowMs, holding the earliest frame over the uncovered span', async () => {
  const frames = [...every(0, 400, 50), ...every(2000, 2300, 50)];
  const ws = await windowsOf(frames, { frames: 5, spanMs: 400, strideMs: 200, firstWindowMs: 100 });
  // First window at 100 ms (targets −300, −200, −100, 0, 100 → the earliest frame held), then every
  // stride over the full span; after the gap the stream starts over with an early window again.
  assert.deepEqual(ws.map((w) => w.t), [100, 300, 2100, 2300]);
  assert.deepEqual(ws[0]!.times, [0, 0, 0, 0, 100]);
  assert.deepEqual(ws[1]!.times, [0, 0, 100, 200, 300]);
  assert.deepEqual(ws[2]!.times, [2000, 2000, 2000, 2000, 2100]);
});

test('slidingWindow refuses a first window longer than the span', () => {
  assert.throws(() => slidingWindow({ frames: 3, spanMs: 200, firstWindowMs: 300 }), /firstWindowMs must be within 0\.\.spanMs \(200\), got 300/);
});
