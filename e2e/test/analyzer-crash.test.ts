import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { io, type Socket } from 'socket.io-client';
import { DASHBOARD_NAMESPACE, type CreateSessionResponse, type EmotionSample } from '@moodroom/shared';
import {
  analyzerDir,
  artifactsDir,
  assertAnalyzerModels,
  childPids,
  createSession,
  ensureDashboardBuild,
  ensureFakeMedia,
  freePort,
  inboundTotals,
  joinRoom,
  launchParticipant,
  newServiceToken,
  newSessionSecret,
  repoRoot,
  startProcess,
  waitForHttp,
  waitForStatus,
  type ManagedProcess,
  type Participant,
} from '../src/index.ts';

// Fault test (issue 7): the whole system runs under its real supervisor (`npm start`, i.e.
// scripts/start.mjs). The analyzer is killed with SIGKILL in the middle of a call: the call goes on
// for everyone, the supervisor restarts the analyzer, analysis of the consenting participant
// resumes on its own (the analyzer re-reads the SFU's roster and cameras), and every sample stored
// before the crash is still there.

let supervisor: ManagedProcess | undefined;
let dbDir: string | undefined;
let facilitator: Socket | undefined;
const browsers: Participant[] = [];
const samples: EmotionSample[] = [];
const ports = { sfu: 0, analyzer: 0, dashboard: 0 };
let dbPath = '';
const startedAt = Date.now();

before(async () => {
  assertAnalyzerModels();
  mkdirSync(artifactsDir, { recursive: true });
  dbDir = mkdtempSync(path.join(tmpdir(), 'moodroom-e2e-crash-'));
  dbPath = path.join(dbDir, 'analytics.sqlite');
  await ensureDashboardBuild();
  [ports.sfu, ports.analyzer, ports.dashboard] = [await freePort(), await freePort(), await freePort()];
  const rtcBase = 40000 + Math.floor(Math.random() * 200) * 100;
  const dashboardOrigin = `http://127.0.0.1:${ports.dashboard}`;
  supervisor = startProcess('start', process.execPath, ['scripts/start.mjs'], {
    cwd: repoRoot,
    env: {
      SFU_HOST: '127.0.0.1',
      SFU_PORT: String(ports.sfu),
      SFU_WORKERS: '1',
      SFU_RTC_LISTEN_IP: '127.0.0.1',
      SFU_RTC_ANNOUNCED_ADDRESS: '127.0.0.1',
      SFU_RTC_MIN_PORT: String(rtcBase),
      SFU_RTC_MAX_PORT: String(rtcBase + 99),
      SFU_CORS_ORIGINS: dashboardOrigin,
      ANALYZER_HOST: '127.0.0.1',
      ANALYZER_PORT: String(ports.analyzer),
      ANALYZER_DB_PATH: dbPath,
      ANALYZER_SFU_URL: `http://127.0.0.1:${ports.sfu}`,
      ANALYZER_THREADS: '1',
      ANALYZER_DASHBOARD_ORIGIN: dashboardOrigin,
      PORT: String(ports.dashboard),
      SFU_PUBLIC_URL: `http://127.0.0.1:${ports.sfu}`,
      ANALYZER_PUBLIC_URL: `http://127.0.0.1:${ports.analyzer}`,
      ANALYZER_SERVICE_TOKEN: newServiceToken(),
      SESSION_SECRET: newSessionSecret(),
    },
  });
  await waitForHttp(`http://127.0.0.1:${ports.sfu}/healthz`, supervisor, 60_000);
  await waitForHttp(`http://127.0.0.1:${ports.analyzer}/healthz`, supervisor, 60_000);
  await waitForHttp(`http://127.0.0.1:${ports.dashboard}/`, supervisor, 60_000);
});

after(async () => {
  facilitator?.disconnect();
  await Promise.all(browsers.map((b) => b.close()));
  if (supervisor) writeFileSync(path.join(artifactsDir, 'analyzer-crash-supervisor.log'), supervisor.logs());
  await supervisor?.stop();
  if (dbDir) rmSync(dbDir, { recursive: true, force: true });
  process.stderr.write(`[e2e] analyzer-crash.test.ts total ${((Date.now() - startedAt) / 1000).toFixed(1)} s\n`);
});

/** The analyzer's node process under this test's supervisor (start.mjs → node --import tsx src/main.ts in apps/analyzer). */
function analyzerPid(): number | null {
  const descendants: number[] = [];
  const walk = (pid: number) => {
    for (const child of safeChildren(pid)) {
      descendants.push(child);
      walk(child);
    }
  };
  walk(supervisor!.child.pid!);
  for (const pid of descendants) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (readlinkSync(`/proc/${pid}/cwd`) === analyzerDir && cmd[0] === process.execPath && cmd.includes('src/main.ts')) return pid;
    } catch {
      // gone meanwhile
    }
  }
  return null;
}

