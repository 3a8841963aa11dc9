import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cameraIngestAction } from '../src/live/camera-ingest-action.ts';

const camera = { roomId: 'demo', peerId: 'p1', producerId: 'pr1' };

test('a new consenting camera joins and starts analysis; a returning one only resumes', () => {
  assert.equal(cameraIngestAction({ type: 'add', camera }, false), 'join-and-analyse');
  assert.equal(cameraIngestAction({ type: 'add', camera }, true), 'analyse');
});

test('withdrawn consent is recorded as a withdrawal, leaving as leaving', () => {
  assert.equal(cameraIngestAction({ type: 'remove', camera, reason: 'consent-withdrawn' }, true), 'withdraw');
  assert.equal(cameraIngestAction({ type: 'remove', camera, reason: 'left' }, true), 'leave');
});

test('camera off, producer closed, room reset and SFU disconnects only pause analysis', () => {
  for (const reason of ['camera-off', 'producer-closed', 'room-reset', 'room-closed', 'sfu-disconnected', 'resync'] as const) {
    assert.equal(cameraIngestAction({ type: 'remove', camera, reason }, true), 'pause', reason);
  }
});
