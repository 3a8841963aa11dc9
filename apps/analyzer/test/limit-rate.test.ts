import assert from 'node:assert/strict';
import { test } from 'node:test';
import { concat, map, of, timer } from 'rxjs';
import { limitRate } from '../src/pipeline/limit-rate.ts';
import { marbles } from './helpers/marbles.ts';

test('limitRate passes values with credit at once, holds the newest of the rest until credit is due, drops the others', () => {
  const dropped: string[] = [];
  marbles().run(({ hot, expectObservable }) => {
    // 10 fps: a spends the credit; b waits, c replaces it and goes out at 100 ms; by 250 ms 1.5
    // values of credit have built up, so d passes at once and e needs only until 300 ms.
    const source = hot('a 29ms b 29ms c 189ms d 9ms e');
    expectObservable(source.pipe(limitRate(10, { onDrop: (v) => dropped.push(v) }))).toBe('a 99ms c 149ms d 49ms e');
  });
  assert.deepEqual(dropped, ['b']);
});

test('limitRate lets a jittery stream at exactly the limit through without a drop', () => {
  const dropped: string[] = [];
  marbles().run(({ hot, expectObservable }) => {
    // 10 values 100 ms apart on average, arriving 130, 70, 120, 80, … ms apart (jitter).
    const source = hot('a 129ms b 69ms c 119ms d 79ms e 139ms f 59ms g 99ms h');
    expectObservable(source.pipe(limitRate(10, { onDrop: (v) => dropped.push(v) }))).toBe('a 129ms b 69ms c 119ms d 79ms e 139ms f 59ms g 99ms h');
  });
  assert.deepEqual(dropped, []);
});

test('limitRate holds the average: a long flood after a pause gets the burst, then fps', () => {
  marbles().run(({ cold, expectObservable }) => {
    // Credit tops out at the burst (2) during the 500 ms pause: two pass at once, then one per 100 ms.
    const flood = cold('500ms ' + 'x 9ms '.repeat(30) + '|');
    const out = flood.pipe(limitRate(10));
    expectObservable(out).toBe('500ms x 9ms x 89ms x 99ms x 99ms (x|)');
  });
});

test('limitRate flushes the pending newest value at its interval end before completing', () => {
  marbles().run(({ cold, expectObservable }) => {
    expectObservable(cold('a 9ms b 9ms c|').pipe(limitRate(10))).toBe('a 99ms (c|)');
    expectObservable(cold('a|').pipe(limitRate(10))).toBe('a|');
  });
});

test('limitRate never holds more than one pending value under a flood', () => {
  const dropped: number[] = [];
  marbles().run(({ cold, expectObservable }) => {
    // 1 value per ms for 50 ms at 20 fps (50 ms interval): 0 passes, 49 is the newest of the rest.
    const flood = cold('0123456789'.repeat(5) + '|', Object.fromEntries(Array.from({ length: 10 }, (_, i) => [String(i), i])));
    expectObservable(flood.pipe(limitRate(20, { onDrop: (v) => dropped.push(v) }))).toBe('0 49ms (9|)', { 0: 0, 9: 9 });
  });
  assert.equal(dropped.length, 48);
});

test('limitRate follows a changing fps', () => {
  marbles().run(({ hot, expectObservable }) => {
    const fps$ = concat(of(10), timer(150).pipe(map(() => 5)));
    // 10 fps until 150 ms (credit 0.5 then), 5 fps after: c at 200 ms waits for credit, d replaces it at 250 ms.
    const source = hot('a 9ms b 189ms c 9ms d');
    expectObservable(source.pipe(limitRate(fps$))).toBe('a 99ms b 149ms d');
  });
});

test('limitRate rejects a non-positive fps with a clear error', () => {
  marbles().run(({ cold, expectObservable }) => {
    expectObservable(cold('a').pipe(limitRate(0))).toBe('#', undefined, new Error('limitRate: fps must be > 0, got 0'));
  });
});

test('limitRateByFrameTime passes the first frame of each 1/fps slot of frame time', async () => {
  const { firstValueFrom, from, toArray } = await import('rxjs');
  const { limitRateByFrameTime } = await import('../src/pipeline/limit-rate.ts');
  const dropped: number[] = [];
  // 25 fps input limited to 10 fps (100 ms slots).
  const frames = Array.from({ length: 13 }, (_, i) => ({ t: i * 40 }));
  const out = await firstValueFrom(from(frames).pipe(limitRateByFrameTime(10, { onDrop: (f) => dropped.push(f.t) }), toArray()));
  assert.deepEqual(out.map((f) => f.t), [0, 120, 200, 320, 400]);
  assert.equal(dropped.length, 8);
});