function safeChildren(pid: number): number[] {
  try {
    return childPids(pid);
  } catch {
    return [];
  }
}

function storedTimes(sessionId: string): number[] {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT t FROM samples WHERE session_id = ? ORDER BY t').all(sessionId) as { t: number }[]).map((r) => r.t);
  } finally {
    db.close();
  }
}

async function waitFor(predicate: () => boolean | Promise<boolean>, what: string, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('kill -9 the analyzer mid-call: the call goes on, the supervisor restarts it, analysis resumes, no stored sample is lost', { timeout: 120_000 }, async () => {
  const analyzerUrl = `http://127.0.0.1:${ports.analyzer}`;
  const dashboardUrl = `http://127.0.0.1:${ports.dashboard}`;
  try {
    const session: CreateSessionResponse = await createSession(analyzerUrl, { title: 'Crash test' });
    const sessionId = session.session.sessionId;
    // The facilitator's view reconnects by itself and subscribes again, as the dashboard page does.
    facilitator = io(`${analyzerUrl}${DASHBOARD_NAMESPACE}`, { transports: ['websocket'], auth: { token: session.facilitatorToken }, reconnectionDelay: 200, reconnectionDelayMax: 500 });
    facilitator.on('connect', () => void facilitator!.emit('subscribe', { sessionId }, () => undefined));
    facilitator.on('sample', (s: EmotionSample) => samples.push(s));

    const media = await ensureFakeMedia();
    const [ada, bob] = await Promise.all([launchParticipant('ada', media), launchParticipant('bob', media)]);
    browsers.push(ada, bob);
    await joinRoom(ada.page, dashboardUrl, sessionId, 'Ada', { analysisConsent: true, invite: session.participantToken });
    const adaId = (await waitForStatus(ada.page, 'joined')).selfPeerId!;
    await joinRoom(bob.page, dashboardUrl, sessionId, 'Bob', { invite: session.participantToken });
    await waitForStatus(bob.page, 'joined');
    const adaFaces = (since = 0) => samples.filter((s) => s.participantId === adaId && s.facePresent && s.t > since);
    await waitFor(() => adaFaces().length >= 2, "Ada's first face samples", 20_000);
    // Let the batching writer store them (it flushes every second).
    await waitFor(() => storedTimes(sessionId).length >= 2, 'stored samples', 5000);

    const pid = analyzerPid();
    assert.ok(pid, 'found the analyzer process');
    const storedBefore = storedTimes(sessionId);
    const framesBefore = (await inboundTotals(bob.page)).videoFramesDecoded;
    process.kill(pid, 'SIGKILL');
    const killedAt = Date.now();

    // The call goes on: Bob keeps decoding Ada's video while the analyzer is down and back.
    await waitFor(async () => (await inboundTotals(bob.page)).videoFramesDecoded > framesBefore + 15, "Bob decoding Ada's video after the crash", 10_000);
    assert.equal((await waitForStatus(ada.page, 'joined')).status, 'joined');

    await waitFor(() => analyzerPid() !== null && analyzerPid() !== pid, 'the supervisor to start a new analyzer', 15_000);
    const restartedMs = Date.now() - killedAt;
    await waitFor(() => adaFaces(killedAt).length >= 1, "a new face sample of Ada's after the restart", 30_000);
    const resumedMs = Date.now() - killedAt;
    process.stderr.write(`[e2e] analyzer killed → new process after ${restartedMs} ms → first new sample on /dashboard after ${resumedMs} ms\n`);

    // At-least-once: everything stored before the crash is still stored (the database opened cleanly).
    await waitFor(() => storedTimes(sessionId).some((t) => t > killedAt), 'new samples stored after the restart', 10_000);
    const storedAfter = new Set(storedTimes(sessionId));
    const lost = storedBefore.filter((t) => !storedAfter.has(t));
    assert.deepEqual(lost, [], 'no stored sample was lost');
    assert.equal((await waitForStatus(bob.page, 'joined')).status, 'joined');
  } catch (error) {
    for (const b of browsers) await b.page.screenshot({ path: path.join(artifactsDir, `failure-crash-${b.name}.png`) }).catch(() => undefined);
    throw new Error(`${(error as Error).message}\n--- supervisor ---\n${supervisor?.logs().slice(-8000)}`, { cause: error });
  }
});
