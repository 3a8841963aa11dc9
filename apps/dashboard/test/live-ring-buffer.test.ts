import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RingBuffer } from '../src/lib/live/ring-buffer.ts';

test('a full ring buffer drops the oldest item and keeps order', () => {
  const b = new RingBuffer<number>(3);
  for (const n of [1, 2, 3, 4, 5]) b.push(n);
  assert.equal(b.size, 3);
  assert.deepEqual(b.toArray(), [3, 4, 5]);
  assert.equal(b.at(0), 3);
  assert.equal(b.last(), 5);
  assert.equal(b.at(3), undefined);
});

test('evictWhile drops from the front only while the predicate holds', () => {
  const b = new RingBuffer<number>(5);
  for (const n of [10, 20, 30, 40]) b.push(n);
  assert.equal(b.evictWhile((n) => n < 25), 2);
  assert.deepEqual(b.toArray(), [30, 40]);
  b.push(50);
  b.push(60);
  b.push(70);
  b.push(80); // wraps around
  assert.deepEqual(b.toArray(), [40, 50, 60, 70, 80]);
  b.replaceLast(81);
  assert.deepEqual(b.toArray(), [40, 50, 60, 70, 81]);
  b.clear();
  assert.equal(b.size, 0);
  assert.equal(b.last(), undefined);
});

test('capacity must be a positive integer', () => {
  assert.throws(() => new RingBuffer(0));
});
