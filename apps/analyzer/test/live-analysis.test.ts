import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Socket } from 'socket.io-client';
import type { CreateSessionResponse, EmotionSample } from '@moodroom/shared';
import { startSfu, TEST_ANALYZER_TOKEN, TEST_SESSION_SECRET, type TestSfu } from '../../sfu/test/helpers.ts';
import { startAnalyzer, type RunningAnalyzer } from '../src/app.ts';
import { loadAnalyzerConfig } from '../src/config.ts';
import { ingestFromSfu } from '../src/live/sfu-ingest.ts';
import { ingestRoster } from '../src/live/roster-ingest.ts';
import { faceClipI420 } from '../src/receiver/testing/face-clip.ts';
import { SfuParticipant } from '../src/receiver/testing/sfu-participant.ts';
import { WrtcSender } from '../src/receiver/testing/wrtc-sender.ts';
import { connectToSfu, type SfuLink } from '../src/sfu-link/index.ts';
import { loadFaceDeps } from '../src/vision-deps.ts';
import { createSession, facilitatorSocket } from './helpers/sessions.ts';

// The participants here send with node-webrtc, which segfaults in its native destructors when a
// process exits on its own: exit explicitly once every test has reported.
process.once('beforeExit', (code) => process.exit(code));

/**
 * Issue 5's live path end to end, all real: SFU (mediasoup) → analyzer link (service token) →
 * WebRTC receiver child → face tracking (packages/vision) → windowed model (the bundled default) →
 * samples on the /dashboard namespace and in SQLite. The participant is a node-webrtc publisher
 * joining through the SFU's normal signalling, playing a real face (the astronaut photo, zooming).
 * The browser version of this test (a real Chromium participant) lives in e2e/.
 */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const ASTRONAUT = path.join(ROOT, 'fixtures/faces/astronaut.png');
const MODELS = ['models/blazeface-short-range.onnx', 'models/face-landmark-468.onnx', 'models/expression-window-baseline.onnx'];

let sfu: TestSfu;
let analyzer: RunningAnalyzer<unknown>;
let link: SfuLink;
let dashboard: Socket;
/** A facilitated session created through the analyzer's API: its id is the call's room. */
let session: CreateSessionResponse;
let roomId: string;
const roster: { event: string; participantId: string; displayName?: string }[] = [];
let dir: string;
const senders: WrtcSender[] = [];
const participants: SfuParticipant[] = [];
const samples: EmotionSample[] = [];

before(async () => {
  const missing = MODELS.filter((m) => !existsSync(path.join(ROOT, m)));
  if (missing.length) throw new Error(`models missing: ${missing.join(', ')} — regenerate them (models/README.md)`);
  dir = mkdtempSync(path.join(tmpdir(), 'moodroom-live-'));
  sfu = await startSfu({ ANALYZER_SERVICE_TOKEN: TEST_ANALYZER_TOKEN });
  const config = loadAnalyzerConfig({ ANALYZER_PORT: '0', ANALYZER_DB_PATH: path.join(dir, 'a.sqlite'), ANALYZER_THREADS: '1', ANALYZER_STATUS_INTERVAL_MS: '500', SESSION_SECRET: TEST_SESSION_SECRET });
  analyzer = await startAnalyzer(config, await loadFaceDeps(), { log: () => {} });
  link = connectToSfu({ url: sfu.url, token: TEST_ANALYZER_TOKEN });
  ingestRoster(link, analyzer.service);
  ingestFromSfu(link, analyzer.service, { maxFps: config.ANALYZER_FPS });
  session = await createSession(`http://127.0.0.1:${analyzer.port}`, { title: 'Live test' });
  roomId = session.session.sessionId;
  dashboard = await facilitatorSocket(`http://127.0.0.1:${analyzer.port}`, session.facilitatorToken);
  dashboard.on('sample', (s: EmotionSample) => samples.push(s));
  dashboard.on('participantJoined', (p: { participantId: string; displayName: string }) => roster.push({ event: 'joined', ...p }));
  dashboard.on('participantLeft', (p: { participantId: string }) => roster.push({ event: 'left', ...p }));
  await dashboard.timeout(5000).emitWithAck('subscribe', { sessionId: roomId });
});

