import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Fuzz, fuzzSeed, seededRandom } from '../src/fuzz.ts';

test('the same seed replays the same values; another seed does not', () => {
  const run = (seed: number) => {
    const f = new Fuzz(seed);
    return JSON.stringify(Array.from({ length: 50 }, () => f.mutate({ roomId: 'r', displayName: 'Ann', nested: { a: 1 } })));
  };
  assert.equal(run(42), run(42));
  assert.notEqual(run(42), run(43));
  const r = seededRandom(7);
  for (let i = 0; i < 1000; i++) {
    const x = r();
    assert.ok(x >= 0 && x < 1);
  }
});

test('fuzzSeed: FUZZ_SEED replays, otherwise a fresh integer', () => {
  assert.equal(fuzzSeed({ FUZZ_SEED: '123' }), 123);
  assert.ok(Number.isInteger(fuzzSeed({})));
  assert.ok(Number.isInteger(fuzzSeed({ FUZZ_SEED: 'nope' })));
});
