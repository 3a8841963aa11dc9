import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClientEvents, badRequest, joinRequestSchema, roomIdSchema } from '../src/index.ts';

test('join: trims the name, defaults consent to false', () => {
  const parsed = joinRequestSchema.parse({ roomId: 'demo', displayName: '  Ada  ' });
  assert.deepEqual(parsed, { roomId: 'demo', displayName: 'Ada', analysisConsent: false });
});

test('join: rejects bad room ids, empty and oversized names, wrong types', () => {
  for (const bad of [
    {},
    { roomId: '../etc', displayName: 'x' },
    { roomId: 'a'.repeat(65), displayName: 'x' },
    { roomId: 'demo', displayName: '   ' },
    { roomId: 'demo', displayName: 'x'.repeat(65) },
    { roomId: 'demo', displayName: 'x', analysisConsent: 'yes' },
    null,
    'join',
  ]) {
    assert.equal(joinRequestSchema.safeParse(bad).success, false, JSON.stringify(bad));
  }
  assert.equal(roomIdSchema.safeParse('Team_Standup-2').success, true);
});

test('produce: requires codecs and a known kind/source', () => {
  const base = {
    transportId: 't1',
    kind: 'video',
    source: 'camera',
    rtpParameters: { codecs: [{ mimeType: 'video/VP8', payloadType: 96, clockRate: 90000 }], encodings: [{ ssrc: 1 }] },
  };
  assert.equal(ClientEvents.produce.request.safeParse(base).success, true);
  assert.equal(ClientEvents.produce.request.safeParse({ ...base, kind: 'data' }).success, false);
  assert.equal(ClientEvents.produce.request.safeParse({ ...base, rtpParameters: { codecs: [] } }).success, false);
});

test('badRequest names the offending field', () => {
  const r = joinRequestSchema.safeParse({ roomId: 'demo' });
  assert.equal(r.success, false);
  const ack = badRequest('join', r.error!);
  assert.equal(ack.ok, false);
  if (!ack.ok) {
    assert.equal(ack.error.code, 'BAD_REQUEST');
    assert.match(ack.error.message, /displayName/);
  }
});
