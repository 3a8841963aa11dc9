import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Socket } from 'socket.io-client';
import type { AnalyzerStatus, CreateSessionResponse, EmotionSample } from '@moodroom/shared';
import { startSfu, TEST_ANALYZER_TOKEN, TEST_SESSION_SECRET, type TestSfu } from '../../../sfu/test/helpers.ts';
import { createSession, facilitatorSocket } from '../../test/helpers/sessions.ts';
import { startAnalyzer, type RunningAnalyzer } from '../../src/app.ts';
import { loadAnalyzerConfig, type AnalyzerConfig } from '../../src/config.ts';
import { ingestFromSfu } from '../../src/live/sfu-ingest.ts';
import { ingestRoster } from '../../src/live/roster-ingest.ts';
import { faceClipI420 } from '../../src/receiver/testing/face-clip.ts';
import { SfuParticipant } from '../../src/receiver/testing/sfu-participant.ts';
import { WrtcSender } from '../../src/receiver/testing/wrtc-sender.ts';
import { connectToSfu, type SfuLink } from '../../src/sfu-link/index.ts';
import { loadFaceDeps } from '../../src/vision-deps.ts';
import { startAnalyzer as startAnalyzerProcess } from '../../../../e2e/src/analyzer.ts';
import { FrameTap } from './frame-tap.ts';

/**
 * The live rig behind bench:live, the load tool and the soak: a real SFU and the analyzer (live
 * ingest from the SFU, real models) — started in this process, or reached at given URLs — a
 * facilitated session created through the analyzer's API, its facilitator's /dashboard
 * subscription, and node-webrtc publishers that join with the invite and consent, like browsers.
 */

export const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const MODELS = ['models/blazeface-short-range.onnx', 'models/face-landmark-468.onnx', 'models/expression-window-baseline.onnx'];

export interface LiveRigOptions {
  /** An SFU already running (default: one in this process). */
  sfuUrl?: string;
  /** An analyzer already running and linked to that SFU (default: one in this process). */
  analyzerUrl?: string;
  /** Analyzer environment overrides for the in-process (or spawned) analyzer. */
  analyzerEnv?: Record<string, string>;
  /**
   * Run the analyzer as its own process (`node --import tsx src/main.ts`, as `npm start` does),
   * linked to this process's SFU, so its RSS, fds and threads are the analyzer's alone and not the
   * publishers' encoders' too (the soak). Without the analyzer's objects here there is no frame
   * tap: latency is decode→dashboard only.
   */
  spawnAnalyzer?: boolean;
}

export interface VideoOptions {
  width: number;
  height: number;
  fps: number;
}

export interface Publisher {
  name: string;
  participant: SfuParticipant;
  sender: WrtcSender;
}

/** What ran in this process (null parts ran elsewhere). */
export interface LocalParts {
  sfu: TestSfu | null;
  analyzer: RunningAnalyzer<unknown> | null;
  config: AnalyzerConfig | null;
  /** The analyzer child process this rig spawned (spawnAnalyzer), else null. */
  analyzerPid: number | null;
}

export interface LiveRig {
  sfuUrl: string;
  analyzerUrl: string;
  session: CreateSessionResponse;
  roomId: string;
  local: LocalParts;
  /** Traces samples back to sent frames; only fed when the analyzer runs in this process. */
  tap: FrameTap | null;
  arrivals: { sample: EmotionSample; at: number }[];
  statuses: { status: AnalyzerStatus; at: number }[];
  join(count: number, video: VideoOptions): Promise<Publisher[]>;
  leave(publishers: Publisher[]): void;
  close(): Promise<void>;
}

export function assertModels(): void {
  for (const m of MODELS) if (!existsSync(path.join(ROOT, m))) throw new Error(`missing ${m}: regenerate the models (models/README.md)`);
}

