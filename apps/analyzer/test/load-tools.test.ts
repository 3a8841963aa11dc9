import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FrameTap } from '../bench/lib/frame-tap.ts';
import { parseLoadArgs } from '../bench/lib/load-args.ts';
import { cpuPercent, parseRssBytes, parseStat } from '../bench/lib/proc-stats.ts';
import { growthAfterWarmup, histogramPercentile, percentile } from '../bench/lib/stats.ts';
import { cell, formatTable, streamedRow } from '../bench/lib/table.ts';
import { stampCounter } from '../src/receiver/testing/test-pattern.ts';

test('percentile: nearest rank over unsorted values, NaN when empty', () => {
  assert.equal(percentile([5, 1, 4, 2, 3], 50), 3);
  assert.equal(percentile([5, 1, 4, 2, 3], 99), 5);
  assert.equal(percentile([7], 0), 7);
  assert.ok(Number.isNaN(percentile([], 50)));
});

test('histogramPercentile: interpolates within the bucket, +Inf at twice the last bound', () => {
  const buckets = [
    { le: 0.01, count: 0 },
    { le: 0.02, count: 10 },
    { le: Infinity, count: 20 },
  ];
  assert.ok(Math.abs(histogramPercentile(buckets, 25) - 0.015) < 1e-12);
  assert.ok(Math.abs(histogramPercentile(buckets, 75) - 0.03) < 1e-12);
  assert.ok(Number.isNaN(histogramPercentile([{ le: Infinity, count: 0 }], 50)));
});

test('growthAfterWarmup: mean of the last k over the first k after the warm-up', () => {
  const series = [100, 500, 100, 100, 100, 104, 105, 106].map((value, i) => ({ atMs: i * 1000, value }));
  // warm-up 2 s: steady = 100,100,100,104,105,106 → 105 / 100
  assert.ok(Math.abs(growthAfterWarmup(series, 2000)! - 0.05) < 1e-12);
  assert.equal(growthAfterWarmup(series, 5000), null, 'too few samples after the warm-up');
});

test('parseStat: comm with spaces and parentheses; ppid, utime+stime, threads', () => {
  const rest = ['S', '42', ...Array(9).fill('0'), '150', '50', '0', '0', '20', '0', '7'].join(' ');
  const stat = parseStat(`1234 (node (x) y) ${rest} 0 0\n`);
  assert.deepEqual(stat, { comm: 'node (x) y', ppid: 42, cpuTicks: 200, threads: 7 });
});

test('parseRssBytes and cpuPercent', () => {
  assert.equal(parseRssBytes('Name:\tnode\nVmRSS:\t  2048 kB\nThreads: 3\n'), 2048 * 1024);
  assert.equal(parseRssBytes('Name:\tkthread\n'), 0);
  const s = { pid: 1, comm: 'x', rssBytes: 0, threads: 1, fds: 0 };
  assert.equal(cpuPercent({ ...s, cpuTicks: 100 }, { ...s, cpuTicks: 250 }, 2), 75);
});

test('formatTable, streamedRow and cell', () => {
  assert.equal(formatTable(['name', 'n'], [['a', '1'], ['bb', '10']], ''), 'name   n\n----  --\na      1\nbb    10');
  assert.equal(streamedRow(['t', 'long header'], ['1', '2'], 3, ''), '  1            2');
  assert.equal(cell(NaN), '–');
  assert.equal(cell(null), '–');
  assert.equal(cell(1.26, 1), '1.3');
});

