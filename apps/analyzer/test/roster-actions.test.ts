import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rosterActions, rosterKey } from '../src/live/roster-actions.ts';

const ada = { roomId: 'r', peerId: 'ada', displayName: 'Ada', analysisConsent: true };
const bob = { roomId: 'r', peerId: 'bob', displayName: 'Bob', analysisConsent: false };

test('roster: joins, consent of present people, leaves once', () => {
  let state = rosterActions(new Set(), { type: 'joined', participant: ada });
  assert.deepEqual(state.actions, [{ type: 'join', participant: ada }]);
  assert.deepEqual([...state.present], [rosterKey('r', 'ada')]);
  assert.deepEqual(rosterActions(state.present, { type: 'consent', roomId: 'r', peerId: 'ada', analysisConsent: false }).actions, [{ type: 'consent', roomId: 'r', peerId: 'ada', analysisConsent: false }]);
  assert.deepEqual(rosterActions(state.present, { type: 'consent', roomId: 'r', peerId: 'ghost', analysisConsent: true }).actions, [], 'nobody we know');
  state = rosterActions(state.present, { type: 'left', roomId: 'r', peerId: 'ada' });
  assert.deepEqual(state.actions, [{ type: 'leave', roomId: 'r', peerId: 'ada' }]);
  assert.deepEqual(rosterActions(state.present, { type: 'left', roomId: 'r', peerId: 'ada' }).actions, [], 'a second leave is no news');
});

test('roster snapshot after a reconnection: who vanished meanwhile left, everyone present is (re)announced', () => {
  const before = new Set([rosterKey('r', 'ada'), rosterKey('r', 'carl')]);
  const { actions, present } = rosterActions(before, { type: 'snapshot', participants: [ada, bob] });
  assert.deepEqual(actions, [{ type: 'leave', roomId: 'r', peerId: 'carl' }, { type: 'join', participant: ada }, { type: 'join', participant: bob }]);
  assert.deepEqual([...present].sort(), [rosterKey('r', 'ada'), rosterKey('r', 'bob')]);
});