export async function startLiveRig(options: LiveRigOptions = {}): Promise<LiveRig> {
  if (options.analyzerUrl && !options.sfuUrl) throw new Error('an external analyzer needs the SFU it is linked to (--sfu)');
  const cleanups: (() => unknown)[] = [];
  const sfu = options.sfuUrl ? null : await startSfu({ ANALYZER_SERVICE_TOKEN: TEST_ANALYZER_TOKEN });
  if (sfu) cleanups.push(() => sfu.close());
  const sfuUrl = options.sfuUrl ?? sfu!.url;

  let analyzer: RunningAnalyzer<unknown> | null = null;
  let config: AnalyzerConfig | null = null;
  let tap: FrameTap | null = null;
  let spawnedUrl: string | null = null;
  let analyzerPid: number | null = null;
  if (options.spawnAnalyzer && !options.analyzerUrl) {
    if (!sfu) throw new Error('a spawned analyzer links to the rig\'s own SFU: leave out --sfu');
    assertModels();
    const dir = mkdtempSync(path.join(tmpdir(), 'moodroom-live-rig-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const child = await startAnalyzerProcess({
      sfuUrl,
      token: TEST_ANALYZER_TOKEN,
      sessionSecret: TEST_SESSION_SECRET,
      dbPath: path.join(dir, 'a.sqlite'),
      // What npm start would run: one inference thread per core.
      threads: availableParallelism(),
      env: { ANALYZER_STATUS_INTERVAL_MS: '1000', ...options.analyzerEnv },
    });
    cleanups.push(() => child.stop());
    spawnedUrl = child.url;
    analyzerPid = child.process.child.pid ?? null;
  } else if (!options.analyzerUrl) {
    assertModels();
    const dir = mkdtempSync(path.join(tmpdir(), 'moodroom-live-rig-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    // With its own SFU the rig uses the test secrets; with someone else's, theirs (environment).
    const secrets = sfu ? { SESSION_SECRET: TEST_SESSION_SECRET, ANALYZER_SERVICE_TOKEN: TEST_ANALYZER_TOKEN } : {};
    config = loadAnalyzerConfig({ ...process.env, ANALYZER_PORT: '0', ANALYZER_DB_PATH: path.join(dir, 'a.sqlite'), ANALYZER_STATUS_INTERVAL_MS: '1000', ANALYZER_SFU_URL: sfuUrl, ...secrets, ...options.analyzerEnv });
    if (!config.ANALYZER_SERVICE_TOKEN) throw new Error('ANALYZER_SERVICE_TOKEN must be set to link to an external SFU');
    const running = await startAnalyzer(config, await loadFaceDeps(), { log: () => {} });
    analyzer = running as RunningAnalyzer<unknown>;
    const link: SfuLink = connectToSfu({ url: sfuUrl, token: config.ANALYZER_SERVICE_TOKEN });
    tap = new FrameTap();
    const service = tap.wrap(running.service);
    const roster = ingestRoster(link, service);
    const ingest = ingestFromSfu(link, service, { maxFps: config.ANALYZER_FPS });
    // Reverse order on close: ingest, roster, link, then the analyzer, then the SFU.
    cleanups.push(() => running.close());
    cleanups.push(() => link.close());
    cleanups.push(() => roster.unsubscribe());
    cleanups.push(() => ingest.unsubscribe());
  }
  const analyzerUrl = options.analyzerUrl ?? spawnedUrl ?? `http://127.0.0.1:${analyzer!.port}`;

  const session = await createSession(analyzerUrl, { title: 'load test', purpose: 'synthetic participants' });
  const roomId = session.session.sessionId;
  const dashboard: Socket = await facilitatorSocket(analyzerUrl, session.facilitatorToken);
  cleanups.push(() => dashboard.disconnect());
  const arrivals: LiveRig['arrivals'] = [];
  const statuses: LiveRig['statuses'] = [];
  dashboard.on('sample', (sample: EmotionSample) => arrivals.push({ sample, at: Date.now() }));
  dashboard.on('analyzerStatus', (status: AnalyzerStatus) => statuses.push({ status, at: Date.now() }));
  await dashboard.timeout(10_000).emitWithAck('subscribe', { sessionId: roomId });

  const clips = new Map<string, Promise<Uint8Array[]>>();
  const live = new Set<Publisher>();
  let joined = 0;
  let closing: Promise<void> | undefined;
  const rig: LiveRig = {
    sfuUrl,
    analyzerUrl,
    session,
    roomId,
    local: { sfu, analyzer, config, analyzerPid },
    tap,
    arrivals,
    statuses,
    async join(count, video) {
      const key = `${video.width}x${video.height}`;
      // 45 frames = 3 s at 15 fps: the zoom loops, so the face keeps moving.
      if (!clips.has(key)) clips.set(key, faceClipI420(path.join(ROOT, 'fixtures/faces/astronaut.png'), { width: video.width, height: video.height, frames: 45 }));
      const frames = await clips.get(key)!;
      const out: Publisher[] = [];
      for (let i = 0; i < count; i++) {
        const name = `p${joined++}`;
        const participant = await SfuParticipant.join(sfuUrl, { roomId, displayName: name, analysisConsent: true, invite: session.participantToken });
        const sender = await WrtcSender.publish(participant.publishSignalling(), { frames, ...video });
        const publisher = { name, participant, sender };
        live.add(publisher);
        out.push(publisher);
      }
      return out;
    },
    leave(publishers) {
      for (const p of publishers) {
        p.sender.close();
        p.participant.disconnect();
        live.delete(p);
      }
    },
    close() {
      return (closing ??= (async () => {
        rig.leave([...live]);
        for (const cleanup of cleanups.reverse()) await cleanup();
      })());
    },
  };
  return rig;
}
