/**
 * Live analysis under load: a real SFU, the analyzer (live ingest from the SFU, real models) and N
 * node-webrtc participants publishing a real face (the astronaut, zooming) at 15 fps, for D
 * seconds (the rig in lib/live-rig.ts, shared with `npm run load` and the soak). Prints per-stage
 * latency (from the analyzer's own Prometheus histograms), analysed fps per participant, and emit
 * latency: from the window's last frame being decoded to its sample arriving on the /dashboard
 * namespace. Capture→decoded latency of the receiver itself is measured by bench:receiver (frame
 * counters stamped in the pixels); `npm run load` measures capture→dashboard directly.
 *   npm run bench:live -w apps/analyzer -- [participants=1,4] [seconds=20]
 */
import { startLiveRig } from './lib/live-rig.ts';
import { histogramPercentile, percentile } from './lib/stats.ts';

const counts = (process.argv[2] ?? '1,4').split(',').map(Number);
const seconds = Number(process.argv[3] ?? 20);
const WARMUP_S = 4;

async function run(participantCount: number) {
  const rig = await startLiveRig();
  const analyzer = rig.local.analyzer!;
  const config = rig.local.config!;
  const { arrivals } = rig;
  await rig.join(participantCount, { width: 640, height: 480, fps: 15 });
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
  console.log(`    emit latency (last frame decoded → sample on /dashboard): p50 ${percentile(emit, 50)} ms, p95 ${percentile(emit, 95)} ms, n=${emit.length}; face in ${(faceShare * 100).toFixed(0)} % of samples`);
  console.log(`    analyzer process CPU (main thread + inference workers, excl. receiver children): ${(((cpu.user + cpu.system) / 1e6 / seconds) * 100).toFixed(0)} % of one core`);
  await rig.close();
}

console.log(`live analysis bench: ${counts.join(', ')} participant(s), ${seconds} s each`);
for (const n of counts) await run(n);
// node-webrtc's native teardown segfaults on a natural exit; leave explicitly.
process.exit(0);
