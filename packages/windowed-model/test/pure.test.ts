import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EMOTIONS } from '@moodroom/shared';
import { mapLabels, packWeights, packWindow, parseWindowedMetadata, probsFromLogits, softmax, WindowedContractError } from '../src/index.ts';

const DFEW = ['happy', 'sad', 'neutral', 'angry', 'surprise', 'disgust', 'fear'];
const FERV39K = ['angry', 'disgust', 'fear', 'happy', 'neutral', 'sad', 'surprise'];
const MAFW = ['anger', 'anxiety', 'contempt', 'disappointment', 'disgust', 'fear', 'happiness', 'helplessness', 'neutral', 'sadness', 'surprise'];
const FACEAPI = ['neutral', 'happy', 'sad', 'angry', 'fearful', 'disgusted', 'surprised'];

const meta = (over: Record<string, string | undefined> = {}): Record<string, string> => {
  const m: Record<string, string | undefined> = {
    'moodroom.contract': 'windowed-v1', 'moodroom.name': 'm', 'moodroom.labels': JSON.stringify(DFEW),
    'moodroom.frames': '16', 'moodroom.height': '224', 'moodroom.width': '224',
    'moodroom.mean': '[0.485,0.456,0.406]', 'moodroom.std': '[0.229,0.224,0.225]', ...over,
  };
  return Object.fromEntries(Object.entries(m).filter(([, v]) => v !== undefined)) as Record<string, string>;
};

test('packWindow writes (rgb/255 - mean)/std as NCHW per frame', () => {
  const spec = { frames: 2, height: 1, width: 2, mean: [0.5, 0, 0.25] as const, std: [0.5, 1, 0.25] as const };
  // frame 0: pixels (255,0,51) (0,255,102); frame 1: (51,102,153) (204,255,0)
  const px = new Uint8Array([255, 0, 51, 0, 255, 102, 51, 102, 153, 204, 255, 0]);
  const out = new Float32Array(2 + 12);
  packWindow(px, spec, out, 2);
  const f = (x: number, c: number) => (x / 255 - spec.mean[c]!) / spec.std[c]!;
  const want = [0, 0, f(255, 0), f(0, 0), f(0, 1), f(255, 1), f(51, 2), f(102, 2), f(51, 0), f(204, 0), f(102, 1), f(255, 1), f(153, 2), f(0, 2)];
  want.forEach((w, i) => assert.ok(Math.abs(out[i]! - w) < 1e-6, `index ${i}: ${out[i]} vs ${w}`));
});

test('packWindow: one buffer, an array of crops and a pre-normalised Float32Array give the same slice', () => {
  const spec = { frames: 3, height: 2, width: 2, mean: [0.485, 0.456, 0.406] as const, std: [0.229, 0.224, 0.225] as const };
  const px = new Uint8Array(3 * 2 * 2 * 3).map((_, i) => (i * 37 + 11) & 0xff);
  const fromBuffer = new Float32Array(36);
  packWindow(px, spec, fromBuffer);
  const fromCrops = new Float32Array(36);
  packWindow([px.subarray(0, 12), px.subarray(12, 24), new Uint8ClampedArray(px.subarray(24, 36))], spec, fromCrops);
  assert.deepEqual([...fromCrops], [...fromBuffer]);
  const copied = new Float32Array(40);
  packWindow(fromBuffer, spec, copied, 4);
  assert.deepEqual([...copied.subarray(4)], [...fromBuffer]);
  assert.throws(() => packWindow([px.subarray(0, 12)], spec, fromCrops), /1 crops, the model needs 3/);
  assert.throws(() => packWindow([px.subarray(0, 12), px.subarray(0, 11), px.subarray(0, 12)], spec, fromCrops), /crop 1 holds 11 bytes, the model needs 2×2×3 = 12/);
  assert.throws(() => packWindow(new Float32Array(35), spec, fromCrops), /normalised window holds 35 floats, the model needs 3×3×2×2 = 36/);
});

test('packWindow rejects a window of the wrong size, naming the expected layout', () => {
  const spec = { frames: 16, height: 112, width: 112, mean: [0, 0, 0] as const, std: [1, 1, 1] as const };
  assert.throws(() => packWindow(new Uint8Array(10), spec, new Float32Array(16 * 3 * 112 * 112)), /16×112×112×3 = 602112/);
  assert.throws(() => packWindow(new Uint8Array(16 * 3 * 112 * 112), spec, new Float32Array(100)), /does not fit/);
});

test('packWeights clamps to [0,1], zeroes non-finite values, defaults to 1', () => {
  const out = new Float32Array(5);
  packWeights([0.5, -1, 2, Number.NaN], 4, out, 1);
  assert.deepEqual([...out], [0, 0.5, 0, 1, 0]);
  packWeights(undefined, 3, out, 2);
  assert.deepEqual([...out], [0, 0.5, 1, 1, 1]);
  assert.throws(() => packWeights([1, 1], 4, out), /2 frame weights, the model needs 4/);
});

