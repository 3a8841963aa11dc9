import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeAlerts, negativeAffect } from '../src/lib/live/alerts.ts';
import { LiveStore } from '../src/lib/live/store.ts';
import { probs, roster, sample, session, SESSION, T0 } from './live-fixtures.ts';

const upset = probs({ sad: 0.35, angry: 0.2 }); // negative affect 0.55
const calm = probs({ happy: 0.3 });

function store(entries = [roster('ada', 'Ada', true)]) {
  const s = new LiveStore(SESSION);
  s.reset({ session, participants: entries, recentSamples: [] }, T0);
  return s;
}
const alertsOf = (s: LiveStore, now: number) => computeAlerts({ participants: s.participants.values(), analyzer: s.analyzer }, now);

test('negative affect sums the NEGATIVE_EMOTIONS', () => {
  assert.ok(Math.abs(negativeAffect(upset) - 0.55) < 1e-9);
  assert.equal(negativeAffect(calm), 0);
});

test('sustained negative affect alerts at 20 s, names the person, says "estimate", and clears', () => {
  const s = store();
  for (let i = 0; i <= 19; i++) s.applySample(sample('ada', T0 + i * 1000, upset), T0 + i * 1000);
  assert.equal(alertsOf(s, T0 + 19_000).filter((a) => a.kind === 'negative-affect').length, 0, '19 s is not yet sustained');
  for (let i = 20; i <= 25; i++) s.applySample(sample('ada', T0 + i * 1000, upset), T0 + i * 1000);
  const [alert] = alertsOf(s, T0 + 25_000);
  assert.equal(alert?.kind, 'negative-affect');
  assert.equal(alert?.message, 'Ada has looked upset for 25 s (estimate)');
  s.applySample(sample('ada', T0 + 26_000, calm), T0 + 26_000);
  assert.deepEqual(alertsOf(s, T0 + 26_000), []);
});

test('a window without a face breaks a negative run; a stale run does not alert', () => {
  const s = store();
  for (let i = 0; i <= 30; i++) s.applySample(sample('ada', T0 + i * 1000, i === 15 ? null : upset), T0 + i * 1000);
  assert.deepEqual(alertsOf(s, T0 + 30_000).map((a) => a.kind), [], 'only 15 s since the gap');
  for (let i = 31; i <= 36; i++) s.applySample(sample('ada', T0 + i * 1000, upset), T0 + i * 1000);
  assert.equal(alertsOf(s, T0 + 36_000)[0]?.message, 'Ada has looked upset for 20 s (estimate)');
  assert.deepEqual(alertsOf(s, T0 + 42_000).filter((a) => a.kind === 'negative-affect'), [], 'no estimate for 6 s: nothing to say');
});

test('the threshold and duration are options', () => {
  const s = store();
  for (let i = 0; i <= 5; i++) s.applySample(sample('ada', T0 + i * 1000, upset), T0 + i * 1000);
  const alerts = computeAlerts({ participants: s.participants.values(), analyzer: null }, T0 + 5000, { negativeSustainMs: 5000, negativeThreshold: 0.5, noFaceMs: 10_000 });
  assert.equal(alerts[0]?.message, 'Ada has looked upset for 5 s (estimate)');
  const strict = computeAlerts({ participants: s.participants.values(), analyzer: null }, T0 + 5000, { negativeSustainMs: 5000, negativeThreshold: 0.6, noFaceMs: 10_000 });
  assert.deepEqual(strict, []);
});

test('no face for 10 s while someone consenting is present alerts, and clears when a face returns', () => {
  const s = store([roster('ada', 'Ada', true), roster('bo', 'Bo', false)]);
  s.applySample(sample('ada', T0 + 1000, calm), T0 + 1000);
  s.applySample(sample('ada', T0 + 2000, null), T0 + 2000);
  assert.deepEqual(alertsOf(s, T0 + 10_900), []);
  const [alert] = alertsOf(s, T0 + 11_000);
  assert.equal(alert?.kind, 'no-face');
  assert.match(alert!.message, /No face has been visible for 10 s/);
  s.applySample(sample('ada', T0 + 11_500, calm), T0 + 11_500);
  assert.deepEqual(alertsOf(s, T0 + 12_000), []);
});

test('no "no face" alert when nobody present consents (declined, withdrawn or left)', () => {
  const s = store([roster('ada', 'Ada', true), roster('bo', 'Bo', false)]);
  s.applyConsent({ sessionId: SESSION, participantId: 'ada', analysisConsent: false, t: T0 + 100 }, T0 + 100);
  assert.deepEqual(alertsOf(s, T0 + 60_000), []);
  s.applyConsent({ sessionId: SESSION, participantId: 'ada', analysisConsent: true, t: T0 + 60_000 }, T0 + 60_000);
  assert.deepEqual(alertsOf(s, T0 + 65_000), [], 'the clock starts when consent is given');
  assert.equal(alertsOf(s, T0 + 70_000)[0]?.kind, 'no-face');
  s.applyLeft({ sessionId: SESSION, participantId: 'ada', t: T0 + 71_000 }, T0 + 71_000);
  assert.deepEqual(alertsOf(s, T0 + 80_000), []);
});

test('an overloaded analyzer alerts with the reduced rate, and clears', () => {
  const s = store([]);
  const status = { sessionId: SESSION, t: T0, effectiveFps: 2.5, strideMs: 2000, loadLevel: 2, overloaded: true, inferenceQueueDepth: 4, participants: [] };
  s.applyStatus(status);
  const [alert] = alertsOf(s, T0);
  assert.equal(alert?.kind, 'overloaded');
  assert.match(alert!.message, /2\.5 frames\/s/);
  s.applyStatus({ ...status, overloaded: false, loadLevel: 0 });
  assert.deepEqual(alertsOf(s, T0), []);
});

test('a gap of more than 5 s between windows breaks a negative run', () => {
  const s = store();
  for (let i = 0; i <= 10; i++) s.applySample(sample('ada', T0 + i * 1000, upset), T0 + i * 1000);
  for (let i = 20; i <= 35; i++) s.applySample(sample('ada', T0 + i * 1000, upset), T0 + i * 1000);
  assert.deepEqual(alertsOf(s, T0 + 35_000), [], '15 s since the gap');
  s.applySample(sample('ada', T0 + 40_000, upset), T0 + 40_000);
  assert.equal(alertsOf(s, T0 + 40_000)[0]?.message, 'Ada has looked upset for 20 s (estimate)');
});
