import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { EMOTIONS, canonicalEmotion, dominantEmotion } from '@moodroom/shared';
import { loadWindowedModel, packWindow, RECOMMENDED_MAX_BATCH, softmax, WindowedContractError, type WindowedModel } from '../src/index.ts';
import { BASELINE, makeFixtures, randomBytes, repeatFrame } from './helpers.ts';

const T = 4, H = 8, W = 8;
const FRAME = H * W * 3;
let fx: ReturnType<typeof makeFixtures>;
const open: WindowedModel[] = [];
const load = async (path: string, opts?: Parameters<typeof loadWindowedModel>[1]) => {
  const m = await loadWindowedModel(path, opts);
  open.push(m);
  return m;
};

before(() => { fx = makeFixtures(); });
after(async () => {
  await Promise.all(open.map((m) => m.release()));
  fx.cleanup();
});

const windowOf = (seed: number, frames = T, frameBytes = FRAME) => ({ pixels: randomBytes(frames * frameBytes, seed) });
const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol: number, what: string) => {
  assert.equal(a.length, b.length, what);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i]! - b[i]!) <= tol, `${what}[${i}]: ${a[i]} vs ${b[i]}`);
};

describe('contract checks on real ONNX files', () => {
  for (const key of ['contract', 'labels', 'frames', 'height', 'width', 'mean', 'std']) {
    test(`missing moodroom.${key} is a clear error`, async () => {
      await assert.rejects(loadWindowedModel(fx.file(`missing-${key}.onnx`)), (err: Error) => {
        assert.ok(err instanceof WindowedContractError, String(err));
        assert.match(err.message, new RegExp(`metadata key "moodroom\\.${key}" is missing`));
        assert.match(err.message, /models\/WINDOWED_CONTRACT\.md/);
        assert.ok(err.message.includes(fx.file(`missing-${key}.onnx`)), 'names the file');
        return true;
      });
    });
  }
  test('malformed metadata and metadata that disagrees with the graph are rejected', async () => {
    await assert.rejects(loadWindowedModel(fx.file('bad-contract.onnx')), /"windowed-v0", this runtime reads "windowed-v1"/);
    await assert.rejects(loadWindowedModel(fx.file('bad-labels-json.onnx')), /"moodroom\.labels" is not valid JSON/);
    await assert.rejects(loadWindowedModel(fx.file('bad-mean.onnx')), /"moodroom\.mean" must be a JSON array of 3/);
    await assert.rejects(loadWindowedModel(fx.file('bad-std-zero.onnx')), /"moodroom\.std" must be a JSON array of 3 positive/);
    await assert.rejects(loadWindowedModel(fx.file('bad-frames.onnx')), /input "frames" has shape \[N, 4, 3, 8, 8\], the metadata implies \[N, 8, 3, 8, 8\]/);
    await assert.rejects(loadWindowedModel(fx.file('bad-labels-count.onnx')), /output "logits" has shape \[N, 7\], the metadata implies \[N, 5\]/);
    await assert.rejects(loadWindowedModel(fx.file('bad-no-canonical.onnx')), /none of the labels/);
    await assert.rejects(loadWindowedModel(fx.file('nope.onnx')), /cannot read the windowed model .*nope\.onnx/);
    // a static classifier is not a windowed model
    await assert.rejects(loadWindowedModel(BASELINE.replace('expression-window-baseline', 'expression-faceapi')), /"moodroom\.contract" is missing/);
  });
});

