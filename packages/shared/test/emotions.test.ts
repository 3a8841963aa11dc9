import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EMOTIONS, canonicalEmotion, dominantEmotion, probsFromArray, probsToArray, valenceOf } from '../src/index.ts';

test('the canonical set is the 7 DFEW emotions in DFEW order', () => {
  assert.deepEqual([...EMOTIONS], ['happy', 'sad', 'neutral', 'angry', 'surprise', 'disgust', 'fear']);
});

test('vendor labels map onto canonical emotions; extras map to null', () => {
  assert.equal(canonicalEmotion('Surprised'), 'surprise');
  assert.equal(canonicalEmotion('fearful'), 'fear');
  assert.equal(canonicalEmotion('disgusted'), 'disgust');
  assert.equal(canonicalEmotion(' Happiness '), 'happy');
  assert.equal(canonicalEmotion('contempt'), null);
  assert.equal(canonicalEmotion('anxiety'), null);
});

test('dominant emotion and valence', () => {
  const probs = probsFromArray([0.7, 0.1, 0.1, 0.05, 0.05, 0, 0]);
  assert.equal(dominantEmotion(probs), 'happy');
  assert.deepEqual(probsToArray(probs), [0.7, 0.1, 0.1, 0.05, 0.05, 0, 0]);
  assert.ok(valenceOf(probs) > 0.4);
  assert.ok(valenceOf(probsFromArray([0, 0.9, 0.1, 0, 0, 0, 0])) < -0.4);
  assert.throws(() => probsFromArray([1, 0]), /expected 7/);
});
