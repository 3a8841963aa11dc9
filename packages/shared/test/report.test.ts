import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  buildSessionReport,
  dominantEmotion,
  EMOTIONS,
  formatDuration,
  formatShare,
  sessionReportSchema,
  valenceOf,
  type EmotionProbs,
  type EmotionSample,
  type RosterEntry,
  type SessionInfo,
  type SessionReport,
} from '../src/index.ts';

const T0 = 1_700_000_000_000;
const SID = 'sessionAAAAAAAAAAAAAAA';
const session: SessionInfo = { sessionId: SID, title: 'Retro', purpose: 'how the retro felt', analysisEnabled: true, retentionDays: 30, createdAt: T0 - 60_000, endedAt: null };
const person = (participantId: string, displayName: string, analysisConsent = true): RosterEntry => ({ participantId, displayName, analysisConsent, joinedAt: T0 - 1000, leftAt: null });

/** A realistic-ish estimate: mostly `main`, the rest spread over the others. */
function probs(main: (typeof EMOTIONS)[number], weight = 0.82): EmotionProbs {
  const rest = (1 - weight) / (EMOTIONS.length - 1);
  return Object.fromEntries(EMOTIONS.map((e) => [e, e === main ? weight : rest])) as EmotionProbs;
}

/** One window per second from `startS` for `seconds`: `main` null = no face in the picture. */
function windows(participantId: string, startS: number, seconds: number, main: (typeof EMOTIONS)[number] | null, over: Partial<EmotionSample> = {}): EmotionSample[] {
  return Array.from({ length: seconds }, (_, i) => {
    const t = T0 + (startS + i) * 1000;
    const p = main ? probs(main) : null;
    return {
      sessionId: SID, participantId, t, windowStart: t - 2000,
      probs: p, dominant: p && dominantEmotion(p), valence: p && valenceOf(p),
      facePresent: p !== null, faceCount: p ? 1 : 0, quality: p ? 0.9 : 0, model: 's2d-dfew', ...over,
    };
  });
}

function build(participants: RosterEntry[], samples: EmotionSample[], consentEvents: { participantId: string; t: number; analysisConsent: boolean }[] = []): SessionReport {
  const report = buildSessionReport({ session, participants, consentEvents, samples, now: T0 + 3_600_000 });
  // The analyzer endpoint ships exactly this, so every test checks the contract too.
  return sessionReportSchema.parse(report);
}

test('a happy stretch then a sad stretch: one key moment happy → sad at the switch, shares and means', () => {
  const samples = [...windows('p1', 0, 60, 'happy'), ...windows('p1', 60, 60, 'sad')];
  const r = build([person('p1', 'Ana')], samples);
  const p = r.participants[0]!;
  assert.equal(p.analysed, true);
  assert.equal(p.samples, 120);
  assert.equal(p.dominantShare.happy, 0.5);
  assert.equal(p.dominantShare.sad, 0.5);
  assert.equal(p.dominantShare.neutral, 0);
  assert.deepEqual(Object.keys(p.dominantShare).sort(), [...EMOTIONS].sort());
  assert.equal(p.meanProbs!.happy, 0.425); // (0.82 + 0.03) / 2
  assert.equal(p.meanValence, Math.round(((valenceOf(probs('happy')) + valenceOf(probs('sad'))) / 2) * 1e4) / 1e4);
  assert.equal(p.faceVisibleShare, 1);
  assert.equal(p.noFaceMs, 0);
  assert.equal(p.gapMs, 0);
  assert.equal(p.meanQuality, 0.9);

  assert.equal(r.keyMoments.length, 1);
  const m = r.keyMoments[0]!;
  assert.equal(m.participantId, 'p1');
  assert.equal(m.t, T0 + 60_000);
  assert.equal(m.from, 'happy');
  assert.equal(m.to, 'sad');
  assert.equal(m.magnitude, 0.79); // (|0.82 − 0.03| + |0.03 − 0.82|) / 2
  assert.ok(m.valenceChange < -1);

  assert.equal(r.from, T0);
  assert.equal(r.to, T0 + 119_000);
  assert.equal(r.totalSamples, 120);
  assert.deepEqual(r.models, ['s2d-dfew']);
  assert.ok(r.qualityNotes.some((n) => n === 'Estimates come from s2d-dfew, a facial-expression model: they describe visible expressions, not what anyone felt.'));
});

