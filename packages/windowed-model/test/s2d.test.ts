import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EMOTIONS } from '@moodroom/shared';
import { loadWindowedModel, type WindowedModel } from '../src/index.ts';
import { MODELS_DIR, python, randomBytes } from './helpers.ts';

// A tiny random-weight S2D (every code path of the real architecture, 4 frames of 56x56) exported by
// models/s2d/export.py, run through this runtime: proves real S2D exports load and batch here.
const EXPORTER = join(MODELS_DIR, 's2d/export.py');
let dir = '';
let model: WindowedModel | undefined;

before(() => {
  if (!existsSync(EXPORTER)) return;
  dir = mkdtempSync(join(tmpdir(), 'windowed-s2d-'));
  python(['-m', 's2d.export', '--random-weights', '--config', 'tiny', '--dataset', 'mafw', '--skip-check', '--out', join(dir, 's2d-tiny.onnx')], 300_000);
});
after(async () => {
  await model?.release();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('a tiny S2D export (MAFW head) loads and runs through the runtime', { skip: !existsSync(EXPORTER) && 'models/s2d/export.py not present' }, async () => {
  model = await loadWindowedModel(join(dir, 's2d-tiny.onnx'), { threads: 1, maxBatch: 4 });
  const { info } = model;
  assert.deepEqual([info.frames, info.height, info.width], [4, 56, 56]);
  assert.deepEqual(info.mean, [0.485, 0.456, 0.406]);
  assert.equal(info.labels.length, 11);
  assert.deepEqual(info.extras, ['anxiety', 'contempt', 'disappointment', 'helplessness']);
  assert.equal(info.canonicalIndex.happy, 6);
  const frameBytes = info.frames * info.height * info.width * 3;
  const windows = [1, 2, 3].map((s) => ({ pixels: randomBytes(frameBytes, s), weights: new Float32Array(info.frames).fill(1) }));
  const batched = await model.run(windows);
  assert.equal(batched.batchSize, 3);
  for (let i = 0; i < windows.length; i++) {
    const r = batched.windows[i]!;
    assert.equal(r.logits.length, 11);
    assert.ok(r.logits.every(Number.isFinite));
    assert.ok(Math.abs(EMOTIONS.reduce((s, e) => s + r.probs[e], 0) - 1) < 1e-6);
    const single = (await model.run([windows[i]!])).windows[0]!;
    const diff = Math.max(...single.logits.map((v, k) => Math.abs(v - r.logits[k]!)));
    assert.ok(diff < 1e-4, `window ${i}: batched vs alone differ by ${diff}`);
  }
  // different inputs give different outputs (the graph is really computing on the pixels)
  assert.notDeepEqual([...batched.windows[0]!.logits], [...batched.windows[1]!.logits]);
});
