/**
 * Soak: N synthetic participants (the load tool's rig) for M minutes. Every --interval seconds it
 * prints the analyzer's RSS and heap, active pipelines, the SFU's analyzer consumers and
 * transports, receiver children, open handles, fds and threads; at the end, RSS growth after the
 * warm-up (pass: < 5 %), whether handles/fds/threads grew, the load table, and whether everything
 * went back to zero once the participants left.
 *   npm run soak -w apps/analyzer -- --participants 8 --minutes 10 [--interval 5] [--warmup-minutes 2]
 */
import { parseArgs } from 'node:util';
import { formatLoadResult, LoadMeter } from './lib/load-meter.ts';
import { startLiveRig } from './lib/live-rig.ts';
import { SOAK_HEADERS, soakRow, soakSample, waitForIdle, type SoakSample } from './lib/soak-sample.ts';
import { growthAfterWarmup } from './lib/stats.ts';
import { streamedRow } from './lib/table.ts';
import { everySecond } from './lib/ticker.ts';

const RSS_GROWTH_LIMIT = 0.05;
const { values } = parseArgs({
  args: process.argv.slice(2),
  options: { participants: { type: 'string', default: '8' }, minutes: { type: 'string', default: '10' }, interval: { type: 'string', default: '5' }, 'warmup-minutes': { type: 'string' }, 'in-process': { type: 'boolean', default: false } },
});
const participants = Number(values.participants);
const seconds = Math.round(Number(values.minutes) * 60);
const interval = Number(values.interval);
// Default warm-up: a third of the run, at most 2 minutes (models, JIT, buffers settle).
const warmupS = values['warmup-minutes'] ? Number(values['warmup-minutes']) * 60 : Math.min(120, Math.round(seconds / 3));
if (![participants, seconds, interval, warmupS].every((n) => Number.isFinite(n) && n > 0) || warmupS >= seconds) {
  console.error('usage: npm run soak -w apps/analyzer -- --participants 8 --minutes 10 [--interval 5] [--warmup-minutes 2] [--in-process]');
  process.exit(2);
}

const rig = await startLiveRig({ spawnAnalyzer: !values['in-process'] });
const startedAt = Date.now();
const idleBefore = soakSample(rig, startedAt);
console.log(`soak: ${participants} participant(s), ${seconds} s, sample every ${interval} s, warm-up ${warmupS} s (RSS growth limit ${RSS_GROWTH_LIMIT * 100} %), analyzer ${rig.local.analyzerPid !== null ? `in its own process (pid ${rig.local.analyzerPid})` : 'in this process, with the SFU\'s Node side and the publishers'}`);
const publishers = await rig.join(participants, { width: 640, height: 480, fps: 15 });
const meter = new LoadMeter(rig, publishers);
const samples: SoakSample[] = [];
console.log(streamedRow(SOAK_HEADERS, SOAK_HEADERS));
await everySecond(seconds, (s) => {
  if (s === warmupS) meter.start();
  if (s % interval) return;
  const sample = soakSample(rig, startedAt);
  samples.push(sample);
  console.log(streamedRow(SOAK_HEADERS, soakRow(sample)));
});
const result = meter.finish();
rig.leave(publishers);
const idleAfter = await waitForIdle(rig, startedAt);

const growth = growthAfterWarmup(samples.map((s) => ({ atMs: s.atMs, value: s.analyzerRssBytes })), warmupS * 1000);
const steady = samples.filter((s) => s.atMs >= warmupS * 1000);
const range = (pick: (s: SoakSample) => number | null) => {
  const values = steady.map(pick).filter((v): v is number => v !== null);
  return values.length ? `${Math.min(...values)}..${Math.max(...values)}` : '–';
};
console.log(`\n  load over the last ${result.seconds.toFixed(0)} s:`);
console.log(formatLoadResult(result, rig.tap !== null));
console.log(`\n  after warm-up (${steady.length} samples): RSS growth ${growth === null ? '–' : (growth * 100).toFixed(1)} % (${growth !== null && growth < RSS_GROWTH_LIMIT ? 'PASS' : 'FAIL'}: < ${RSS_GROWTH_LIMIT * 100} %)`);
console.log(`  ranges after warm-up: handles ${range((s) => s.activeHandles)}, fds ${range((s) => s.fds)}, threads ${range((s) => s.threads)}, consumers ${range((s) => s.analyzerConsumers ?? 0)}, receivers ${range((s) => s.receiverChildren)}`);
console.log(`\n  idle, before joining and after leaving:\n${streamedRow(SOAK_HEADERS, SOAK_HEADERS)}\n${streamedRow(SOAK_HEADERS, soakRow(idleBefore))}\n${streamedRow(SOAK_HEADERS, soakRow(idleAfter))}`);
const clean = idleAfter.activePipelines === 0 && idleAfter.analyzerConsumers === 0 && idleAfter.receiverChildren === 0;
console.log(`  back to idle: ${clean ? 'PASS' : 'FAIL'} (pipelines ${idleAfter.activePipelines}, SFU consumers ${idleAfter.analyzerConsumers}, receivers ${idleAfter.receiverChildren})`);
await rig.close();
process.exit(growth !== null && growth < RSS_GROWTH_LIMIT && clean ? 0 : 1);
