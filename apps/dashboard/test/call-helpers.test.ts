import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveSfuUrl } from '../src/lib/service-url.ts';
import { describeCameraRestartError, describeMediaError, sfuUnreachableMessage } from '../src/lib/call/media-errors.ts';
import { cameraSimulcastEncodings } from '../src/lib/call/encodings.ts';

test('resolveSfuUrl: configured URL wins (trailing slashes dropped), else page host on port 4000', () => {
  const page = { protocol: 'https:', hostname: 'meet.example.org' };
  assert.equal(resolveSfuUrl('https://sfu.example.org/', page), 'https://sfu.example.org');
  assert.equal(resolveSfuUrl('  ', page), 'https://meet.example.org:4000');
  assert.equal(resolveSfuUrl(null, { protocol: 'http:', hostname: '127.0.0.1' }), 'http://127.0.0.1:4000');
  assert.equal(resolveSfuUrl(undefined, { protocol: 'http:', hostname: '::1' }), 'http://[::1]:4000');
});

test('describeMediaError: permission, missing device, busy device each say what to do', () => {
  const err = (name: string) => Object.assign(new Error('x'), { name });
  assert.match(describeMediaError(err('NotAllowedError')), /blocked.*Allow access/s);
  assert.match(describeMediaError(err('NotFoundError')), /No camera or microphone/);
  assert.match(describeMediaError(err('NotReadableError')), /in use by another application/);
  assert.match(describeMediaError(new TypeError('no mediaDevices')), /https/);
  assert.match(describeMediaError('weird'), /could not be started/);
});

test('sfuUnreachableMessage names the address and the settings to check', () => {
  const text = sfuUnreachableMessage('http://sfu:4000');
  assert.match(text, /http:\/\/sfu:4000/);
  assert.match(text, /SFU_PUBLIC_URL/);
  assert.match(text, /SFU_CORS_ORIGINS/);
});

test('camera simulcast: as many layers as Chromium encodes at that size, full resolution always on top', () => {
  const layout = (width: number, height: number) => cameraSimulcastEncodings({ width, height }).map((e) => [e.rid, e.scaleResolutionDownBy]);
  // 640x480 gets two layers from libwebrtc: asking for three would lose the full-resolution one.
  assert.deepEqual(layout(640, 480), [['r0', 2], ['r1', 1]]);
  assert.deepEqual(layout(480, 640), [['r0', 2], ['r1', 1]]);
  assert.deepEqual(layout(1280, 720), [['r0', 4], ['r1', 2], ['r2', 1]]);
  assert.deepEqual(layout(960, 540), [['r0', 4], ['r1', 2], ['r2', 1]]);
  assert.deepEqual(layout(320, 240), [['r0', 1]]);
  // No size reported: the 640x480 we ask for.
  assert.deepEqual(cameraSimulcastEncodings({}).map((e) => e.scaleResolutionDownBy), [2, 1]);
  for (const [w, h] of [[320, 240], [640, 480], [1920, 1080]] as const) {
    const bitrates = cameraSimulcastEncodings({ width: w, height: h }).map((e) => e.maxBitrate ?? 0);
    assert.deepEqual([...bitrates].sort((a, b) => a - b), bitrates, 'bitrates rise with the layer');
    assert.equal(bitrates.at(-1), 1_200_000, 'the full-resolution layer keeps the top bitrate');
    assert.ok(bitrates.reduce((a, b) => a + b) <= 3_000_000, "within the SFU's default incoming cap");
  }
});

test('describeCameraRestartError: the call goes on, and the text says how to retry', () => {
  const err = (name: string) => Object.assign(new Error('x'), { name });
  assert.match(describeCameraRestartError(err('NotAllowedError')), /blocked.*stays off.*Turn camera on/s);
  assert.match(describeCameraRestartError(err('NotFoundError')), /No camera was found/);
  assert.match(describeCameraRestartError(err('NotReadableError')), /in use by another application/);
  assert.match(describeCameraRestartError(new Error('boom')), /could not be turned back on \(boom\)/);
});
