import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveSfuUrl } from '../src/lib/call/sfu-url.ts';
import { describeMediaError, sfuUnreachableMessage } from '../src/lib/call/media-errors.ts';
import { CAMERA_SIMULCAST_ENCODINGS } from '../src/lib/call/encodings.ts';

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

test('camera simulcast: three layers, lowest first, full resolution last', () => {
  assert.deepEqual(
    CAMERA_SIMULCAST_ENCODINGS.map((e) => e.scaleResolutionDownBy),
    [4, 2, 1],
  );
  const bitrates = CAMERA_SIMULCAST_ENCODINGS.map((e) => e.maxBitrate ?? 0);
  assert.deepEqual([...bitrates].sort((a, b) => a - b), bitrates);
});