test('label maps: DFEW is the canonical order, FERV39k and face-api permute it, MAFW keeps 4 extras', () => {
  const dfew = mapLabels(DFEW, 'x');
  EMOTIONS.forEach((e, i) => assert.equal(dfew.canonicalIndex[e], i));
  assert.deepEqual(dfew.extras, []);
  const ferv = mapLabels(FERV39K, 'x');
  assert.deepEqual(ferv.canonicalIndex, { happy: 3, sad: 5, neutral: 4, angry: 0, surprise: 6, disgust: 1, fear: 2 });
  const faceapi = mapLabels(FACEAPI, 'x');
  assert.deepEqual(faceapi.canonicalIndex, { happy: 1, sad: 2, neutral: 0, angry: 3, surprise: 6, disgust: 5, fear: 4 });
  const mafw = mapLabels(MAFW, 'x');
  assert.deepEqual(mafw.canonicalIndex, { happy: 6, sad: 9, neutral: 8, angry: 0, surprise: 10, disgust: 4, fear: 5 });
  assert.deepEqual(mafw.extras, ['anxiety', 'contempt', 'disappointment', 'helplessness']);
  assert.throws(() => mapLabels(['happy', 'joy'], 'm.onnx'), /"happy" and "joy" both map to the emotion "happy"/);
  assert.throws(() => mapLabels(['a', 'b'], 'm.onnx'), /none of the labels/);
});

test('probsFromLogits: softmax, canonical renormalised to 1, extras out of all classes', () => {
  const labels = { labels: MAFW, ...mapLabels(MAFW, 'x') };
  const logits = MAFW.map((_, i) => i / 3);
  const p = softmax(logits);
  const r = probsFromLogits(logits, labels);
  const sum = EMOTIONS.reduce((s, e) => s + r.probs[e], 0);
  assert.ok(Math.abs(sum - 1) < 1e-9);
  const extrasMass = [1, 2, 3, 7].reduce((s, i) => s + p[i]!, 0);
  assert.ok(Math.abs(r.canonicalMass - (1 - extrasMass)) < 1e-9);
  assert.ok(Math.abs(r.extras.contempt! - p[2]!) < 1e-12);
  assert.ok(Math.abs(r.probs.happy - p[6]! / r.canonicalMass) < 1e-12);
  // a model lacking a canonical class reports 0 for it
  const partial = ['happy', 'sad', 'other'];
  const q = probsFromLogits([1, 1, 5], { labels: partial, ...mapLabels(partial, 'x') });
  assert.equal(q.probs.fear, 0);
  assert.ok(Math.abs(q.probs.happy - 0.5) < 1e-12);
  assert.throws(() => probsFromLogits([1, 2], labels), /2 logits for 11 labels/);
});

test('parseWindowedMetadata reads the contract keys', () => {
  const m = parseWindowedMetadata(meta({ 'moodroom.dataset': 'dfew' }), 'a/s2d.onnx');
  assert.deepEqual([m.frames, m.height, m.width], [16, 224, 224]);
  assert.deepEqual(m.std, [0.229, 0.224, 0.225]);
  assert.equal(m.dataset, 'dfew');
  assert.equal(m.description, null);
  assert.equal(parseWindowedMetadata(meta({ 'moodroom.name': undefined }), 'a/s2d-x.onnx').name, 's2d-x');
});

test('parseWindowedMetadata errors name the key and the contract doc', () => {
  for (const key of ['moodroom.contract', 'moodroom.labels', 'moodroom.frames', 'moodroom.height', 'moodroom.width', 'moodroom.mean', 'moodroom.std']) {
    assert.throws(() => parseWindowedMetadata(meta({ [key]: undefined }), 'm.onnx'), (err: Error) => {
      assert.ok(err instanceof WindowedContractError);
      assert.match(err.message, new RegExp(`m\\.onnx: metadata key "${key.replace('.', '\\.')}" is missing`));
      assert.match(err.message, /models\/WINDOWED_CONTRACT\.md/);
      return true;
    });
  }
  assert.throws(() => parseWindowedMetadata(meta({ 'moodroom.contract': 'windowed-v2' }), 'm'), /reads "windowed-v1"/);
  assert.throws(() => parseWindowedMetadata(meta({ 'moodroom.frames': '1.5' }), 'm'), /"moodroom\.frames" must be a positive integer/);
  assert.throws(() => parseWindowedMetadata(meta({ 'moodroom.mean': '[1,2]' }), 'm'), /array of 3 numbers/);
  assert.throws(() => parseWindowedMetadata(meta({ 'moodroom.std': '[1,0,1]' }), 'm'), /3 positive numbers/);
  assert.throws(() => parseWindowedMetadata(meta({ 'moodroom.labels': '[x' }), 'm'), /"moodroom\.labels" is not valid JSON/);
});
