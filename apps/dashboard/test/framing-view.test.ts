import { test } from 'node:test';
import assert from 'node:assert/strict';
import { boxInView } from '../src/lib/framing/overlay.ts';
import { delegateOrder } from '../src/lib/framing/delegate.ts';

const near = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-9, `${a} != ${b}`);

test('boxInView: same aspect ratio maps 1:1; mirrored flips x', () => {
  const box = { x: 0.1, y: 0.2, width: 0.3, height: 0.4 };
  const v = boxInView(box, { width: 640, height: 480 }, { width: 400, height: 300 }, false);
  near(v.left, 10); near(v.top, 20); near(v.width, 30); near(v.height, 40);
  const m = boxInView(box, { width: 640, height: 480 }, { width: 400, height: 300 }, true);
  near(m.left, 60); near(m.width, 30);
});

test('boxInView: object-fit cover crops a 16:9 frame in a 4:3 view on both sides', () => {
  // A 16:9 frame in a 4:3 view shows the middle 3/4 of its width.
  const whole = boxInView({ x: 0, y: 0, width: 1, height: 1 }, { width: 1280, height: 720 }, { width: 400, height: 300 }, false);
  near(whole.width, 100 * (16 / 9) / (4 / 3)); near(whole.left, 50 - whole.width / 2); near(whole.top, 0); near(whole.height, 100);
  const centre = boxInView({ x: 0.45, y: 0.45, width: 0.1, height: 0.1 }, { width: 1280, height: 720 }, { width: 400, height: 300 }, true);
  near(centre.left + centre.width / 2, 50);
});

test('delegateOrder: GPU first on real GPUs, CPU only where WebGL is software or missing', () => {
  assert.deepEqual(delegateOrder('ANGLE (NVIDIA, NVIDIA GeForce RTX 3060 Direct3D11 vs_5_0 ps_5_0, D3D11)'), ['GPU', 'CPU']);
  assert.deepEqual(delegateOrder('ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero)), SwiftShader driver)'), ['CPU']);
  assert.deepEqual(delegateOrder('llvmpipe (LLVM 15.0.6, 256 bits)'), ['CPU']);
  assert.deepEqual(delegateOrder(null), ['CPU']);
});
