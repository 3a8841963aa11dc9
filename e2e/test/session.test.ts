import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { io } from 'socket.io-client';
import { DASHBOARD_NAMESPACE, readSessionTokenPayload, SAMPLE_CSV_COLUMNS, tokenFromHash } from '@moodroom/shared';
import {
  artifactsDir,
  assertAnalyzerModels,
  EMOTION_VALUE_IN_LOG,
  ensureFakeMedia,
  joinRoom,
  processTree,
  writableFilesOf,
  launchParticipant,
  waitForStatus,
  type Participant,
  type RunningAnalyzer,
  type RunningServer,
  type Stack,
  startStack,
} from '../src/index.ts';

// Issue 6's acceptance test, all real: a facilitator creates a session on the home page; a
// participant with a fake camera (the smiling astronaut) opens the invite, allows analysis and joins;
// the facilitator's live dashboard shows their timeline within 10 s; a second participant who
// declines appears without data; after they leave the report renders, its CSV export matches the
// stored samples, and deleting the session erases them. Every unauthorised way in is refused.

let sfu: RunningServer | undefined;
let dashboard: RunningServer | undefined;
let analyzer: RunningAnalyzer | undefined;
let dbDir: string | undefined;
/** The analyzer's TMPDIR: empty at the end, or something was written that should not have been. */
let analyzerTmp: string | undefined;
// Distinctive, so the log check below cannot pass by accident or fail on an unrelated word.
const ADA = 'Ada Quintrell';
const BOB = 'Bob Vasquez';
const TITLE = 'Sprint retro';
const PURPOSE = 'See how the retro felt, as a group';
let stack: Stack | undefined;
const browsers: Participant[] = [];
const startedAt = Date.now();
let facilitatorLink = '';
let inviteLink = '';
let sessionId = '';
let facilitatorToken = '';
let participantToken = '';

before(async () => {
  assertAnalyzerModels();
  mkdirSync(artifactsDir, { recursive: true });
  dbDir = mkdtempSync(path.join(tmpdir(), 'moodroom-e2e-session-'));
  analyzerTmp = mkdtempSync(path.join(tmpdir(), 'moodroom-e2e-analyzer-tmp-'));
  stack = await startStack({ dbDir, analyzerEnv: { TMPDIR: analyzerTmp } });
  ({ sfu, analyzer, dashboard } = stack);
});

after(async () => {
  await Promise.all(browsers.map((b) => b.close()));
  for (const [name, server] of [['sfu', sfu], ['dashboard', dashboard], ['analyzer', analyzer]] as const) {
    if (server) writeFileSync(path.join(artifactsDir, `session-${name}.log`), server.process.logs());
  }
  await stack?.stop();
  if (dbDir) rmSync(dbDir, { recursive: true, force: true });
  if (analyzerTmp) rmSync(analyzerTmp, { recursive: true, force: true });
  process.stderr.write(`[e2e] session.test.ts total ${((Date.now() - startedAt) / 1000).toFixed(1)} s\n`);
});

async function browser(name: string): Promise<Participant> {
  const b = await launchParticipant(name, await ensureFakeMedia());
  browsers.push(b);
  return b;
}

async function withDiagnostics(name: string, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (error) {
    for (const b of browsers) await b.page.screenshot({ path: path.join(artifactsDir, `failure-session-${name}-${b.name}.png`) }).catch(() => undefined);
    const consoleLines = browsers.flatMap((b) => b.console).slice(-30).join('\n');
    throw new Error(`${(error as Error).message}\n--- browser console ---\n${consoleLines}\n--- analyzer ---\n${analyzer?.process.logs().slice(-6000)}`, { cause: error });
  }
}

