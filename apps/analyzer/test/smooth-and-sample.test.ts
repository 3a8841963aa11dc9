import assert from 'node:assert/strict';
import { test } from 'node:test';
import { map } from 'rxjs';
import { emotionSampleSchema, EMOTIONS, type EmotionProbs } from '@moodroom/shared';
import { blend, smoothProbs } from '../src/pipeline/smooth-probs.ts';
import { windowToSample } from '../src/pipeline/to-emotion-sample.ts';
import { onehot } from './helpers/fixtures.ts';
import { marbles } from './helpers/marbles.ts';

const round = (p: EmotionProbs | null) => (p ? Object.fromEntries(EMOTIONS.map((e) => [e, Math.round(p[e] * 1000) / 1000])) : null);

test('smoothProbs: after one half-life the new estimate has half the weight', () => {
  marbles().run(({ cold, expectObservable }) => {
    const src = cold('abc|', {
      a: { t: 1000, probs: onehot('happy') },
      b: { t: 2000, probs: onehot('sad') },
      c: { t: 4000, probs: onehot('sad') },
    });
    const out = src.pipe(
      smoothProbs({ halfLifeMs: 1000 }),
      map((w) => [w.t, round(w.probs)!.happy, round(w.probs)!.sad, w.smoothingReset]),
    );
    // 2000: 0.5/0.5; 4000 (two half-lives later): happy 0.5 × 0.25 = 0.125.
    expectObservable(out).toBe('xyz|', { x: [1000, 1, 0, true], y: [2000, 0.5, 0.5, false], z: [4000, 0.125, 0.875, false] });
  });
});

test('smoothProbs passes face-less windows untouched and restarts after a long gap', () => {
  marbles().run(({ cold, expectObservable }) => {
    const src = cold('abcd|', {
      a: { t: 1000, probs: onehot('happy') },
      b: { t: 2000, probs: null },
      c: { t: 3000, probs: onehot('sad') },
      d: { t: 10000, probs: onehot('fear') },
    });
    const out = src.pipe(
      smoothProbs({ halfLifeMs: 2000, maxGapMs: 5000 }),
      map((w) => [w.probs === null ? null : round(w.probs)!.happy, w.smoothingReset]),
    );
    expectObservable(out).toBe('wxyz|', { w: [1, true], x: [null, false], y: [0.5, false], z: [0, true] });
  });
});

test('blend keeps probabilities summing to 1', () => {
  const p = blend(onehot('happy'), { happy: 0.2, sad: 0.2, neutral: 0.2, angry: 0.1, surprise: 0.1, disgust: 0.1, fear: 0.1 }, 0.3);
  assert.ok(Math.abs(EMOTIONS.reduce((s, e) => s + p[e], 0) - 1) < 1e-12);
});

const id = { sessionId: 's1', participantId: 'p1', model: 'tiny' };

test('windowToSample makes a valid sample with dominant emotion and valence estimate', () => {
  const sample = windowToSample({ t: 5000.4, windowStart: 3000, probs: onehot('happy'), facePresent: true, faceCount: 1, quality: 0.9 }, id);
  assert.deepEqual(emotionSampleSchema.parse(sample), sample);
  assert.equal(sample.dominant, 'happy');
  assert.equal(sample.valence, 0.8);
  assert.equal(sample.t, 5000);
});

test('windowToSample never invents an emotion without a face', () => {
  const sample = windowToSample({ t: 5000, windowStart: 3000, probs: onehot('sad'), facePresent: false, faceCount: 0, quality: 0 }, id);
  assert.equal(sample.probs, null);
  assert.equal(sample.dominant, null);
  assert.equal(sample.valence, null);
  assert.equal(sample.facePresent, false);
  assert.ok(emotionSampleSchema.safeParse(sample).success);
});

test('emotionSampleSchema rejects samples that contradict themselves', () => {
  const good = windowToSample({ t: 5000, windowStart: 3000, probs: onehot('sad'), facePresent: true, faceCount: 1, quality: 1 }, id);
  const bad = [
    { ...good, facePresent: false },
    { ...good, probs: null },
    { ...good, dominant: null },
    { ...good, windowStart: 6000 },
    { ...good, quality: 1.5 },
    { ...good, sessionId: '' },
  ];
  for (const b of bad) assert.equal(emotionSampleSchema.safeParse(b).success, false, JSON.stringify(b));
});
