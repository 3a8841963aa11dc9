import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CACHE_CONTROL, resolveVisionAsset, visionAssetUrls } from '../src/lib/vision-assets/assets.ts';
import { assetPath } from '../src/lib/vision-assets/files.ts';

test('resolveVisionAsset: whitelisted names of the current version only, with their content types', () => {
  const v = '1.1.0-abc';
  assert.deepEqual(resolveVisionAsset([v, 'wasm', 'vision_wasm_internal.wasm'], v), { source: 'wasm', file: 'vision_wasm_internal.wasm', contentType: 'application/wasm' });
  assert.match(resolveVisionAsset([v, 'wasm', 'vision_wasm_nosimd_internal.js'], v)!.contentType, /^text\/javascript/);
  assert.equal(resolveVisionAsset([v, 'face_landmarker.task'], v)!.contentType, 'application/octet-stream');
  assert.equal(resolveVisionAsset([v, 'face_landmarker.task'], v)!.source, 'model');
  for (const bad of [
    ['0.9', 'face_landmarker.task'],
    [v],
    [v, 'wasm', '..', 'face_landmarker.task'],
    [v, '..', '..', 'package.json'],
    [v, 'wasm', 'vision_wasm_module_internal.js'],
    [v, 'wasm', ''],
    [v, 'constructor'],
    [v, '__proto__'],
  ]) assert.equal(resolveVisionAsset(bad, v), null, bad.join('/'));
  assert.equal(CACHE_CONTROL, 'public, max-age=31536000, immutable');
});

test('visionAssetUrls: the version is in every URL', () => {
  assert.deepEqual(visionAssetUrls('1.1.0-abc'), { wasmBase: '/vision-assets/1.1.0-abc/wasm', model: '/vision-assets/1.1.0-abc/face_landmarker.task' });
});

test('assetPath: found in the app folder or above it (npm hoisting), else null', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'vision-assets-'));
  try {
    const app = path.join(root, 'apps', 'dashboard');
    mkdirSync(path.join(root, 'node_modules/@mediapipe/tasks-vision/wasm'), { recursive: true });
    mkdirSync(path.join(root, 'models'), { recursive: true });
    mkdirSync(app, { recursive: true });
    writeFileSync(path.join(root, 'node_modules/@mediapipe/tasks-vision/wasm/vision_wasm_internal.wasm'), '');
    writeFileSync(path.join(root, 'models/face_landmarker.task'), '');
    assert.equal(assetPath('wasm', 'vision_wasm_internal.wasm', app), path.join(root, 'node_modules/@mediapipe/tasks-vision/wasm/vision_wasm_internal.wasm'));
    assert.equal(assetPath('model', 'face_landmarker.task', app), path.join(root, 'models/face_landmarker.task'));
    assert.equal(assetPath('wasm', 'vision_wasm_nosimd_internal.wasm', app), null);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('the real assets exist where the route looks for them', () => {
  for (const f of ['vision_wasm_internal.js', 'vision_wasm_internal.wasm', 'vision_wasm_nosimd_internal.js', 'vision_wasm_nosimd_internal.wasm']) {
    assert.ok(assetPath('wasm', f), f);
  }
  assert.ok(assetPath('model', 'face_landmarker.task'), 'models/face_landmarker.task: run npm run build -w models');
});