/** The analyzer's SQLite file, read-only (WAL: readers never block its writer). */
function stored<T>(sql: string, ...params: unknown[]): T[] {
  const db = new Database(analyzer!.dbPath, { readonly: true, fileMustExist: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

test('a facilitator creates a session on the home page and gets a private dashboard link and an invite', { timeout: 30_000 }, () =>
  withDiagnostics('create', async () => {
    const f = await browser('facilitator');
    await f.page.goto(dashboard!.url);
    await f.page.getByLabel('Title').fill(TITLE);
    await f.page.getByLabel('What the estimates are for (shown to participants)').fill(PURPOSE);
    await f.page.getByLabel('Keep the estimates for').selectOption('7');
    await f.page.getByRole('button', { name: 'Create session' }).click();
    await f.page.getByTestId('session-created').waitFor({ timeout: 10_000 });
    facilitatorLink = await f.page.getByTestId('facilitator-link').inputValue();
    inviteLink = await f.page.getByTestId('invite-link').inputValue();
    const facilitatorUrl = new URL(facilitatorLink);
    const inviteUrl = new URL(inviteLink);
    sessionId = decodeURIComponent(facilitatorUrl.pathname.split('/')[2]!);
    facilitatorToken = tokenFromHash(facilitatorUrl.hash, 'key')!;
    participantToken = tokenFromHash(inviteUrl.hash, 'invite')!;
    assert.match(facilitatorUrl.pathname, /^\/session\/[A-Za-z0-9_-]+\/dashboard$/);
    assert.equal(inviteUrl.pathname, `/room/${sessionId}`);
    assert.equal(readSessionTokenPayload(facilitatorToken)?.role, 'facilitator');
    assert.deepEqual(
      { ...readSessionTokenPayload(participantToken), iat: 0 },
      { v: 1, sid: sessionId, role: 'participant', title: TITLE, purpose: PURPOSE, analysis: true, retentionDays: 7, iat: 0 },
    );
    await f.page.screenshot({ path: path.join(artifactsDir, 'session-created.png') });
  }),
);

test('consent, live dashboard and a participant without consent', { timeout: 90_000 }, () =>
  withDiagnostics('live', async () => {
    assert.ok(sessionId, 'needs the session of the first test');
    const f = browsers[0]!;
    await f.page.goto(facilitatorLink);
    await f.page.locator('[data-testid="live-dashboard"][data-state="live"]').waitFor({ timeout: 15_000 });

    const ada = await browser('ada');
    // The lobby says what is analysed, by whom, for how long and why, before anyone chooses.
    await ada.page.goto(inviteLink);
    const panel = ada.page.getByTestId('consent-panel');
    await panel.waitFor({ timeout: 15_000 });
    const consentText = await panel.innerText();
    for (const expected of [/Sprint retro/, /facial expressions/, /only the facilitator/i, /7 days/, /See how the retro felt/, /No video or\s+audio is stored/]) assert.match(consentText, expected);
    await ada.page.screenshot({ path: path.join(artifactsDir, 'session-consent.png') });
    await joinRoom(ada.page, dashboard!.url, sessionId, ADA, { analysisConsent: true, invite: participantToken });
    const joinedAt = Date.now();
    const adaId = (await waitForStatus(ada.page, 'joined')).selfPeerId!;

    const adaCard = f.page.locator(`[data-testid="participant-card"][data-participant-id="${adaId}"]`);
    await adaCard.waitFor({ timeout: 10_000 });
    assert.equal(await adaCard.getAttribute('data-display-name'), ADA);
    assert.equal(await adaCard.getAttribute('data-consent'), 'true');
    await f.page.waitForFunction(
      (id) => Number(document.querySelector(`[data-testid="participant-card"][data-participant-id="${id}"]`)?.getAttribute('data-points') ?? 0) >= 2,
      adaId,
      { timeout: 10_000, polling: 200 },
    );
    process.stderr.write(`[e2e] join → two timeline points on the facilitator's dashboard in ${Date.now() - joinedAt} ms\n`);
    await f.page.waitForFunction(() => Number(document.querySelector('[data-testid="room-mood"]')?.getAttribute('data-points') ?? 0) >= 1, undefined, { timeout: 10_000 });
    assert.equal(await adaCard.getAttribute('data-face'), 'true');
    assert.equal(await adaCard.getAttribute('data-dominant'), 'happy', 'the smiling astronaut reads as happy');
    const stats = await f.page.evaluate(() => (window as unknown as { __moodroomDashboard?: { stats(): { lastSampleLatencyMs: number | null } } }).__moodroomDashboard?.stats());
    process.stderr.write(`[e2e] dashboard sample latency (window end → applied): ${stats?.lastSampleLatencyMs ?? '?'} ms\n`);
    await f.page.screenshot({ path: path.join(artifactsDir, 'session-dashboard.png'), fullPage: true });

    // While Ada's video is decoded and analysed, the analyzer and its receiver process hold no
    // file open for writing but the database (onnxruntime's telemetry store among them: it is off).
    const pid = analyzer!.process.child.pid!;
    assert.ok(processTree(pid).length > 1, 'a receiver process decodes Ada\'s camera');
    const allowed = new Set([analyzer!.dbPath, `${analyzer!.dbPath}-wal`, `${analyzer!.dbPath}-shm`]);
    const written = writableFilesOf(pid).filter((f) => !allowed.has(f.path));
    assert.deepEqual(written, [], 'no video (or anything else) is written during analysis');

    const bob = await browser('bob');
    await joinRoom(bob.page, dashboard!.url, sessionId, BOB, { invite: participantToken }); // "Join without analysis"
    const bobId = (await waitForStatus(bob.page, 'joined')).selfPeerId!;
    const bobCard = f.page.locator(`[data-testid="participant-card"][data-participant-id="${bobId}"]`);
    await bobCard.waitFor({ timeout: 10_000 });
    assert.equal(await bobCard.getAttribute('data-consent'), 'false');
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal(await bobCard.getAttribute('data-points'), '0', 'no data for someone who declined');
    assert.equal(stored<{ n: number }>('SELECT COUNT(*) AS n FROM samples WHERE session_id = ? AND participant_id = ?', sessionId, bobId)[0]!.n, 0);
    await f.page.screenshot({ path: path.join(artifactsDir, 'session-dashboard-two-people.png'), fullPage: true });

    // Participants never get emotion data: their invite opens neither the dashboard nor its socket.
    const bobTries = await bob.page.evaluate(
      async ({ url, id, token }) => (await fetch(`${url}/api/sessions/${id}/report`, { headers: { authorization: `Bearer ${token}` } })).status,
      { url: analyzer!.url, id: sessionId, token: participantToken },
    );
    assert.equal(bobTries, 403);

    await ada.page.getByRole('button', { name: 'Leave' }).click();
    await bob.page.getByRole('button', { name: 'Leave' }).click();
    await waitForStatus(ada.page, 'left', 10_000);
    await waitForStatus(bob.page, 'left', 10_000);
  }),
);

test('the report renders from the stored samples; its CSV matches them; deleting erases the session', { timeout: 60_000 }, () =>
  withDiagnostics('report', async () => {
    assert.ok(sessionId, 'needs the session of the first test');
    const f = browsers[0]!;
    const reportLink = facilitatorLink.replace('/dashboard#', '/report#');
    await f.page.goto(reportLink);
    const report = f.page.locator('[data-testid="report"][data-state="ready"]');
    await report.waitFor({ timeout: 15_000 });
    const rows = stored<{ participant_id: string; t: number; dominant: string | null }>('SELECT participant_id, t, dominant FROM samples WHERE session_id = ? ORDER BY t, participant_id', sessionId);
    assert.ok(rows.length >= 2, `stored samples: ${rows.length}`);
    assert.equal(Number(await report.getAttribute('data-total-samples')), rows.length);
    const sections = f.page.locator('[data-testid="report-participant"]');
    assert.deepEqual(await sections.evaluateAll((els) => els.map((e) => e.getAttribute('data-analysed'))), ['true', 'false']);
    await f.page.screenshot({ path: path.join(artifactsDir, 'session-report.png'), fullPage: true });
    await f.page.emulateMedia({ media: 'print' });
    await f.page.screenshot({ path: path.join(artifactsDir, 'session-report-print.png'), fullPage: true });
    await f.page.emulateMedia({ media: 'screen' });

    const [download] = await Promise.all([f.page.waitForEvent('download'), f.page.getByRole('button', { name: 'Export CSV' }).click()]);
    assert.equal(download.suggestedFilename(), `moodroom-${sessionId}-samples.csv`);
    const csv = readFileSync((await download.path())!, 'utf8').trim().split('\n');
    assert.equal(csv[0], SAMPLE_CSV_COLUMNS.join(','));
    const body = csv.slice(1).map((line) => line.split(','));
    const col = (name: string) => SAMPLE_CSV_COLUMNS.indexOf(name as (typeof SAMPLE_CSV_COLUMNS)[number]);
    assert.deepEqual(
      body.map((cells) => [cells[col('participant_id')], Number(cells[col('t_ms')]), cells[col('dominant')] || null]),
      rows.map((r) => [r.participant_id, r.t, r.dominant]),
      'the CSV export is exactly the stored samples',
    );

    await f.page.getByRole('button', { name: 'Delete session data' }).click();
    await f.page.getByRole('button', { name: 'Delete everything' }).click();
    await f.page.locator('[data-testid="report"][data-state="deleted"]').waitFor({ timeout: 10_000 });
    assert.equal(stored<{ n: number }>('SELECT COUNT(*) AS n FROM samples WHERE session_id = ?', sessionId)[0]!.n, 0);
    assert.equal(stored<{ n: number }>('SELECT COUNT(*) AS n FROM participants WHERE session_id = ?', sessionId)[0]!.n, 0);
    assert.equal(stored<{ n: number }>('SELECT COUNT(*) AS n FROM sessions WHERE session_id = ?', sessionId)[0]!.n, 0);
  }),
);

test('unauthorised access is refused: no key, a bad key, a participant key, a participant socket', { timeout: 30_000 }, () =>
  withDiagnostics('auth', async () => {
    assert.ok(sessionId, 'needs the session of the first test');
    const f = browsers[0]!;
    for (const hash of ['', '#key=not-a-token', `#key=${encodeURIComponent(participantToken)}`]) {
      for (const page of ['dashboard', 'report']) {
        await f.page.goto(`${dashboard!.url}/session/${sessionId}/${page}${hash}`);
        const root = f.page.locator(`[data-testid="${page === 'dashboard' ? 'live-dashboard' : 'report'}"][data-state="error"]`);
        await root.waitFor({ timeout: 10_000 });
        assert.ok((await root.innerText()).length > 20, 'the error says what to do');
      }
    }
    for (const [token, status] of [[null, 401], ['garbage', 401], [participantToken, 403]] as const) {
      const res = await fetch(`${analyzer!.url}/api/sessions/${sessionId}`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
      assert.equal(res.status, status, `token ${token?.slice(0, 8) ?? 'none'}`);
    }
    const socket = io(`${analyzer!.url}${DASHBOARD_NAMESPACE}`, { transports: ['websocket'], reconnection: false, auth: { token: participantToken } });
    const refused = await new Promise<Error & { data?: { code?: string } }>((resolve, reject) => {
      socket.once('connect_error', resolve);
      socket.once('connect', () => reject(new Error('a participant token connected to /dashboard')));
    });
    socket.close();
    assert.equal(refused.data?.code, 'FORBIDDEN');
  }),
);

test('logs hold no names, titles, purposes, emotion values or tokens; the analyzer left no files behind', { timeout: 20_000 }, () =>
  withDiagnostics('privacy', async () => {
    assert.ok(sessionId, 'needs the sessions of the tests above');
    const logs = { sfu: sfu!.process.fullLogs(), analyzer: analyzer!.process.fullLogs() };
    // The logs are there (so this check can fail): the SFU saw Ada and Bob join, the analyzer analysed.
    assert.ok((logs.sfu.match(/peer joined/g) ?? []).length >= 2, 'SFU log has the joins');
    assert.match(logs.analyzer, new RegExp(`session ${sessionId} created`));
    for (const [service, text] of Object.entries(logs)) {
      for (const secret of [ADA, BOB, 'Quintrell', 'Vasquez', TITLE, PURPOSE, participantToken, facilitatorToken]) {
        assert.ok(!text.includes(secret), `the ${service} log contains "${secret.slice(0, 24)}"`);
      }
      assert.doesNotMatch(text, EMOTION_VALUE_IN_LOG, `the ${service} log contains an emotion value`);
    }
    // tsx keeps its transpile cache (our own sources, compiled) in TMPDIR/tsx-<uid>; nothing else may be there.
    assert.deepEqual(readdirSync(analyzerTmp!).filter((name) => !/^tsx-\d+$/.test(name)), [], 'nothing was written to the analyzer\'s TMPDIR');
  }),
);