describe('label mapping through the runtime', () => {
  test('DFEW, FERV39k and MAFW heads map onto the canonical emotions by name', async () => {
    // The three fixtures share one seeded linear layer per class count, so DFEW and FERV39k emit the
    // same logits under different label orders: the canonical probabilities must follow the names.
    const dfew = await load(fx.file('dfew.onnx'));
    const ferv = await load(fx.file('ferv39k.onnx'));
    const mafw = await load(fx.file('mafw.onnx'));
    assert.equal(dfew.info.dataset, 'dfew');
    assert.deepEqual(mafw.info.extras, ['anxiety', 'contempt', 'disappointment', 'helplessness']);
    const windows = [windowOf(1), windowOf(2)];
    for (const model of [dfew, ferv, mafw]) {
      const out = await model.run(windows);
      for (const r of out.windows) {
        const p = softmax(r.logits);
        model.info.labels.forEach((label, i) => {
          const e = canonicalEmotion(label);
          if (e) assert.ok(Math.abs(r.probs[e] - p[i]! / r.canonicalMass) < 1e-6, `${model.info.name} ${label}`);
          else assert.ok(Math.abs(r.extras[label]! - p[i]!) < 1e-6, `${model.info.name} extra ${label}`);
        });
        assert.ok(Math.abs(EMOTIONS.reduce((s, e) => s + r.probs[e], 0) - 1) < 1e-6);
      }
    }
    const a = await dfew.run(windows);
    const b = await ferv.run(windows);
    close(a.windows[0]!.logits, b.windows[0]!.logits, 0, 'same logits');
    assert.notDeepEqual(a.probs[0], b.probs[0]);
    assert.ok(Math.abs(a.probs[0]!.happy - b.probs[0]!.angry) < 1e-6, 'DFEW index 0 is happy, FERV39k index 0 is angry');
    const m = (await mafw.run(windows)).windows[0]!;
    assert.ok(m.canonicalMass < 1 && m.canonicalMass > 0);
  });
});

describe('batching and frame weights', () => {
  test('a batch equals the windows run one by one, also when split by maxBatch', async () => {
    const whole = await load(fx.file('dfew-weighted.onnx'), { maxBatch: 8 });
    const split = await load(fx.file('dfew-weighted.onnx'), { maxBatch: 2 });
    const unbatched = await load(fx.file('dfew-weighted.onnx'));
    assert.equal(unbatched.info.maxBatch, RECOMMENDED_MAX_BATCH);
    const windows = [1, 2, 3, 4, 5].map((s) => ({ ...windowOf(s), weights: new Float32Array([1, 0.5, 0, 0.25].map((w) => w * s / 5)) }));
    const batched = await whole.run(windows);
    assert.equal(batched.batchSize, 5);
    assert.equal(batched.calls, 1);
    const chunked = await split.run(windows);
    assert.deepEqual([chunked.batchSize, chunked.calls], [2, 3]);
    const byDefault = await unbatched.run(windows);
    assert.deepEqual([byDefault.batchSize, byDefault.calls], [1, 5]);
    for (let i = 0; i < windows.length; i++) {
      const single = await whole.run([windows[i]!]);
      assert.equal(single.batchSize, 1);
      close(batched.windows[i]!.logits, single.windows[0]!.logits, 1e-5, `window ${i}`);
      close(chunked.windows[i]!.logits, single.windows[0]!.logits, 1e-5, `window ${i} (maxBatch 2)`);
      close(byDefault.windows[i]!.logits, single.windows[0]!.logits, 1e-5, `window ${i} (default maxBatch)`);
    }
    assert.ok(batched.latencyMs >= batched.inferenceMs && batched.inferenceMs > 0);
    assert.deepEqual((await whole.run([])).probs, []);
  });

  test('windows as crop arrays or pre-normalised floats give the same answer as byte buffers, in one batch', async () => {
    const model = await load(fx.file('dfew-weighted.onnx'), { maxBatch: 4 });
    const { pixels } = windowOf(11);
    const crops = Array.from({ length: T }, (_, t) => pixels.slice(t * FRAME, (t + 1) * FRAME));
    const normalised = new Float32Array(T * FRAME);
    packWindow(pixels, model.info, normalised);
    const weights = [0.2, 1, 0.7, 0];
    const out = await model.run([{ pixels, weights }, { pixels: crops, weights }, { pixels: normalised, weights }]);
    assert.equal(out.calls, 1);
    close(out.windows[1]!.logits, out.windows[0]!.logits, 0, 'crops');
    close(out.windows[2]!.logits, out.windows[0]!.logits, 0, 'normalised');
  });

  test('frame_weights steer the temporal pooling', async () => {
    const model = await load(fx.file('dfew-weighted.onnx'));
    assert.equal(model.info.hasFrameWeights, true);
    const frames = windowOf(9).pixels;
    const onlyFirst = await model.run([{ pixels: frames, weights: [1, 0, 0, 0] }]);
    const all = await model.run([{ pixels: frames, weights: [1, 1, 1, 1] }]);
    const unweighted = await model.run([{ pixels: frames }]);
    const firstRepeated = await model.run([{ pixels: repeatFrame(frames.subarray(0, FRAME), T), weights: [1, 1, 1, 1] }]);
    close(onlyFirst.windows[0]!.logits, firstRepeated.windows[0]!.logits, 1e-5, 'weight on frame 0 only = frame 0 alone');
    close(all.windows[0]!.logits, unweighted.windows[0]!.logits, 0, 'omitted weights = all ones');
    const diff = Math.max(...onlyFirst.windows[0]!.logits.map((v, i) => Math.abs(v - all.windows[0]!.logits[i]!)));
    assert.ok(diff > 1e-3, `weights had no effect (max logit change ${diff})`);
    // a model without frame_weights ignores them
    const plain = await load(fx.file('dfew.onnx'));
    assert.equal(plain.info.hasFrameWeights, false);
    close((await plain.run([{ pixels: frames, weights: [1, 0, 0, 0] }])).windows[0]!.logits,
      (await plain.run([{ pixels: frames }])).windows[0]!.logits, 0, 'unweighted model');
  });

  test('a malformed window is rejected with its index and nothing runs', async () => {
    const model = await load(fx.file('dfew-weighted.onnx'));
    await assert.rejects(model.run([windowOf(1), { pixels: new Uint8Array(5) }]), /window 1: window pixels hold 5 bytes/);
    await assert.rejects(model.run([{ ...windowOf(1), weights: [1] }]), /window 0: window has 1 frame weights, the model needs 4/);
    await assert.rejects(model.run([windowOf(1), windowOf(2), { pixels: 'not pixels' as unknown as Uint8Array }]), /window 2: window pixels must be a Uint8Array/);
    // the model still works afterwards
    assert.equal((await model.run([windowOf(1)])).probs.length, 1);
  });

  test('concurrent run() calls are serialised and each gets its own answer', async () => {
    const model = await load(fx.file('dfew.onnx'));
    const [a, b] = await Promise.all([model.run([windowOf(1)]), model.run([windowOf(2), windowOf(1)])]);
    close(a.windows[0]!.logits, b.windows[1]!.logits, 1e-6, 'same window, same logits');
  });
});

