import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SAMPLE_CSV_COLUMNS, emotionSampleSchema, probsFromArray, samplesToCsv } from '../src/index.ts';

test('samples → CSV: one header, one row per sample, empty emotion cells without a face, quoting', () => {
  const withFace = emotionSampleSchema.parse({
    sessionId: 's1', participantId: 'p1', t: 2000, windowStart: 0,
    probs: probsFromArray([0.7, 0.1, 0.1, 0.05, 0.05, 0, 0]), dominant: 'happy', valence: 0.5,
    facePresent: true, faceCount: 1, quality: 0.9, model: 'baseline, v1',
  });
  const noFace = emotionSampleSchema.parse({
    sessionId: 's1', participantId: 'p1', t: 3000, windowStart: 1000,
    probs: null, dominant: null, valence: null, facePresent: false, faceCount: 0, quality: 0, model: 'm',
  });
  const lines = samplesToCsv([withFace, noFace]).trimEnd().split('\n');
  assert.equal(lines.length, 3);
  assert.equal(lines[0], SAMPLE_CSV_COLUMNS.join(','));
  assert.equal(lines[1]!.split(',').length, SAMPLE_CSV_COLUMNS.length + 1); // the quoted model name holds a comma
  assert.match(lines[1]!, /^s1,p1,2000,0,true,1,0\.900000,happy,0\.500000,0\.700000,/);
  assert.match(lines[1]!, /"baseline, v1"$/);
  assert.equal(lines[2], 's1,p1,3000,1000,false,0,0,,,,,,,,,,m');
});
