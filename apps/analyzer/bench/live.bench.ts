/**
 * Live analysis under load: a real SFU, the analyzer (live ingest from the SFU, real models) and N
 * node-webrtc participants publishing a real face (the astronaut, zooming) at 15 fps, for D
 * seconds. Prints per-stage latency (from the analyzer's own Prometheus histograms), analysed fps
 * per participant, and emit latency: from the window's last frame being decoded to its sample
 * arriving on the /dashboard namespace. Capture→decoded latency of the receiver itself is measured
 * by bench:receiver (frame counters stamped in the pixels); capture-to-emit is the sum.
 *   npm run bench:live -w apps/analyzer -- [participants=1,4] [seconds=20]
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EmotionSample } from '@moodroom/shared';
import { startSfu, TEST_ANALYZER_TOKEN, TEST_SESSION_SECRET } from '../../sfu/test/helpers.ts';
import { createSession, facilitatorSocket } from '../test/helpers/sessions.ts';
import { startAnalyzer } from '../src/app.ts';
import { loadAnalyzerConfig } from '../src/config.ts';
import { ingestFromSfu } from '../src/live/sfu-ingest.ts';
import { ingestRoster } from '../src/live/roster-ingest.ts';
import { faceClipI420 } from '../src/receiver/testing/face-clip.ts';
import { SfuParticipant } from '../src/receiver/testing/sfu-participant.ts';
import { WrtcSender } from '../src/receiver/testing/wrtc-sender.ts';
import { connectToSfu } from '../src/sfu-link/index.ts';
import { loadFaceDeps } from '../src/vision-deps.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const counts = (process.argv[2] ?? '1,4').split(',').map(Number);
const seconds = Number(process.argv[3] ?? 20);
const WARMUP_S = 4;

const pct = (values: number[], p: number) => {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};

/** p-th percentile from a Prometheus histogram's cumulative buckets (linear within a bucket). */
function histogramPercentile(buckets: { le: number; count: number }[], p: number): number {
  const total = buckets.at(-1)?.count ?? 0;
  if (!total) return NaN;
  const target = (p / 100) * total;
  let prevLe = 0;
  let prevCount = 0;
  for (const b of buckets) {
    if (b.count >= target) return prevLe + ((target - prevCount) / Math.max(1, b.count - prevCount)) * ((Number.isFinite(b.le) ? b.le : prevLe * 2) - prevLe);
    prevLe = b.le;
    prevCount = b.count;
  }
  return prevLe;
}

