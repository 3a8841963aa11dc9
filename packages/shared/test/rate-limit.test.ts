import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { KeyedTokenBuckets, TokenBucket, perMinute } from '../src/rate-limit.ts';

describe('TokenBucket', () => {
  test('admits the burst at once, then the steady rate', () => {
    const b = new TokenBucket({ perSecond: 10, burst: 3 }, 0);
    assert.deepEqual([b.take(0), b.take(0), b.take(0), b.take(0)], [true, true, true, false]);
    assert.equal(b.retryAfterMs(0), 100);
    assert.equal(b.take(99), false, 'not a whole token yet');
    assert.equal(b.take(100), true);
    assert.equal(b.take(100), false);
  });

  test('refills up to the burst, never beyond', () => {
    const b = new TokenBucket({ perSecond: 10, burst: 2 }, 0);
    b.take(0);
    b.take(0);
    assert.equal(b.isFull(60_000), true);
    assert.deepEqual([b.take(60_000), b.take(60_000), b.take(60_000)], [true, true, false]);
  });

  test('a clock going backwards neither mints nor burns tokens', () => {
    const b = new TokenBucket({ perSecond: 1, burst: 1 }, 10_000);
    assert.equal(b.take(10_000), true);
    assert.equal(b.take(0), false);
    assert.equal(b.take(10_999), false, 'the step back did not move the refill point');
    assert.equal(b.take(11_000), true);
  });

  test('perMinute: n at once, then one every 60/n s', () => {
    const b = new TokenBucket(perMinute(30), 0);
    for (let i = 0; i < 30; i++) assert.equal(b.take(0), true);
    assert.equal(b.take(0), false);
    assert.equal(b.retryAfterMs(0), 2000);
    assert.equal(b.take(2000), true);
  });

  test('refuses nonsense limits', () => {
    assert.throws(() => new TokenBucket({ perSecond: 0, burst: 1 }, 0), RangeError);
    assert.throws(() => new TokenBucket({ perSecond: 1, burst: 0 }, 0), RangeError);
    assert.throws(() => new TokenBucket({ perSecond: Number.NaN, burst: 1 }, 0), RangeError);
  });
});

describe('KeyedTokenBuckets', () => {
  test('keys are limited independently', () => {
    const k = new KeyedTokenBuckets({ perSecond: 1, burst: 1 });
    assert.equal(k.take('a', 0), true);
    assert.equal(k.take('a', 0), false);
    assert.equal(k.take('b', 0), true);
    assert.equal(k.retryAfterMs('a', 0), 1000);
    assert.equal(k.retryAfterMs('never-seen', 0), 0);
  });

  test('memory stays bounded: full buckets are forgotten, then new keys share an overflow bucket', () => {
    const k = new KeyedTokenBuckets({ perSecond: 1, burst: 1 }, 3);
    for (const key of ['a', 'b', 'c']) assert.equal(k.take(key, 0), true);
    assert.equal(k.size, 3);
    // None is full yet: 'd' and 'e' share the overflow bucket.
    assert.equal(k.take('d', 0), true);
    assert.equal(k.take('e', 0), false);
    assert.equal(k.size, 3);
    // A second later all are full again and forgotten; new keys get their own buckets.
    assert.equal(k.take('f', 1000), true);
    assert.equal(k.size, 1);
  });
});
