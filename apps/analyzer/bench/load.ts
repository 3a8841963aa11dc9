/**
 * Synthetic participants: N headless publishers (node-webrtc RTCVideoSource, a real face video)
 * join a facilitated session through the SFU's normal signalling with the invite and consent, and
 * stream for --duration seconds while a facilitator's dashboard subscription watches. Prints a
 * live progress line, then per participant: analysed fps, dropped %, capture→dashboard latency
 * p50/p95/p99; per process: CPU and RSS (analyzer, each receiver child, mediasoup workers).
 *   npm run load -- --participants 4 --duration 20 [--width 640 --height 480 --fps 15]
 *   npm run load -- --sfu http://host:4000 --analyzer http://host:4100 [--analyzer-pid P --sfu-pid P]
 * By default the SFU and the analyzer run in this process (test secrets, temporary database).
 */
import { formatLoadResult } from './lib/load-meter.ts';
import { LOAD_USAGE, parseLoadArgs, type LoadArgs } from './lib/load-args.ts';
import { startLiveRig } from './lib/live-rig.ts';
import { cell } from './lib/table.ts';
import { runTrial } from './lib/trial.ts';

let args: LoadArgs;
try {
  args = parseLoadArgs(process.argv.slice(2));
  if (args.warmupS >= args.durationS) throw new Error('--warmup must be shorter than --duration');
} catch (error) {
  console.error(`${error instanceof Error ? error.message : error}\nusage: ${LOAD_USAGE}`);
  process.exit(2);
}
const video = { width: args.width, height: args.height, fps: args.fps };
const rig = await startLiveRig({ ...(args.sfuUrl ? { sfuUrl: args.sfuUrl } : {}), ...(args.analyzerUrl ? { analyzerUrl: args.analyzerUrl } : {}) });
console.log(`load: ${args.participants} participant(s), VP8 ${video.width}x${video.height}@${video.fps}, ${args.durationS} s (first ${args.warmupS} s warm-up), SFU ${rig.sfuUrl}, analyzer ${rig.analyzerUrl}`);
const publishers = await rig.join(args.participants, video);
const result = await runTrial(rig, publishers, {
  durationS: args.durationS,
  warmupS: args.warmupS,
  external: { ...(args.analyzerPid ? { analyzerPid: args.analyzerPid } : {}), ...(args.sfuPid ? { sfuPid: args.sfuPid } : {}) },
  onTick: (s, phase, p) => {
    process.stderr.write(`\r  ${s}/${args.durationS} s (${phase}): ${p.samples} samples, analysed ${cell(p.analysedFps, 1)} fps/participant, capture→dashboard p50 ${cell(p.e2eP50)} ms   `);
  },
});
process.stderr.write('\n');
console.log(`\n  ${result.participants.length} participant(s), ${result.seconds.toFixed(0)} s measured, load level ${result.loadLevel ?? '–'}`);
console.log(formatLoadResult(result, rig.tap !== null));
await rig.close();
// node-webrtc's native teardown segfaults on a natural exit; leave explicitly.
process.exit(0);