after(async () => {
  for (const s of senders) s.close();
  for (const p of participants) p.disconnect();
  dashboard?.disconnect();
  link?.close();
  await analyzer?.close();
  await sfu?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function publishFace(displayName: string, analysisConsent: boolean) {
  const participant = await SfuParticipant.join(sfu.url, { roomId, displayName, analysisConsent, invite: session.participantToken });
  participants.push(participant);
  const frames = await faceClipI420(ASTRONAUT, { width: 320, height: 240, frames: 30 });
  const sender = await WrtcSender.publish(participant.publishSignalling(), { frames, width: 320, height: 240, fps: 15 });
  senders.push(sender);
  return { participant, sender };
}

function receiverChildren(): string[] {
  const out = spawnSync('pgrep', ['-P', String(process.pid), '-f', 'receiver/child'], { encoding: 'utf8' }).stdout;
  return out.split('\n').filter(Boolean);
}

async function waitFor(predicate: () => boolean | Promise<boolean>, what: string, ms: number) {
  const deadline = Date.now() + ms;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('a consenting participant is analysed live: happy face samples on the dashboard within 10 s, stored in SQLite', async () => {
  const { participant } = await publishFace('Ada', true);
  const startedAt = Date.now();
  const mine = () => samples.filter((s) => s.participantId === participant.peerId && s.facePresent);
  await waitFor(() => mine().length >= 2, 'two face samples from the consenting participant', 10_000);
  console.log(`first face sample after ${Date.now() - startedAt} ms from publishing`);
  const last = mine().at(-1)!;
  assert.equal(last.sessionId, roomId);
  assert.equal(last.dominant, 'happy', `the smiling astronaut should read as happy: ${JSON.stringify(last.probs)}`);
  assert.ok(last.quality > 0.5, `quality ${last.quality}`);
  await waitFor(async () => (await analyzer.repo.listSamples(roomId, { participantId: participant.peerId })).length >= 2, 'samples in SQLite', 5000);
  const stored = await analyzer.repo.listSamples(roomId, { participantId: participant.peerId });
  assert.ok(stored.some((s) => s.facePresent && s.dominant === 'happy'));
});

test('a participant who did not consent is never analysed, but the facilitator sees them join by name', async () => {
  const { participant } = await publishFace('Bob', false);
  await new Promise((r) => setTimeout(r, 3000));
  assert.ok(roster.some((r) => r.event === 'joined' && r.participantId === participant.peerId && r.displayName === 'Bob'));
  assert.ok(roster.some((r) => r.event === 'joined' && r.displayName === 'Ada'), 'names come from the SFU roster');
  assert.equal(samples.filter((s) => s.participantId === participant.peerId).length, 0);
  assert.equal((await analyzer.repo.listSamples(roomId, { participantId: participant.peerId })).length, 0);
  assert.equal(analyzer.service.activeCount, 1, 'only the consenting participant has a pipeline');
});

test('leaving tears the pipeline down: no pipelines, receivers or analyzer consumers left', async () => {
  for (const s of senders.splice(0)) s.close();
  for (const p of participants.splice(0)) p.disconnect();
  await waitFor(() => analyzer.service.activeCount === 0, 'pipelines to stop', 5000);
  await waitFor(() => link.cameras().length === 0, 'the link to drop the cameras', 5000);
  assert.equal(sfu.sfu.registry.analysableCameras().length, 0);
  // No analyzer consumers left at the SFU.
  await waitFor(() => [...sfu.sfu.analyzerLink.sessions].every((s) => s.consumerCount === 0), "the SFU to hold no analyzer consumers", 5000);
  // Both leaves reached the facilitator and the store.
  await waitFor(() => roster.filter((r) => r.event === 'left').length === 2, 'two participantLeft events', 5000);
  const stored = await analyzer.repo.listParticipants(roomId);
  assert.deepEqual(stored.map((p) => [p.displayName, p.leftAt !== null]), [['Ada', true], ['Bob', true]]);
  assert.notEqual((await analyzer.repo.getSession(roomId))?.endedAt, null, 'the last one out ended the session');
  // Receiver child processes (one per analysed camera) exit with their camera.
  await waitFor(() => receiverChildren().length === 0, 'receiver child processes to exit', 5000);
});
