import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { io, type Socket } from 'socket.io-client';
import { DASHBOARD_NAMESPACE, type CreateSessionResponse, type EmotionSample } from '@moodroom/shared';
import {
  artifactsDir,
  assertAnalyzerModels,
  createSession,
  ensureFakeMedia,
  fetchMetric,
  joinRoom,
  launchParticipant,
  tileLocator,
  waitForRemoteVideo,
  waitForStatus,
  type Participant,
  type RunningAnalyzer,
  type RunningServer,
  type Stack,
  startStack,
} from '../src/index.ts';

// Issue 5's acceptance test, all real: a headless Chromium participant opens a facilitated
// session's invite link, allows analysis on the join page and joins through the real SFU; the real analyzer (child process, linked to the SFU
// with a shared service token) receives the camera, runs face tracking and the windowed model,
// publishes samples on /dashboard and stores them in SQLite. A second participant who did not
// consent is never analysed, and leaving tears the pipeline and its receiver process down.

const ACTIVE_PIPELINES = 'moodroom_analyzer_active_pipelines';

let sfu: RunningServer | undefined;
let dashboard: RunningServer | undefined;
let analyzer: RunningAnalyzer | undefined;
let facilitator: Socket | undefined;
let dbDir: string | undefined;
let stack: Stack | undefined;
const participants: Participant[] = [];
const samples: EmotionSample[] = [];
/** The facilitated session (created through the analyzer's API); its id is the call's room. */
let session: CreateSessionResponse;
let roomId = '';
let ada: Participant;
let adaPeerId = '';
const startedAt = Date.now();

before(async () => {
  // Fails (never skips) without the models: the live analysis cannot be tested without them.
  assertAnalyzerModels();
  mkdirSync(artifactsDir, { recursive: true });
  dbDir = mkdtempSync(path.join(tmpdir(), 'moodroom-e2e-analysis-'));
  stack = await startStack({ dbDir });
  ({ sfu, analyzer, dashboard } = stack);

  session = await createSession(analyzer!.url, { title: 'Analysis e2e' });
  roomId = session.session.sessionId;
  // The facilitator's view: the analyzer's /dashboard namespace with the facilitator token, subscribed to the session.
  facilitator = io(`${analyzer!.url}${DASHBOARD_NAMESPACE}`, { transports: ['websocket'], reconnection: false, auth: { token: session.facilitatorToken } });
  facilitator.on('sample', (s: EmotionSample) => samples.push(s));
  await new Promise<void>((resolve, reject) => {
    facilitator!.once('connect', resolve);
    facilitator!.once('connect_error', reject);
  });
  const ack = await facilitator.timeout(5000).emitWithAck('subscribe', { sessionId: roomId });
  assert.equal(ack?.ok, true, `subscribe was refused: ${JSON.stringify(ack)}`);
  process.stderr.write(`[e2e] sfu + analyzer + dashboard ready in ${((Date.now() - startedAt) / 1000).toFixed(1)} s\n`);
});

after(async () => {
  await Promise.all(participants.map((p) => p.close()));
  facilitator?.disconnect();
  for (const [name, server] of [['sfu', sfu], ['dashboard', dashboard], ['analyzer', analyzer]] as const) {
    if (server) writeFileSync(path.join(artifactsDir, `analysis-${name}.log`), server.process.logs());
  }
  await stack?.stop();
  if (dbDir) rmSync(dbDir, { recursive: true, force: true });
  process.stderr.write(`[e2e] analysis.test.ts total ${((Date.now() - startedAt) / 1000).toFixed(1)} s\n`);
});

