import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FairWindowQueue } from '../src/inference/fair-queue.ts';

test('a newer window replaces the participant\'s queued one: the queue never grows', () => {
  const q = new FairWindowQueue<string>();
  assert.equal(q.enqueue('a', 'a1', 0), undefined);
  assert.equal(q.enqueue('a', 'a2', 1), 'a1');
  for (let i = 3; i < 1000; i++) q.enqueue('a', `a${i}`, i);
  assert.equal(q.depth, 1);
  assert.deepEqual(q.take(10).map((j) => j.job), ['a999']);
});

test('round-robin: one busy participant cannot starve the others', () => {
  const q = new FairWindowQueue<string>();
  const served: string[] = [];
  // "a" submits every tick, "b" and "c" every third tick; capacity is one window per tick.
  for (let tick = 0; tick < 30; tick++) {
    q.enqueue('a', `a${tick}`, tick);
    if (tick % 3 === 0) {
      q.enqueue('b', `b${tick}`, tick);
      q.enqueue('c', `c${tick}`, tick);
    }
    const [job] = q.take(1);
    if (job) {
      served.push(job.participantId);
      q.done(job.participantId);
    }
    assert.ok(q.depth <= 3);
  }
  const count = (id: string) => served.filter((s) => s === id).length;
  assert.equal(count('b'), 10);
  assert.equal(count('c'), 10);
  assert.equal(count('a'), 10);
});

test('a participant with a window in flight is skipped until done(), so results stay in order', () => {
  const q = new FairWindowQueue<string>();
  q.enqueue('a', 'a1', 0);
  assert.deepEqual(q.take(5).map((j) => j.job), ['a1']);
  q.enqueue('a', 'a2', 1);
  q.enqueue('b', 'b1', 1);
  assert.equal(q.ready, 1);
  assert.deepEqual(q.take(5).map((j) => j.job), ['b1']);
  q.done('a');
  assert.deepEqual(q.take(5).map((j) => j.job), ['a2']);
});

test('take hands out at most one window per participant and continues where it stopped', () => {
  const q = new FairWindowQueue<string>();
  for (const id of ['a', 'b', 'c', 'd']) q.enqueue(id, `${id}1`, 0);
  assert.deepEqual(q.take(2).map((j) => j.participantId), ['a', 'b']);
  for (const id of ['a', 'b']) {
    q.done(id);
    q.enqueue(id, `${id}2`, 1);
  }
  assert.deepEqual(q.take(3).map((j) => j.participantId), ['c', 'd', 'a']);
});

test('withdraw and remove free a participant\'s slot; oldestWaitMs reports the backlog', () => {
  const q = new FairWindowQueue<string>();
  q.enqueue('a', 'a1', 100);
  q.enqueue('b', 'b1', 300);
  assert.equal(q.oldestWaitMs(1000), 900);
  assert.equal(q.withdraw('a', 'other'), false);
  assert.equal(q.withdraw('a', 'a1'), true);
  assert.equal(q.remove('b'), 'b1');
  assert.equal(q.depth, 0);
  assert.equal(q.oldestWaitMs(1000), 0);
  q.enqueue('c', 'c1', 0);
  assert.deepEqual(q.take(1).map((j) => j.job), ['c1']);
});
