import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultLevels, OverloadController } from '../src/inference/overload-controller.ts';

const levels = defaultLevels(15, 1000);

test('defaultLevels steps fps down first, then lengthens the stride', () => {
  assert.deepEqual(levels, [
    { fps: 15, strideMs: 1000 },
    { fps: 10, strideMs: 1000 },
    { fps: 8, strideMs: 1500 },
    { fps: 5, strideMs: 2000 },
    { fps: 5, strideMs: 3000 },
  ]);
});

test('steps down when latency exceeds the stride for consecutive evaluations, and back up only after a calm streak', () => {
  const c = new OverloadController({ levels, downAfter: 2, upAfter: 3 });
  for (let i = 0; i < 5; i++) c.record(1500);
  assert.equal(c.evaluate(), false);
  assert.equal(c.evaluate(), true);
  assert.deepEqual(c.settings, { fps: 10, strideMs: 1000 });
  assert.equal(c.overloaded, true);
  // Between half the stride and the stride: hold (hysteresis band).
  for (let i = 0; i < 10; i++) c.record(700);
  for (let i = 0; i < 5; i++) assert.equal(c.evaluate(), false);
  assert.equal(c.levelIndex, 1);
  // Calm: under half the stride for upAfter evaluations.
  const calm = new OverloadController({ levels, downAfter: 1, upAfter: 3 });
  calm.record(5000);
  calm.evaluate();
  assert.equal(calm.levelIndex, 1);
  for (let i = 0; i < 10; i++) calm.record(100);
  assert.equal(calm.evaluate(), false);
  assert.equal(calm.evaluate(), false);
  assert.equal(calm.evaluate(), true);
  assert.equal(calm.levelIndex, 0);
});

test('a backlog that is not finishing at all still counts as overload', () => {
  const c = new OverloadController({ levels, downAfter: 1 });
  assert.equal(c.evaluate(2500), true);
  assert.equal(c.levelIndex, 1);
});

test('never steps beyond the last level', () => {
  const c = new OverloadController({ levels, downAfter: 1 });
  for (let i = 0; i < 20; i++) c.evaluate(60_000);
  assert.equal(c.levelIndex, levels.length - 1);
});
