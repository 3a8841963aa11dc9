import assert from 'node:assert/strict';
import { test } from 'node:test';
import { firstValueFrom, lastValueFrom, toArray } from 'rxjs';
import type { EmotionProbs } from '@moodroom/shared';
import { InferenceScheduler } from '../src/inference/scheduler.ts';
import type { BatchRunner } from '../src/inference/worker-pool.ts';
import type { InferenceOutcome } from '../src/pipeline/infer-windows.ts';
import type { PackedWindow } from '../src/ports.ts';
import { onehot } from './helpers/fixtures.ts';

/**
 * A hand-driven runner so the scheduler's queueing, batching and fairness can be checked step by
 * step; the real worker pool is exercised in worker-pool.test.ts.
 */
class ManualRunner implements BatchRunner {
  readonly model = { name: 'manual', frames: 1, height: 1, width: 1 };
  batches: { windows: PackedWindow[]; resolve: (probs: EmotionProbs[]) => void; reject: (e: Error) => void }[] = [];
  constructor(private slots: number) {}
  idle() {
    return this.slots - this.batches.length;
  }
  run(windows: PackedWindow[]) {
    return new Promise<{ probs: EmotionProbs[]; inferenceMs: number }>((resolve, reject) => {
      this.batches.push({ windows, resolve: (probs) => resolve({ probs, inferenceMs: 7 }), reject });
    });
  }
  finish(i = 0, probs?: EmotionProbs[]) {
    const [b] = this.batches.splice(i, 1);
    b!.resolve(probs ?? b!.windows.map(() => onehot('happy')));
  }
  fail(i: number, error: Error) {
    const [b] = this.batches.splice(i, 1);
    b!.reject(error);
  }
  async close() {}
}

const win = (tag: number): PackedWindow => ({ frames: 1, height: 1, width: 1, pixels: new Uint8Array([tag, 0, 0]), weights: new Float32Array([1]) });
const tick = () => new Promise((r) => setImmediate(r));
const settings = { fps: 15, strideMs: 1000 };

test('runs windows in parallel while runners are idle, then batches when they are all busy', async () => {
  const runner = new ManualRunner(2);
  const s = new InferenceScheduler(runner, { maxBatch: 4, settings, evaluateEveryMs: 0 });
  const results = ['a', 'b'].map((p, i) => firstValueFrom(s.infer(p, win(i))));
  assert.deepEqual(runner.batches.map((b) => b.windows.length), [1, 1]);
  const queued = ['c', 'd', 'e'].map((p, i) => firstValueFrom(s.infer(p, win(10 + i))));
  assert.equal(s.queueDepth, 3);
  runner.finish(0);
  await tick();
  // One runner free, three ready windows: one batch of three.
  assert.deepEqual(runner.batches.map((b) => b.windows.map((w) => w.pixels[0])), [[1], [10, 11, 12]]);
  runner.finish(0);
  runner.finish(0);
  const outcomes = await Promise.all([...results, ...queued]);
  assert.ok(outcomes.every((o) => o.status === 'done' && o.probs.happy === 1 && o.inferenceMs === 7));
  s.close();
});

test('a participant\'s newer window supersedes their queued one; memory stays bounded', async () => {
  const runner = new ManualRunner(1);
  const superseded: string[] = [];
  const s = new InferenceScheduler(runner, { maxBatch: 1, settings, evaluateEveryMs: 0, onSuperseded: (p) => superseded.push(p) });
  const first = firstValueFrom(s.infer('a', win(1)));
  const outcomes: Promise<InferenceOutcome>[] = [];
  for (let i = 2; i < 50; i++) outcomes.push(firstValueFrom(s.infer('a', win(i))));
  assert.equal(s.queueDepth, 1);
  runner.finish(0);
  await tick();
  runner.finish(0);
  const all = await Promise.all([first, ...outcomes]);
  assert.deepEqual(all.map((o) => o.status).filter((x) => x === 'done').length, 2);
  assert.equal((await outcomes.at(-1))!.status, 'done');
  assert.equal(superseded.length, 47);
  s.close();
});

test('round-robin across participants when capacity is short', async () => {
  const runner = new ManualRunner(1);
  const s = new InferenceScheduler(runner, { maxBatch: 1, settings, evaluateEveryMs: 0 });
  const order: string[] = [];
  const submit = (p: string, tag: number) => s.infer(p, win(tag)).subscribe((o) => o.status === 'done' && order.push(p));
  submit('a', 1);
  submit('b', 2);
  submit('c', 3);
  for (let round = 0; round < 6; round++) {
    submit('a', 10 + round); // "a" floods; it must still wait its turn
    runner.finish(0);
    await tick();
  }
  assert.deepEqual(order.slice(0, 4), ['a', 'b', 'c', 'a']);
  s.close();
});

test('unsubscribing withdraws a queued window; a failed batch errors only its own windows', async () => {
  const runner = new ManualRunner(1);
  const s = new InferenceScheduler(runner, { maxBatch: 1, settings, evaluateEveryMs: 0 });
  const running = lastValueFrom(s.infer('a', win(1)).pipe(toArray()));
  const withdrawn = s.infer('b', win(2)).subscribe();
  assert.equal(s.queueDepth, 1);
  withdrawn.unsubscribe();
  assert.equal(s.queueDepth, 0);
  const next = firstValueFrom(s.infer('c', win(3)));
  runner.fail(0, new Error('boom'));
  await assert.rejects(running, /boom/);
  await tick();
  runner.finish(0);
  assert.equal((await next).status, 'done');
  s.close();
});

test('the overload controller lowers everyone\'s settings when windows wait longer than the stride', async () => {
  let now = 0;
  const runner = new ManualRunner(1);
  const levels: number[] = [];
  const s = new InferenceScheduler(runner, { maxBatch: 1, settings, evaluateEveryMs: 0, now: () => now, onLevelChange: (_s, l) => levels.push(l) });
  const seen: number[] = [];
  s.settings$.subscribe((x) => seen.push(x.fps));
  s.infer('a', win(1)).subscribe();
  s.infer('b', win(2)).subscribe();
  now = 1500; // "b" has waited 1.5 strides
  s.evaluate();
  s.evaluate();
  assert.equal(s.overloaded, true);
  assert.deepEqual(levels, [1]);
  assert.deepEqual(seen, [15, 10]);
  s.close();
});
