import { test } from 'node:test';
import assert from 'node:assert/strict';
import { callReducer, initialCallState, tileMedia, type CallAction, type CallState } from '../src/lib/call/state.ts';

const track = (id: string) => ({ id }) as unknown as MediaStreamTrack;
const run = (actions: CallAction[], from: CallState = initialCallState('demo', 'Ada')) => actions.reduce(callReducer, from);

const joined: CallAction = {
  type: 'joined',
  selfPeerId: 'me',
  peers: [
    {
      peerId: 'bo',
      displayName: 'Bo',
      producers: [
        { producerId: 'bo-cam', peerId: 'bo', kind: 'video', source: 'camera', paused: false },
        { producerId: 'bo-mic', peerId: 'bo', kind: 'audio', source: 'mic', paused: true },
      ],
    },
  ],
};

test('connecting → joined takes the peer list and producers from the join answer', () => {
  const s = run([{ type: 'connecting' }, joined]);
  assert.equal(s.status, 'joined');
  assert.equal(s.selfPeerId, 'me');
  assert.deepEqual(Object.keys(s.peers), ['bo']);
  assert.deepEqual(Object.keys(s.peers.bo!.media), ['bo-cam', 'bo-mic']);
  assert.equal(s.peers.bo!.media['bo-mic']!.paused, true);
  assert.equal(s.rejoins, 0);
});

test('peers join and leave; our own peer id and duplicates are ignored', () => {
  let s = run([joined, { type: 'peerJoined', peerId: 'cy', displayName: 'Cy' }]);
  assert.deepEqual(Object.keys(s.peers), ['bo', 'cy']);
  assert.equal(callReducer(s, { type: 'peerJoined', peerId: 'me', displayName: 'Ada' }), s);
  assert.equal(callReducer(s, { type: 'peerJoined', peerId: 'cy', displayName: 'Cy again' }), s);
  s = callReducer(s, { type: 'peerLeft', peerId: 'bo' });
  assert.deepEqual(Object.keys(s.peers), ['cy']);
  assert.equal(callReducer(s, { type: 'peerLeft', peerId: 'nobody' }), s);
});

test('a consumer attaches its track to the producer, and detaches on consumerClosed', () => {
  let s = run([joined, { type: 'consumerAttached', producerId: 'bo-cam', consumerId: 'c1', track: track('t1') }]);
  const { video, audio } = tileMedia(s.peers.bo!);
  assert.equal(video?.consumerId, 'c1');
  assert.equal((video?.track as unknown as { id: string }).id, 't1');
  assert.equal(audio?.producerId, 'bo-mic');
  s = callReducer(s, { type: 'consumerDetached', consumerId: 'c1' });
  assert.equal(s.peers.bo!.media['bo-cam']!.track, null);
  assert.equal(callReducer(s, { type: 'consumerDetached', consumerId: 'unknown' }), s);
});

test('new producers are added to their peer; closed ones removed; pause and resume flip the flag', () => {
  let s = run([
    joined,
    { type: 'peerJoined', peerId: 'cy', displayName: 'Cy' },
    { type: 'producerAdded', peerId: 'cy', producerId: 'cy-cam', kind: 'video', source: 'camera', paused: false },
  ]);
  assert.equal(tileMedia(s.peers.cy!).video?.producerId, 'cy-cam');
  s = callReducer(s, { type: 'producerPaused', producerId: 'cy-cam', paused: true });
  assert.equal(s.peers.cy!.media['cy-cam']!.paused, true);
  s = callReducer(s, { type: 'producerPaused', producerId: 'cy-cam', paused: false });
  assert.equal(s.peers.cy!.media['cy-cam']!.paused, false);
  s = callReducer(s, { type: 'producerRemoved', producerId: 'cy-cam' });
  assert.deepEqual(s.peers.cy!.media, {});
  // A producer of an unknown peer is ignored rather than inventing a participant.
  assert.equal(callReducer(s, { type: 'producerAdded', peerId: 'ghost', producerId: 'x', kind: 'audio', source: 'mic', paused: false }), s);
});

test('reconnecting clears the room; the next join counts as a rejoin', () => {
  let s = run([joined, { type: 'reconnecting' }]);
  assert.equal(s.status, 'reconnecting');
  assert.deepEqual(s.peers, {});
  assert.equal(s.selfPeerId, null);
  s = callReducer(s, { ...joined, selfPeerId: 'me-2' } as CallAction);
  assert.equal(s.status, 'joined');
  assert.equal(s.selfPeerId, 'me-2');
  assert.equal(s.rejoins, 1);
});

test('errors carry their kind and message; connecting again clears them', () => {
  let s = run([{ type: 'connecting' }, { type: 'error', error: { kind: 'sfu-unreachable', message: 'down' } }]);
  assert.equal(s.status, 'error');
  assert.deepEqual(s.error, { kind: 'sfu-unreachable', message: 'down' });
  s = callReducer(s, { type: 'connecting' });
  assert.equal(s.error, null);
});

test('local mic and camera switches are independent; left empties the room', () => {
  let s = run([joined, { type: 'localMedia', micEnabled: false }]);
  assert.equal(s.micEnabled, false);
  assert.equal(s.cameraEnabled, true);
  s = callReducer(s, { type: 'localMedia', cameraEnabled: false });
  assert.equal(s.micEnabled, false);
  assert.equal(s.cameraEnabled, false);
  s = callReducer(s, { type: 'left' });
  assert.equal(s.status, 'left');
  assert.deepEqual(s.peers, {});
});

test('tileMedia prefers the camera over other video', () => {
  const s = run([
    joined,
    { type: 'producerAdded', peerId: 'bo', producerId: 'bo-screen', kind: 'video', source: 'screen', paused: false },
  ]);
  assert.equal(tileMedia(s.peers.bo!).video?.producerId, 'bo-cam');
});

test('a notice (the call survives it) shows until dismissed, the camera comes back on, or we leave', () => {
  let s = run([joined, { type: 'localMedia', cameraEnabled: false }, { type: 'notice', message: 'camera blocked' }]);
  assert.equal(s.status, 'joined');
  assert.equal(s.notice, 'camera blocked');
  assert.equal(callReducer(s, { type: 'notice', message: 'camera blocked' }), s);
  assert.equal(callReducer(s, { type: 'localMedia', micEnabled: false }).notice, 'camera blocked');
  assert.equal(callReducer(s, { type: 'localMedia', cameraEnabled: true }).notice, null);
  assert.equal(callReducer(s, { type: 'notice', message: null }).notice, null);
  s = callReducer(s, { type: 'left' });
  assert.equal(s.notice, null);
});