async function run(participantCount: number) {
  const dir = mkdtempSync(path.join(tmpdir(), 'moodroom-bench-live-'));
  const sfu = await startSfu({ ANALYZER_SERVICE_TOKEN: TEST_ANALYZER_TOKEN });
  const config = loadAnalyzerConfig({ ANALYZER_PORT: '0', ANALYZER_DB_PATH: path.join(dir, 'a.sqlite'), ANALYZER_STATUS_INTERVAL_MS: '1000', SESSION_SECRET: TEST_SESSION_SECRET });
  const analyzer = await startAnalyzer(config, await loadFaceDeps(), { log: () => {} });
  const link = connectToSfu({ url: sfu.url, token: TEST_ANALYZER_TOKEN });
  const roster = ingestRoster(link, analyzer.service);
  const ingest = ingestFromSfu(link, analyzer.service, { maxFps: config.ANALYZER_FPS });
  const session = await createSession(`http://127.0.0.1:${analyzer.port}`, { title: 'bench' });
  const roomId = session.session.sessionId;
  const dashboard = await facilitatorSocket(`http://127.0.0.1:${analyzer.port}`, session.facilitatorToken);
  const arrivals: { sample: EmotionSample; at: number }[] = [];
  dashboard.on('sample', (sample: EmotionSample) => arrivals.push({ sample, at: Date.now() }));
  await dashboard.emitWithAck('subscribe', { sessionId: roomId });

  const frames = await faceClipI420(path.join(ROOT, 'fixtures/faces/astronaut.png'), { width: 640, height: 480, frames: 45 });
  const senders: WrtcSender[] = [];
  const participants: SfuParticipant[] = [];
  for (let i = 0; i < participantCount; i++) {
    const p = await SfuParticipant.join(sfu.url, { roomId, displayName: `p${i}`, analysisConsent: true, invite: session.participantToken });
    participants.push(p);
    senders.push(await WrtcSender.publish(p.publishSignalling(), { frames, width: 640, height: 480, fps: 15 }));
  }
  const started = Date.now();
  const metricsAtWarmup = new Promise<Awaited<ReturnType<typeof analyzer.metrics.registry.getMetricsAsJSON>>>((resolve) =>
    // prom-client hands out its live counter objects: copy the snapshot.
    setTimeout(() => void analyzer.metrics.registry.getMetricsAsJSON().then((m) => resolve(structuredClone(m))), WARMUP_S * 1000),
  );
  const cpuStart = process.cpuUsage();
  for (let s = 1; s <= seconds; s++) {
    await new Promise((r) => setTimeout(r, 1000));
    process.stderr.write(`\r  ${participantCount} participant(s): ${s}/${seconds} s, ${arrivals.length} samples`);
  }
  process.stderr.write('\n');
  const cpu = process.cpuUsage(cpuStart);
  const before = await metricsAtWarmup;
  const after = await analyzer.metrics.registry.getMetricsAsJSON();

  // Per-stage latency over the measured period (histogram difference after warm-up).
  const stageRows: string[] = [];
  const hist = (m: typeof after, stage: string) =>
    (m.find((x) => x.name === 'moodroom_analyzer_stage_seconds')?.values ?? [])
      .filter((v) => v.labels.stage === stage && (v as { metricName?: string }).metricName?.endsWith('_bucket'))
      .map((v) => ({ le: v.labels.le === '+Inf' ? Infinity : Number(v.labels.le), count: Number(v.value) }));
  for (const stage of ['track', 'align', 'queue', 'inference']) {
    const a = hist(after, stage);
    const b = hist(before, stage);
    const diff = a.map((x, i) => ({ le: x.le, count: x.count - (b[i]?.count ?? 0) }));
    stageRows.push(`    ${stage.padEnd(10)} p50 ${(histogramPercentile(diff, 50) * 1000).toFixed(1).padStart(7)} ms   p95 ${(histogramPercentile(diff, 95) * 1000).toFixed(1).padStart(7)} ms   n=${diff.at(-1)?.count ?? 0}`);
  }
  const measured = arrivals.filter((a) => a.at - started > WARMUP_S * 1000);
  const emit = measured.map((a) => a.at - a.sample.t);
  const total = (m: typeof after, name: string) => (m.find((x) => x.name === name)?.values ?? []).reduce((s, v) => s + Number(v.value), 0);
  const analysedFrames = (m: typeof after) => total(m, 'moodroom_analyzer_frames_analysed_total');
  const dropped = (m: typeof after) => total(m, 'moodroom_analyzer_frames_dropped_total');
  const received = (m: typeof after) => total(m, 'moodroom_analyzer_frames_received_total');
  const period = seconds - WARMUP_S;
  const fpsPerParticipant = (analysedFrames(after) - analysedFrames(before)) / period / participantCount;
  const dropPct = (100 * (dropped(after) - dropped(before))) / Math.max(1, received(after) - received(before));
  const faceShare = measured.length ? measured.filter((a) => a.sample.facePresent).length / measured.length : NaN;

  console.log(`\n  ${participantCount} participant(s), 640x480@15 VP8, ${period} s measured after ${WARMUP_S} s warm-up, model ${analyzer.inference.model.name}`);
  console.log(stageRows.join('\n'));
  console.log(`    analysed     ${fpsPerParticipant.toFixed(1)} fps per participant (target ${config.ANALYZER_FPS}), ${dropPct.toFixed(1)} % of received frames dropped, load level ${analyzer.inference.loadLevel}`);
  console.log(`    emit latency (last frame decoded → sample on /dashboard): p50 ${pct(emit, 50)} ms, p95 ${pct(emit, 95)} ms, n=${emit.length}; face in ${(faceShare * 100).toFixed(0)} % of samples`);
  console.log(`    analyzer process CPU (main thread + inference workers, excl. receiver children): ${(((cpu.user + cpu.system) / 1e6 / seconds) * 100).toFixed(0)} % of one core`);

  for (const s of senders) s.close();
  for (const p of participants) p.disconnect();
  ingest.unsubscribe();
  roster.unsubscribe();
  dashboard.disconnect();
  link.close();
  await analyzer.close();
  await sfu.close();
  rmSync(dir, { recursive: true, force: true });
}

for (const m of ['models/blazeface-short-range.onnx', 'models/face-landmark-468.onnx', 'models/expression-window-baseline.onnx']) {
  if (!existsSync(path.join(ROOT, m))) throw new Error(`missing ${m}: regenerate the models (models/README.md)`);
}
console.log(`live analysis bench: ${counts.join(', ')} participant(s), ${seconds} s each`);
for (const n of counts) await run(n);
// node-webrtc's native teardown segfaults on a natural exit; leave explicitly.
process.exit(0);