async function waitFor(predicate: () => boolean | Promise<boolean>, what: string, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface StoredSampleRow {
  participant_id: string;
  t: number;
  dominant: string | null;
  face_present: number;
  p_happy: number | null;
}

/** The analyzer's SQLite file, opened read-only (WAL: readers never block its writer). */
function storedSamples(participantId: string): StoredSampleRow[] {
  const db = new Database(analyzer!.dbPath, { readonly: true, fileMustExist: true });
  try {
    return db
      .prepare('SELECT participant_id, t, dominant, face_present, p_happy FROM samples WHERE session_id = ? AND participant_id = ? ORDER BY t')
      .all(roomId, participantId) as StoredSampleRow[];
  } finally {
    db.close();
  }
}

/** Receiver child processes (one per analysed camera) of this run's analyzer only (others may run tests too). */
function receiverChildren(): number[] {
  const out = spawnSync('pgrep', ['-P', String(analyzer!.process.child.pid), '-f', 'receiver/child'], { encoding: 'utf8' }).stdout;
  return out.split('\n').filter(Boolean).map(Number);
}

/** Adds the servers' logs and the browsers' console to a failure, and takes screenshots. */
async function withDiagnostics(name: string, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (error) {
    for (const p of participants) await p.page.screenshot({ path: path.join(artifactsDir, `failure-analysis-${name}-${p.name}.png`) }).catch(() => undefined);
    const consoleLines = participants.flatMap((p) => p.console).slice(-30).join('\n');
    throw new Error(`${(error as Error).message}\n--- browser console ---\n${consoleLines}\n--- analyzer ---\n${analyzer?.process.logs()}\n--- sfu ---\n${sfu?.process.logs()}`, { cause: error });
  }
}

test('a participant who allows analysis is analysed: happy face samples on /dashboard within 10 s, stored in SQLite', { timeout: 60_000 }, () =>
  withDiagnostics('consent', async () => {
    const media = await ensureFakeMedia(); // the smiling astronaut
    ada = await launchParticipant('ada', media);
    participants.push(ada);
    await joinRoom(ada.page, dashboard!.url, roomId, 'Ada', { analysisConsent: true, invite: session.participantToken, lobbyScreenshot: path.join(artifactsDir, 'analysis-ada-lobby-consent.png') });
    const clickedAt = Date.now();
    adaPeerId = (await waitForStatus(ada.page, 'joined')).selfPeerId!;
    assert.ok(adaPeerId);
    await ada.page.locator('[data-testid="analysis-state"][data-analysis="on"]').waitFor({ timeout: 5000 });

    const adaFaces = () => samples.filter((s) => s.participantId === adaPeerId && s.facePresent);
    await waitFor(() => adaFaces().some((s) => s.dominant === 'happy'), 'a happy face sample from the consenting participant on /dashboard', 10_000);
    const firstFace = adaFaces()[0]!;
    process.stderr.write(`[e2e] join click → first face sample on /dashboard: ${Date.now() - clickedAt} ms (sample t=${firstFace.t}, ${firstFace.t - clickedAt} ms after the click by its own clock)\n`);
    // A couple more windows, so "happy" is the steady reading and not one lucky window.
    await waitFor(() => adaFaces().length >= 3, 'three face samples from the consenting participant', 10_000);
    const faces = adaFaces();
    const happy = faces.filter((s) => s.dominant === 'happy').length;
    process.stderr.write(`[e2e] ${faces.length} face samples, ${happy} happy; last probs ${JSON.stringify(faces.at(-1)!.probs)} quality ${faces.at(-1)!.quality.toFixed(2)}\n`);
    assert.equal(faces.at(-1)!.dominant, 'happy', `the smiling astronaut should read as happy: ${JSON.stringify(faces.at(-1)!.probs)}`);
    assert.ok(happy >= faces.length - 1, `most samples should be happy: ${faces.map((s) => s.dominant).join(', ')}`);
    for (const s of faces) assert.equal(s.sessionId, roomId);
    assert.equal(receiverChildren().length, 1, 'one receiver process for the one analysed camera');
    assert.equal(await fetchMetric(analyzer!.url, ACTIVE_PIPELINES), 1);
    await ada.page.screenshot({ path: path.join(artifactsDir, 'analysis-ada-consenting.png') });

    // Stored: the batching writer flushes within about a second.
    await waitFor(() => storedSamples(adaPeerId).filter((r) => r.face_present === 1).length >= 2, 'face samples in SQLite', 5000);
    const rows = storedSamples(adaPeerId);
    assert.ok(rows.some((r) => r.face_present === 1 && r.dominant === 'happy'), `stored: ${JSON.stringify(rows.slice(-3))}`);
    process.stderr.write(`[e2e] ${rows.length} samples of the participant in SQLite (${analyzer!.dbPath})\n`);
  }),
);

test('a participant who joins without analysis is never analysed', { timeout: 40_000 }, () =>
  withDiagnostics('no-consent', async () => {
    assert.ok(adaPeerId, 'needs the consenting participant of the first test');
    const bob = await launchParticipant('bob', await ensureFakeMedia());
    participants.push(bob);
    await joinRoom(bob.page, dashboard!.url, roomId, 'Bob', { invite: session.participantToken }); // "Join without analysis"
    const bobPeerId = (await waitForStatus(bob.page, 'joined')).selfPeerId!;
    await bob.page.locator('[data-testid="analysis-state"][data-analysis="off"]').waitFor({ timeout: 5000 });
    // His camera really flows through the SFU (Ada decodes it), so only consent keeps it from the analyzer.
    await tileLocator(ada.page, bobPeerId).waitFor({ timeout: 15_000 });
    await waitForRemoteVideo(ada.page, bobPeerId);
    const adaBefore = samples.filter((s) => s.participantId === adaPeerId).length;
    await new Promise((r) => setTimeout(r, 3000));
    assert.ok(samples.filter((s) => s.participantId === adaPeerId).length > adaBefore, 'the consenting participant is still analysed meanwhile');
    assert.equal(samples.filter((s) => s.participantId === bobPeerId).length, 0, 'no samples of the non-consenting participant on /dashboard');
    assert.equal(storedSamples(bobPeerId).length, 0, 'no samples of the non-consenting participant in SQLite');
    assert.equal(await fetchMetric(analyzer!.url, ACTIVE_PIPELINES), 1, 'only the consenting participant has a pipeline');
    assert.equal(receiverChildren().length, 1, 'only one receiver process');
    await bob.page.screenshot({ path: path.join(artifactsDir, 'analysis-bob-not-consenting.png') });
  }),
);

test('withdrawing consent during the call stops the analysis at once; allowing it again resumes it', { timeout: 40_000 }, () =>
  withDiagnostics('withdraw', async () => {
    assert.ok(adaPeerId, 'needs the consenting participant of the first test');
    await ada.page.getByRole('button', { name: 'Stop emotion analysis' }).click();
    const withdrawnAt = Date.now();
    await ada.page.locator('[data-testid="analysis-state"][data-analysis="off"]').waitFor({ timeout: 5000 });
    await waitFor(async () => (await fetchMetric(analyzer!.url, ACTIVE_PIPELINES)) === 0, 'the pipeline to stop after withdrawal', 5000);
    await waitFor(() => receiverChildren().length === 0, 'the receiver to exit after withdrawal', 5000);
    process.stderr.write(`[e2e] withdrawal → no pipeline, no receiver after ${Date.now() - withdrawnAt} ms\n`);
    const countAfter = samples.filter((s) => s.participantId === adaPeerId).length;
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(samples.filter((s) => s.participantId === adaPeerId).length, countAfter, 'no samples while withdrawn');
    await ada.page.getByRole('button', { name: 'Allow emotion analysis' }).click();
    await waitFor(() => samples.filter((s) => s.participantId === adaPeerId && s.facePresent).length > countAfter, 'samples again after re-allowing', 15_000);
  }),
);

test('when the consenting participant leaves, the pipeline and its receiver process are torn down', { timeout: 30_000 }, () =>
  withDiagnostics('leave', async () => {
    assert.ok(adaPeerId, 'needs the consenting participant of the first test');
    await ada.page.getByRole('button', { name: 'Leave' }).click();
    const leftAt = Date.now();
    await waitForStatus(ada.page, 'left', 10_000);
    await waitFor(async () => (await fetchMetric(analyzer!.url, ACTIVE_PIPELINES)) === 0, `${ACTIVE_PIPELINES} 0 on /metrics`, 5000);
    await waitFor(() => receiverChildren().length === 0, 'the receiver child process to exit', 5000);
    process.stderr.write(`[e2e] leave → no pipelines and no receiver processes after ${Date.now() - leftAt} ms\n`);
    const countAfterLeave = samples.filter((s) => s.participantId === adaPeerId).length;
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(samples.filter((s) => s.participantId === adaPeerId).length, countAfterLeave, 'no samples after leaving');
  }),
);