test('a no-face stretch counts as noFaceMs, is a gap in the timeline and gets a note', () => {
  const samples = [...windows('p1', 0, 30, 'neutral'), ...windows('p1', 30, 40, null), ...windows('p1', 70, 30, 'neutral')];
  const r = build([person('p1', 'Ana')], samples);
  const p = r.participants[0]!;
  assert.equal(p.noFaceMs, 40_000);
  assert.equal(p.gapMs, 0);
  assert.equal(p.faceVisibleShare, 0.6);
  assert.equal(p.dominantShare.neutral, 1);
  // Timeline: one point per second bucket, the no-face ones null with 0 faces.
  assert.equal(p.timeline.length, 100);
  assert.equal(p.timeline[45]!.probs, null);
  assert.equal(p.timeline[45]!.faces, 0);
  assert.equal(p.timeline[10]!.faces, 1);
  assert.ok(r.qualityNotes.includes("Ana's face was not visible for 40 s (40% of their analysed time)."));
  assert.equal(r.keyMoments.length, 0, 'the same expression on both sides of a no-face stretch is no shift');
});

test('a gap between samples (camera off) counts beyond 2× stride and gets a note', () => {
  const samples = [...windows('p1', 0, 20, 'happy'), ...windows('p1', 65, 20, 'happy')];
  const r = build([person('p1', 'Ana')], samples);
  const p = r.participants[0]!;
  // Spacing 19 s → 65 s is 46 s; 2 s of it is what the stride explains.
  assert.equal(p.gapMs, 44_000);
  assert.equal(p.noFaceMs, 0);
  assert.ok(r.qualityNotes.includes('Analysis of Ana paused for 44 s in total (camera off, consent withdrawn or connection gaps).'));
  assert.equal(p.timeline[40]!.probs, null);
});

test('two participants: room mood is the per-person mean; faces counts who was visible', () => {
  const samples = [...windows('p1', 0, 60, 'happy'), ...windows('p2', 0, 30, 'sad'), ...windows('p2', 30, 30, null)];
  const r = build([person('p1', 'Ana'), person('p2', 'Ben')], samples);
  assert.equal(r.roomMood.length, 12); // 60 s in 5 s buckets
  const first = r.roomMood[0]!;
  assert.equal(first.t, T0);
  assert.equal(first.faces, 2);
  assert.equal(first.probs!.happy, 0.425);
  assert.equal(first.probs!.sad, 0.425);
  assert.equal(first.probs!.neutral, 0.03);
  const late = r.roomMood[10]!;
  assert.equal(late.faces, 1);
  assert.equal(late.probs!.happy, 0.82);
  assert.ok(r.roomMood.every((m) => m.t >= T0 && m.t <= T0 + 59_000));
  assert.deepEqual(r.participants.map((p) => p.displayName), ['Ana', 'Ben']);
});

test('a participant who did not consent is listed, not analysed, with no data made up', () => {
  const r = build([person('p1', 'Ana'), person('p2', 'Ben', false)], windows('p1', 0, 30, 'happy'));
  const ben = r.participants.find((p) => p.participantId === 'p2')!;
  assert.equal(ben.analysed, false);
  assert.equal(ben.samples, 0);
  assert.equal(ben.meanProbs, null);
  assert.equal(ben.meanValence, null);
  assert.equal(ben.meanQuality, null);
  assert.deepEqual(ben.timeline, []);
  assert.ok(Object.values(ben.dominantShare).every((v) => v === 0));
  assert.ok(r.qualityNotes.includes('Ben did not allow analysis: no data exists for them.'));
  assert.equal(r.roomMood[0]!.faces, 1);
});

test('an empty session: nobody analysed, no points, a note that says so', () => {
  const r = build([person('p1', 'Ana', false)], []);
  assert.equal(r.totalSamples, 0);
  assert.equal(r.from, null);
  assert.equal(r.to, null);
  assert.deepEqual(r.roomMood, []);
  assert.deepEqual(r.keyMoments, []);
  assert.deepEqual(r.models, []);
  assert.equal(r.participants.length, 1);
  assert.equal(r.participants[0]!.analysed, false);
  assert.match(r.qualityNotes[0]!, /No emotion estimates were recorded/);
  const plain = sessionReportSchema.parse(buildSessionReport({ session: { ...session, analysisEnabled: false }, participants: [], consentEvents: [], samples: [], now: T0 }));
  assert.match(plain.qualityNotes[0]!, /Analysis was switched off/);
});

