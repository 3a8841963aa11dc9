import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startLiveRig, type LiveRig } from '../bench/lib/live-rig.ts';
import { soakSample, waitForIdle, type SoakSample } from '../bench/lib/soak-sample.ts';
import { growthAfterWarmup } from '../bench/lib/stats.ts';

// The participants send with node-webrtc, which segfaults in its native destructors when a
// process exits on its own: exit explicitly once every test has reported.
process.once('beforeExit', (code) => process.exit(code));

/**
 * A short soak (the full one: `npm run soak`): 2 synthetic participants stream a real face through
 * the real SFU and analyzer for ~30 s. Memory must level off after a warm-up, and everything a
 * participant holds — SFU consumer, receiver child, pipeline, handles — must go when they leave.
 */
const PARTICIPANTS = 2;
const RUN_MS = 30_000;
const WARMUP_MS = 12_000;
const EVERY_MS = 2_000;
// Generous for a 30 s run on a shared 2-core machine (GC timing alone moves RSS by several %);
// the 5 % bound belongs to the 10-minute soak script.
const RSS_GROWTH_BOUND = 0.2;

let rig: LiveRig;
let idleBefore: SoakSample;
const samples: SoakSample[] = [];
let startedAt: number;

before(async () => {
  rig = await startLiveRig({ analyzerEnv: { ANALYZER_THREADS: '1' } });
  startedAt = Date.now();
  idleBefore = soakSample(rig, startedAt);
});

after(async () => {
  await rig?.close();
});

test(`soak: ${PARTICIPANTS} participants for ${RUN_MS / 1000} s, RSS levels off, everything released on leave`, { timeout: 90_000 }, async () => {
  const publishers = await rig.join(PARTICIPANTS, { width: 640, height: 480, fps: 15 });
  const joinedAt = Date.now();
  while (Date.now() - joinedAt < RUN_MS) {
    await new Promise((r) => setTimeout(r, EVERY_MS));
    samples.push(soakSample(rig, joinedAt));
  }
  const steady = samples.filter((s) => s.atMs >= WARMUP_MS);
  for (const s of steady) {
    assert.equal(s.activePipelines, PARTICIPANTS, `pipelines at ${s.atMs} ms`);
    assert.equal(s.analyzerConsumers, PARTICIPANTS, `SFU analyzer consumers at ${s.atMs} ms`);
    assert.equal(s.receiverChildren, PARTICIPANTS, `receiver children at ${s.atMs} ms`);
  }
  const ids = new Set(rig.arrivals.map((a) => a.sample.participantId));
  for (const p of publishers) assert.ok(ids.has(p.participant.peerId), `samples for ${p.name}`);
  const growth = growthAfterWarmup(samples.map((s) => ({ atMs: s.atMs, value: s.analyzerRssBytes })), WARMUP_MS);
  assert.ok(growth !== null && growth < RSS_GROWTH_BOUND, `RSS grew ${growth === null ? '?' : (growth * 100).toFixed(1)} % after warm-up`);
  // A steady stream opens no new handles: a leak would add one per frame, window or sample.
  // The in-process rig reads this process's libuv handles (null only for a spawned analyzer).
  const handlesOf = (s: SoakSample): number => {
    assert.ok(s.activeHandles !== null, 'the in-process rig reads active handles');
    return s.activeHandles;
  };
  const handles = steady.map(handlesOf);
  assert.ok(Math.max(...handles) - Math.min(...handles) <= 2, `active handles wandered: ${handles.join(', ')}`);

  rig.leave(publishers);
  const idleAfter = await waitForIdle(rig, startedAt);
  assert.equal(idleAfter.activePipelines, 0, 'pipelines after leaving');
  assert.equal(idleAfter.analyzerConsumers, 0, 'SFU analyzer consumers after leaving');
  assert.equal(idleAfter.analyzerTransports, 0, 'SFU analyzer transports after leaving');
  assert.equal(idleAfter.receiverChildren, 0, 'receiver children after leaving');
  console.log(
    `  RSS ${(idleBefore.analyzerRssBytes / 2 ** 20).toFixed(0)} MiB idle → ${(steady[0]!.analyzerRssBytes / 2 ** 20).toFixed(0)} after warm-up → ${(steady.at(-1)!.analyzerRssBytes / 2 ** 20).toFixed(0)} at the end (${(growth * 100).toFixed(1)} %); ` +
      `handles ${idleBefore.activeHandles} idle, ${Math.min(...handles)}..${Math.max(...handles)} streaming, ${idleAfter.activeHandles} after leaving; fds ${idleBefore.fds} / ${steady.at(-1)!.fds} / ${idleAfter.fds}`,
  );
  assert.ok(handlesOf(idleAfter) <= handlesOf(idleBefore) + 2, `handles after leaving: ${idleAfter.activeHandles}, before joining: ${idleBefore.activeHandles}`);
});
