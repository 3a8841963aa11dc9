import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FrameRateCap } from '../src/receiver/frame-rate-cap.ts';

/** Frames admitted out of `seconds` of input at `inFps` (with optional arrival jitter). */
function admitted(cap: FrameRateCap, inFps: number, seconds: number, jitterMs = 0): number {
  let kept = 0;
  for (let i = 0; i < inFps * seconds; i++) {
    const jitter = jitterMs ? ((i * 7919) % (2 * jitterMs + 1)) - jitterMs : 0;
    if (cap.admit(1_000_000 + (i * 1000) / inFps + jitter)) kept++;
  }
  return kept;
}

describe('FrameRateCap', () => {
  it('keeps the capped rate, not every other frame (15 fps in, cap 10 → 10 fps)', () => {
    assert.equal(admitted(new FrameRateCap(10), 15, 10), 100);
  });

  it('passes everything when the input is below the cap', () => {
    assert.equal(admitted(new FrameRateCap(30), 15, 10), 150);
  });

  it('holds the rate under arrival jitter', () => {
    const kept = admitted(new FrameRateCap(5), 30, 10, 12);
    assert.ok(kept >= 49 && kept <= 51, `${kept} frames in 10 s`);
  });

  it('keeps the first frame, and does not burst after a pause', () => {
    const cap = new FrameRateCap(2);
    assert.equal(cap.admit(0), true);
    assert.equal(cap.admit(10), false);
    // 10 s without frames, then 30 fps: at most `burst` (2) frames at once, then back to 2 fps.
    let kept = 0;
    for (let i = 0; i < 30; i++) if (cap.admit(10_000 + i * 33.3)) kept++;
    assert.ok(kept <= 4, `${kept} frames in the second after a pause`);
  });

  it('ignores time going backwards instead of granting credit', () => {
    const cap = new FrameRateCap(1);
    assert.equal(cap.admit(5000), true);
    assert.equal(cap.admit(1000), false);
    assert.equal(cap.admit(5100), false);
  });

  it('rejects a non-positive rate', () => {
    assert.throws(() => new FrameRateCap(0), /maxFps must be > 0/);
  });
});