test('key moments: a switch while the face was out of view is found at the first window back; wobbles are not', () => {
  const wobble = (pid: string, startS: number, seconds: number, main: (typeof EMOTIONS)[number]) =>
    windows(pid, startS, seconds, main).map((s, i) => {
      const p = probs(main, i % 20 < 10 ? 0.9 : 0.55); // intensity swings of 0.35, same expression
      return { ...s, probs: p, dominant: dominantEmotion(p), valence: valenceOf(p) };
    });
  const samples = [...wobble('p1', 0, 100, 'happy'), ...windows('p1', 100, 30, null), ...wobble('p1', 130, 100, 'sad'),
    // Ben: the same switch, but after 5 minutes away it is no longer one shift.
    ...windows('p2', 0, 60, 'happy'), ...windows('p2', 360, 60, 'sad')];
  const r = build([person('p1', 'Ana'), person('p2', 'Ben')], samples);
  assert.deepEqual(r.keyMoments.map((m) => [m.participantId, m.t - T0, m.from, m.to]), [['p1', 130_000, 'happy', 'sad']]);
});

test('key moments: at most 5, ≥ 30 s apart per person, small shifts ignored, sorted by time', () => {
  // Ana switches every 40 s over 8 stretches (7 switches); Ben drifts only slightly.
  const order = ['happy', 'sad', 'happy', 'angry', 'neutral', 'surprise', 'happy', 'fear'] as const;
  const ana = order.flatMap((e, i) => windows('p1', i * 40, 40, e));
  const ben = windows('p2', 0, 320, 'neutral').map((s, i) => {
    const p = { ...probs('neutral', i < 160 ? 0.6 : 0.7) };
    return { ...s, probs: p, dominant: dominantEmotion(p), valence: valenceOf(p) };
  });
  const r = build([person('p1', 'Ana'), person('p2', 'Ben')], [...ana, ...ben]);
  assert.equal(r.keyMoments.length, 5);
  assert.ok(r.keyMoments.every((m) => m.participantId === 'p1' && m.magnitude >= 0.2));
  const times = r.keyMoments.map((m) => m.t);
  assert.deepEqual([...times].sort((a, b) => a - b), times);
  for (let i = 1; i < times.length; i++) assert.ok(times[i]! - times[i - 1]! >= 30_000);
  // Every moment sits exactly on a switch.
  assert.ok(times.every((t) => (t - T0) % 40_000 === 0));
});

test('multiple faces, a consent withdrawal and an unknown sender each get a note', () => {
  const samples = [...windows('p1', 0, 10, 'happy', { faceCount: 2 }), ...windows('p1', 10, 20, 'happy'), ...windows('zz-unknown', 0, 5, 'sad')];
  const events = [{ participantId: 'p1', t: T0 - 500, analysisConsent: true }, { participantId: 'p1', t: T0 + 31_000, analysisConsent: false }];
  const r = build([person('p1', 'Ana', false)], samples, events);
  assert.deepEqual(r.participants[0]!.consentChanges, [{ t: T0 - 500, analysisConsent: true }, { t: T0 + 31_000, analysisConsent: false }]);
  assert.ok(r.qualityNotes.includes("More than one face was in Ana's picture for 10 s: those estimates may mix people."));
  assert.ok(r.qualityNotes.some((n) => n.startsWith('Ana withdrew consent')));
  assert.equal(r.participants[1]!.displayName, 'Unknown participant (zz-unkno)');
  assert.equal(r.participants[1]!.analysed, true);
});

test('long sessions stay within 600 points; input order and foreign samples do not matter', () => {
  const samples = windows('p1', 0, 3 * 3600, 'happy');
  const r = build([person('p1', 'Ana')], [...samples].reverse().concat(windows('p1', 0, 5, 'sad').map((s) => ({ ...s, sessionId: 'other' }))));
  assert.ok(r.participants[0]!.timeline.length <= 600);
  assert.ok(r.participants[0]!.timeline.length >= 500);
  assert.ok(r.roomMood.length <= 600);
  assert.equal(r.totalSamples, 3 * 3600);
  assert.deepEqual(r, build([person('p1', 'Ana')], samples));
});

test('formatDuration and formatShare read naturally', () => {
  assert.equal(formatDuration(0), '0 s');
  assert.equal(formatDuration(44_400), '44 s');
  assert.equal(formatDuration(130_000), '2 min 10 s');
  assert.equal(formatDuration(120_000), '2 min');
  assert.equal(formatDuration(3_900_000), '1 h 5 min');
  assert.equal(formatShare(0.347), '35%');
  assert.equal(formatShare(0.001), '<1%');
  assert.equal(formatShare(0), '0%');
});