// The baseline is committed (models/expression-window-baseline.onnx), so its absence is a failure.
describe('the bundled baseline (models/expression-window-baseline.onnx)', () => {
  test('metadata: 16 frames of 112x112, face-api labels, frame weights, honest description', async () => {
    const model = await load(BASELINE, { intraOpNumThreads: 1 });
    const { info } = model;
    assert.deepEqual([info.name, info.frames, info.height, info.width], ['expression-window-baseline', 16, 112, 112]);
    assert.deepEqual(info.labels, ['neutral', 'happy', 'sad', 'angry', 'fearful', 'disgusted', 'surprised']);
    assert.deepEqual(info.canonicalIndex, { happy: 1, sad: 2, neutral: 0, angry: 3, surprise: 6, disgust: 5, fear: 4 });
    assert.deepEqual(info.extras, []);
    assert.equal(info.hasFrameWeights, true);
    assert.match(info.description ?? '', /NOT S2D/);
  });

  test('says happy on the astronaut face crop repeated over a window', async () => {
    const model = await load(BASELINE);
    const face = fx.astronaut();
    assert.equal(face.length, 112 * 112 * 3);
    const out = await model.run([{ pixels: repeatFrame(face, 16), weights: new Float32Array(16).fill(1) }]);
    const probs = out.probs[0]!;
    assert.equal(dominantEmotion(probs), 'happy', JSON.stringify(probs));
    assert.ok(probs.happy > 0.9, JSON.stringify(probs));
  });

  test('weights pick the face frames out of a window of noise; all-zero weights = plain mean', async () => {
    const model = await load(BASELINE);
    const face = fx.astronaut();
    const pixels = randomBytes(16 * face.length, 3);
    for (let t = 0; t < 16; t += 4) pixels.set(face, t * face.length);
    const faceOnly = new Float32Array(16).map((_, t) => (t % 4 === 0 ? 1 : 0));
    const [weighted, zero, ones] = (await model.run([
      { pixels, weights: faceOnly },
      { pixels, weights: new Float32Array(16) },
      { pixels, weights: new Float32Array(16).fill(1) },
    ])).probs;
    const alone = (await model.run([{ pixels: repeatFrame(face, 16) }])).probs[0]!;
    for (const e of EMOTIONS) {
      assert.ok(Math.abs(weighted![e] - alone[e]) < 1e-4, `${e}: face frames only = the face alone`);
      assert.ok(Math.abs(zero![e] - ones![e]) < 1e-6, `${e}: all-zero weights = plain mean`);
    }
  });
});
