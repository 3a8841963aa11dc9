import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LiveStore } from '../src/lib/live/store.ts';
import { applyLiveEvent } from '../src/lib/live/events.ts';
import { participantTimeline, roomTimeline } from '../src/lib/live/series.ts';
import { probs, roster, sample, session, SESSION, T0 } from './live-fixtures.ts';

const happy = probs({ happy: 0.8 }); // neutral 0.2
const sad = probs({ sad: 0.6 }); // neutral 0.4

function storeWith(entries = [roster('ada', 'Ada', true), roster('bo', 'Bo', true)], now = T0) {
  const store = new LiveStore(SESSION);
  store.reset({ session, participants: entries, recentSamples: [] }, now);
  return store;
}

test('samples older than 5 minutes are evicted from a participant buffer', () => {
  const store = storeWith();
  for (let i = 0; i <= 400; i++) store.applySample(sample('ada', T0 + i * 1000, happy), T0 + i * 1000);
  const ada = store.participants.get('ada')!;
  // Newest t = T0 + 400 s; everything before T0 + 100 s is older than 5 minutes.
  assert.equal(ada.samples.size, 301);
  assert.equal(ada.samples.at(0)!.t, T0 + 100_000);
  store.tick(T0 + 460_000);
  assert.equal(ada.samples.size, 241, 'a tick evicts by the clock even without new samples');
  assert.equal(ada.samples.at(0)!.t, T0 + 160_000);
});

test('the per-participant cap bounds memory whatever the sample rate', () => {
  const store = new LiveStore(SESSION, { maxSamplesPerParticipant: 50 });
  store.reset({ session, participants: [roster('ada', 'Ada', true)], recentSamples: [] }, T0);
  for (let i = 0; i < 200; i++) store.applySample(sample('ada', T0 + i * 10, happy), T0 + i * 10);
  assert.equal(store.participants.get('ada')!.samples.size, 50);
});

test('room mood averages two people and ignores stale or faceless estimates', () => {
  const store = storeWith();
  store.applySample(sample('ada', T0 + 1000, happy), T0 + 1000);
  store.applySample(sample('bo', T0 + 1200, sad), T0 + 1200);
  const mood = store.currentRoomMood()!;
  assert.equal(mood.faces, 2);
  assert.ok(Math.abs(mood.probs.happy - 0.4) < 1e-9);
  assert.ok(Math.abs(mood.probs.sad - 0.3) < 1e-9);
  assert.ok(Math.abs(mood.probs.neutral - 0.3) < 1e-9);
  assert.equal(mood.dominant, 'happy');
  // valence = 0.4·0.8 + 0.3·(−0.6) = 0.14
  assert.ok(Math.abs(mood.valence - 0.14) < 1e-9);

  // Bo's face leaves the picture: only Ada counts.
  store.applySample(sample('bo', T0 + 2200, null), T0 + 2200);
  assert.equal(store.currentRoomMood()!.faces, 1);
  // 6 s later Ada's estimate is stale too: no face visible → null point (a gap, not "neutral").
  store.tick(T0 + 7100);
  assert.equal(store.currentRoomMood(), null);
  const series = roomTimeline(store.roomMood);
  assert.equal(series[1]!.at(-1), null);
});

test('room-mood points closer than 500 ms coalesce', () => {
  const store = storeWith();
  store.applySample(sample('ada', T0 + 1000, happy), T0 + 1000);
  store.applySample(sample('bo', T0 + 1100, sad), T0 + 1100);
  const before = store.roomMood.size;
  store.applySample(sample('ada', T0 + 1300, happy), T0 + 1300);
  assert.equal(store.roomMood.size, before);
  assert.equal(store.roomMood.last()!.mood!.faces, 2);
});

test('a participant who declined appears with no data, and their samples are refused', () => {
  const store = storeWith([roster('ada', 'Ada', true), roster('cy', 'Cy', false)]);
  const cy = store.participants.get('cy')!;
  assert.equal(cy.consent, 'declined');
  assert.equal(store.applySample(sample('cy', T0 + 1000, sad), T0 + 1000), false);
  assert.equal(cy.samples.size, 0);
  assert.equal(cy.latest, null);
});

test('withdrawing consent clears the data, marks "withdrawn" and leaves the room mood', () => {
  const store = storeWith();
  store.applySample(sample('ada', T0 + 1000, happy), T0 + 1000);
  store.applySample(sample('bo', T0 + 1000, sad), T0 + 1000);
  store.applyConsent({ sessionId: SESSION, participantId: 'bo', analysisConsent: false, t: T0 + 1500 }, T0 + 1600);
  const bo = store.participants.get('bo')!;
  assert.equal(bo.consent, 'withdrawn');
  assert.equal(bo.samples.size, 0);
  assert.equal(bo.latest, null);
  assert.equal(store.currentRoomMood()!.faces, 1);
  assert.equal(store.applySample(sample('bo', T0 + 2000, sad), T0 + 2000), false);
  // Consenting again starts a fresh series.
  store.applyConsent({ sessionId: SESSION, participantId: 'bo', analysisConsent: true, t: T0 + 3000 }, T0 + 3000);
  assert.equal(bo.consent, 'on');
  assert.equal(store.applySample(sample('bo', T0 + 4000, sad), T0 + 4000), true);
});

