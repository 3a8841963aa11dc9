import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EMOTIONS, type EmotionProbs, type MoodPoint } from '@moodroom/shared';
import { EMOTION_COLOURS, emotionLabel } from '../src/lib/emotion-colours.ts';
import { bucketMsOf, frameFor, linePath, stackedAreaPaths, timeTicks, xOf } from '../src/lib/report/chart.ts';
import { describeValenceChange, formatClock, formatDateTime } from '../src/lib/report/format.ts';
import { describeDistribution, distributionRows } from '../src/lib/report/distribution.ts';
import { describeReportFailure, exportFileName, sessionApiUrl } from '../src/lib/report/api.ts';

const only = (e: (typeof EMOTIONS)[number]): EmotionProbs => Object.fromEntries(EMOTIONS.map((x) => [x, x === e ? 1 : 0])) as EmotionProbs;
const half = (a: (typeof EMOTIONS)[number], b: (typeof EMOTIONS)[number]): EmotionProbs =>
  Object.fromEntries(EMOTIONS.map((x) => [x, x === a || x === b ? 0.5 : 0])) as EmotionProbs;
const point = (t: number, probs: EmotionProbs | null): MoodPoint => ({ t, probs, valence: probs ? 0 : null, faces: probs ? 1 : 0 });

function luminance(hex: string): number {
  const c = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((v) => (v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
  return 0.2126 * c[0]! + 0.7152 * c[1]! + 0.0722 * c[2]!;
}
const contrast = (a: string, b: string) => {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
};

test('emotion palette: every emotion has a distinct colour with ≥ 3:1 contrast on the dark theme and on paper', () => {
  assert.deepEqual(Object.keys(EMOTION_COLOURS).sort(), [...EMOTIONS].sort());
  assert.equal(new Set(Object.values(EMOTION_COLOURS)).size, EMOTIONS.length);
  for (const e of EMOTIONS) {
    const c = EMOTION_COLOURS[e];
    assert.ok(contrast(c, '#111c33') >= 3, `${e} on dark: ${contrast(c, '#111c33').toFixed(2)}`);
    assert.ok(contrast(c, '#ffffff') >= 3, `${e} on white: ${contrast(c, '#ffffff').toFixed(2)}`);
  }
  assert.equal(emotionLabel('surprise'), 'Surprised');
});

test('stackedAreaPaths: steps across each bucket, stacks bottom-up, leaves no-face buckets empty', () => {
  const pts = [point(0, only('happy')), point(1000, half('happy', 'sad')), point(2000, null), point(3000, only('sad'))];
  const frame = frameFor(pts, 400, 100)!;
  assert.deepEqual(frame, { width: 400, height: 100, t0: 0, t1: 4000 });
  const paths = Object.fromEntries(stackedAreaPaths(pts, frame).map((p) => [p.emotion, p.d]));
  // happy (first in the stack) fills bucket 0 fully, bucket 1 half; a separate run after the gap has 0 height.
  assert.equal(paths.happy, 'M0,0L100,0L100,50L200,50L200,100L100,100L100,100L0,100ZM300,100L400,100L400,100L300,100Z');
  // sad sits on top of happy in bucket 1 and fills bucket 3; bucket 2 (x 200–300) is never drawn.
  assert.equal(paths.sad, 'M0,0L100,0L100,0L200,0L200,50L100,50L100,0L0,0ZM300,0L400,0L400,100L300,100Z');
});

test('linePath breaks at nulls and maps the value range onto the height', () => {
  const pts = [point(0, only('happy')), point(1000, only('happy')), point(2000, null), point(3000, only('sad'))].map((p, i) => ({ ...p, valence: [1, 0, null, -1][i]! }));
  const frame = { width: 400, height: 100, t0: 0, t1: 4000 };
  assert.equal(linePath(pts, frame, (p) => p.valence, -1, 1), 'M50,0L150,50M350,100');
  assert.equal(bucketMsOf(pts), 1000);
  assert.equal(bucketMsOf([point(5, null)], 5000), 5000);
  assert.equal(xOf({ width: 10, height: 1, t0: 5, t1: 5 }, 7), 0);
  assert.equal(frameFor([], 1, 1), null);
});

test('timeTicks: round steps, at most maxTicks, labelled from the start', () => {
  const ticks = timeTicks({ width: 600, height: 1, t0: 1000, t1: 1000 + 10 * 60_000 }, 6);
  assert.deepEqual(ticks.map((t) => t.label), ['0:00', '2:00', '4:00', '6:00', '8:00', '10:00']);
  assert.deepEqual(ticks.map((t) => t.x), [0, 120, 240, 360, 480, 600]);
  assert.deepEqual(timeTicks({ width: 100, height: 1, t0: 0, t1: 20_000 }, 6).map((t) => t.label), ['0:00', '0:05', '0:10', '0:15', '0:20']);
  assert.ok(timeTicks({ width: 100, height: 1, t0: 0, t1: 20 * 3_600_000 }, 6).length <= 6);
  assert.deepEqual(timeTicks({ width: 100, height: 1, t0: 0, t1: 0 }), []);
});

test('formatting: clock offsets, dates, valence wording', () => {
  assert.equal(formatClock(0), '0:00');
  assert.equal(formatClock(75_400), '1:15');
  assert.equal(formatClock(3_723_000), '1:02:03');
  assert.equal(formatClock(-5), '0:00');
  assert.equal(formatDateTime(Date.UTC(2026, 2, 12, 14, 5), 'en-GB', 'UTC'), '12 Mar 2026, 14:05');
  assert.equal(describeValenceChange(0.45), 'more positive');
  assert.equal(describeValenceChange(-0.8), 'more negative');
  assert.equal(describeValenceChange(0.05), 'about as positive');
});

test('distribution rows are sorted with percentages; the sentence names the top ones', () => {
  const shares = { happy: 0.62, sad: 0.08, neutral: 0.3, angry: 0, surprise: 0, disgust: 0, fear: 0 };
  const rows = distributionRows(shares);
  assert.deepEqual(rows.slice(0, 3).map((r) => [r.emotion, r.percent]), [['happy', '62%'], ['neutral', '30%'], ['sad', '8%']]);
  assert.equal(rows.length, 7);
  assert.equal(describeDistribution(shares), 'Mostly Happy (62%), then Neutral (30%) and Sad (8%).');
  assert.equal(describeDistribution({ happy: 0, sad: 0, neutral: 0, angry: 0, surprise: 0, disgust: 0, fear: 0 }), 'No estimate: no face was visible.');
});

test('API helpers: URLs, export names, and failures that say what to do', () => {
  assert.equal(sessionApiUrl('http://a:4100', 'abc_-1', '/report'), 'http://a:4100/api/sessions/abc_-1/report');
  assert.equal(sessionApiUrl('http://a:4100', 'abc'), 'http://a:4100/api/sessions/abc');
  assert.equal(exportFileName('abc', 'csv'), 'moodroom-abc-samples.csv');
  assert.equal(exportFileName('abc', 'json'), 'moodroom-abc-samples.json');
  assert.match(describeReportFailure(401, 'x').body, /facilitator link/);
  assert.match(describeReportFailure(403, 'x').body, /another session/);
  assert.match(describeReportFailure(404, 'x').title, /does not exist/);
  assert.match(describeReportFailure(null, 'http://an:4100').body, /http:\/\/an:4100.*ANALYZER_PUBLIC_URL/);
  assert.match(describeReportFailure(500, 'x').body, /HTTP 500/);
});