test('parseLoadArgs: defaults, flags, and refusals that name the flag', () => {
  assert.deepEqual(parseLoadArgs([]), { participants: 4, durationS: 20, warmupS: 6, width: 640, height: 480, fps: 15 });
  assert.deepEqual(parseLoadArgs(['--participants', '8', '--duration', '600', '--width', '1280', '--height', '720', '--fps', '30', '--sfu', 'http://s:4000', '--analyzer', 'http://a:4100', '--analyzer-pid', '12']), {
    participants: 8, durationS: 600, warmupS: 6, width: 1280, height: 720, fps: 30, sfuUrl: 'http://s:4000', analyzerUrl: 'http://a:4100', analyzerPid: 12,
  });
  assert.throws(() => parseLoadArgs(['--participants', '0']), /--participants/);
  assert.throws(() => parseLoadArgs(['--width', '200']), /--width/, 'the counter stamp needs 256 px');
  assert.throws(() => parseLoadArgs(['--width', '641']), /even/);
  assert.throws(() => parseLoadArgs(['--analyzer', 'http://a:4100']), /--sfu/);
  assert.throws(() => parseLoadArgs(['--bogus']), /bogus/);
});

test('FrameTap: maps a sample time back to the stamped frame counter; counts frames', () => {
  const tap = new FrameTap();
  const width = 256;
  const height = 32;
  const frame = (counter: number) => {
    const data = new Uint8Array(width * height * 1.5).fill(128);
    stampCounter(data, width, counter);
    return { width, height, format: 'i420' as const, data };
  };
  tap.record('p', { t: 1000.4, frame: frame(7) });
  tap.record('p', { t: 1066.6, frame: frame(8) });
  tap.record('q', { t: 1000.4, frame: frame(300) });
  assert.equal(tap.counterAt('p', 1000), 7);
  assert.equal(tap.counterAt('p', 1067), 8);
  assert.equal(tap.counterAt('q', 1000), 300);
  assert.equal(tap.counterAt('p', 999), undefined);
  assert.equal(tap.framesReceived('p'), 2);
  for (let i = 0; i < 300; i++) tap.record('p', { t: 2000 + i, frame: frame(i) });
  assert.equal(tap.counterAt('p', 1000), undefined, 'old frames are forgotten (bounded memory)');
});

test('capacity: a trial passes only if every participant meets the rate and the drop limit; capacity is the last N of an unbroken run of passes', async () => {
  const { capacityOf, judgeTrial } = await import('../bench/lib/capacity.ts');
  const criterion = { targetFps: 15, fpsTolerance: 0.05, maxDroppedPct: 1 };
  const trial = (people: [number, number][]) => ({
    seconds: 10,
    loadLevel: 0,
    processes: [],
    participants: people.map(([analysedFps, droppedPct], i) => ({ name: `p${i}`, participantId: `id${i}`, analysedFps, sentFps: 15, receivedFps: 15, droppedPct, samples: 10, facePct: 100, endToEnd: [], decodeToDashboard: [] })),
  });
  assert.deepEqual(judgeTrial(trial([[14.9, 0.2], [14.3, 0.9]]), criterion), { participants: 2, pass: true, minFps: 14.3, maxDroppedPct: 0.9, reason: '' });
  const slow = judgeTrial(trial([[15, 0], [14.2, 0]]), criterion);
  assert.equal(slow.pass, false);
  assert.match(slow.reason, /slowest participant analysed at 14.2 fps < 14.25/);
  const lossy = judgeTrial(trial([[15, 1.0]]), criterion);
  assert.match(lossy.reason, /lost 1.0 % of frames ≥ 1 %/);
  assert.equal(judgeTrial(trial([[Number.NaN, 0]]), criterion).pass, false, 'no reading is not a pass');
  assert.equal(judgeTrial(trial([]), criterion).pass, false);

  const v = (participants: number, pass: boolean) => ({ participants, pass, minFps: 0, maxDroppedPct: 0, reason: '' });
  assert.equal(capacityOf([v(1, true), v(2, true), v(3, false)]), 2);
  assert.equal(capacityOf([v(1, false)]), 0);
  assert.equal(capacityOf([v(2, true), v(1, true), v(3, true), v(4, false), v(5, true)]), 3, 'a later lucky pass does not count');
});