test('a participant who leaves is kept (greyed) but no longer counts', () => {
  const store = storeWith();
  store.applySample(sample('ada', T0 + 1000, happy), T0 + 1000);
  store.applySample(sample('bo', T0 + 1000, sad), T0 + 1000);
  store.applyLeft({ sessionId: SESSION, participantId: 'bo', t: T0 + 1500 }, T0 + 1500);
  assert.equal(store.participants.get('bo')!.leftAt, T0 + 1500);
  assert.equal(store.participants.get('bo')!.samples.size, 1);
  assert.equal(store.currentRoomMood()!.faces, 1);
});

test('snapshot + replayed events: duplicates and other sessions are dropped', () => {
  const store = new LiveStore(SESSION);
  store.reset({ session, participants: [roster('ada', 'Ada', true)], recentSamples: [sample('ada', T0 + 2000, happy), sample('ada', T0 + 1000, happy)] }, T0 + 2500);
  const ada = store.participants.get('ada')!;
  assert.equal(ada.samples.size, 2, 'the snapshot is sorted by time before it is applied');
  assert.equal(applyLiveEvent(store, { name: 'sample', payload: sample('ada', T0 + 2000, happy) }, T0 + 2600), false);
  assert.equal(applyLiveEvent(store, { name: 'sample', payload: { ...sample('ada', T0 + 3000, happy), sessionId: 'other_session_id_00' } }, T0 + 3000), false);
  assert.equal(applyLiveEvent(store, { name: 'sample', payload: sample('ada', T0 + 3000, happy) }, T0 + 3000), true);
  assert.equal(ada.samples.size, 3);
});

test('joins add cards in arrival order; a sample before its join keeps its data', () => {
  const store = storeWith([]);
  store.applySample(sample('dee', T0 + 500, happy), T0 + 500);
  store.applyJoined({ sessionId: SESSION, participantId: 'eve', displayName: 'Eve', analysisConsent: false, t: T0 + 600 });
  store.applyJoined({ sessionId: SESSION, participantId: 'dee', displayName: 'Dee', analysisConsent: true, t: T0 + 400 });
  assert.deepEqual([...store.participants.keys()], ['dee', 'eve']);
  assert.equal(store.participants.get('dee')!.displayName, 'Dee');
  assert.equal(store.participants.get('dee')!.samples.size, 1);
  assert.equal(store.participants.get('eve')!.consent, 'declined');
});

test('participant timeline: one column per emotion, null where no face was seen', () => {
  const store = storeWith();
  store.applySample(sample('ada', T0 + 1000, happy), T0 + 1000);
  store.applySample(sample('ada', T0 + 2000, null), T0 + 2000);
  const data = participantTimeline(store.participants.get('ada')!.samples);
  assert.equal(data.length, 8);
  assert.deepEqual(data[0], [(T0 + 1000) / 1000, (T0 + 2000) / 1000]);
  assert.deepEqual(data[1], [0.8, null]); // happy
});

test('listeners are told about every change and the version moves', () => {
  const store = storeWith();
  let calls = 0;
  const off = store.subscribe(() => calls++);
  const v = store.version;
  store.applySample(sample('ada', T0 + 1000, happy), T0 + 1000);
  store.applyStatus({ sessionId: SESSION, t: T0, effectiveFps: 5, strideMs: 1000, loadLevel: 0, overloaded: false, inferenceQueueDepth: 0, participants: [] });
  off();
  store.tick(T0 + 2000);
  assert.equal(calls, 2);
  assert.equal(store.version, v + 3);
});

test('a snapshot rebuilds the room-mood history from the recent samples', () => {
  const store = new LiveStore(SESSION);
  const recent = [];
  for (let i = 0; i < 60; i++) recent.push(sample('ada', T0 + i * 1000, happy), sample('bo', T0 + i * 1000 + 500, sad));
  store.reset({ session, participants: [roster('ada', 'Ada', true), roster('bo', 'Bo', true)], recentSamples: recent }, T0 + 60_000);
  // One point per sample time that is ≥ 500 ms from the previous, plus "now".
  assert.ok(store.roomMood.size >= 100, `got ${store.roomMood.size} points`);
  assert.equal(store.roomMood.at(0)!.mood!.faces, 1, 'at the first sample only Ada had been seen');
  assert.equal(store.roomMood.at(10)!.mood!.faces, 2);
});
