import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  artifactsDir,
  childPids,
  ensureFakeMedia,
  freePort,
  joinRoom,
  launchParticipant,
  startDashboard,
  startSfu,
  tileLocator,
  waitForInboundMedia,
  waitForRemoteVideo,
  waitForStatus,
  type CallSnapshot,
  type Participant,
  type RunningServer,
} from '../src/index.ts';

// Recovery without user action: a mediasoup worker crash (the SFU sends roomReset) and a full SFU
// restart (socket.io reconnects) both end with both participants back in the call, media flowing.

let sfu: RunningServer | undefined;
let dashboard: RunningServer | undefined;
let origin = '';
const participants: Participant[] = [];

before(async () => {
  mkdirSync(artifactsDir, { recursive: true });
  const dashboardPort = await freePort();
  origin = `http://127.0.0.1:${dashboardPort}`;
  sfu = await startSfu({ corsOrigins: [origin] });
  dashboard = await startDashboard({ sfuPublicUrl: sfu.url, port: dashboardPort });
});

after(async () => {
  await Promise.all(participants.map((p) => p.close()));
  if (sfu) writeFileSync(path.join(artifactsDir, 'reconnect-sfu.log'), sfu.process.logs());
  await Promise.all([dashboard?.stop(), sfu?.stop()]);
});

async function rejoined(page: Participant['page'], previous: CallSnapshot | null): Promise<CallSnapshot> {
  await page.waitForFunction(
    (before) => {
      const s = window.__moodroom?.state();
      return s?.status === 'joined' && s.selfPeerId !== before && Object.keys(s.peers).length === 1;
    },
    previous?.selfPeerId ?? null,
    { timeout: 30_000, polling: 100 },
  );
  const snap = await page.evaluate(() => {
    const s = window.__moodroom!.state()!;
    return { status: s.status, selfPeerId: s.selfPeerId, peers: Object.values(s.peers).map((p) => ({ peerId: p.peerId, displayName: p.displayName })), error: s.error };
  });
  return snap;
}

async function expectMediaBothWays(a: Participant, aSnap: CallSnapshot, b: Participant, bSnap: CallSnapshot): Promise<void> {
  await tileLocator(a.page, bSnap.selfPeerId!).waitFor({ timeout: 15_000 });
  await tileLocator(b.page, aSnap.selfPeerId!).waitFor({ timeout: 15_000 });
  await Promise.all([waitForRemoteVideo(a.page, bSnap.selfPeerId!), waitForRemoteVideo(b.page, aSnap.selfPeerId!)]);
  await Promise.all([waitForInboundMedia(a.page), waitForInboundMedia(b.page)]);
}

test('worker crash and SFU restart: both participants rejoin automatically', { timeout: 120_000 }, async () => {
  const media = await ensureFakeMedia();
  const roomId = `reconnect-${Date.now().toString(36)}`;
  const [dee, eve] = await Promise.all([launchParticipant('dee', media), launchParticipant('eve', media)]);
  participants.push(dee, eve);
  try {
    await joinRoom(dee.page, dashboard!.url, roomId, 'Dee');
    let deeSnap = await waitForStatus(dee.page, 'joined');
    await joinRoom(eve.page, dashboard!.url, roomId, 'Eve');
    let eveSnap = await waitForStatus(eve.page, 'joined');
    await expectMediaBothWays(dee, deeSnap, eve, eveSnap);

    // 1. The room's mediasoup worker dies (SFU_WORKERS=1: the only one). The SFU starts a new
    //    one and sends roomReset; the pages rejoin on their own.
    const workers = childPids(sfu!.process.child.pid!);
    assert.equal(workers.length, 1, `expected one mediasoup worker, found ${workers.join(',')}`);
    process.kill(workers[0]!, 'SIGKILL');
    const t0 = Date.now();
    [deeSnap, eveSnap] = await Promise.all([rejoined(dee.page, deeSnap), rejoined(eve.page, eveSnap)]);
    await expectMediaBothWays(dee, deeSnap, eve, eveSnap);
    process.stderr.write(`[e2e] worker crash → both rejoined with media in ${Date.now() - t0} ms\n`);

    // 2. The whole SFU goes away and comes back on the same address: socket.io reconnects, the
    //    pages show "reconnecting" meanwhile, then rejoin.
    const port = sfu!.port;
    await sfu!.stop();
    await Promise.all([waitForStatus(dee.page, 'reconnecting', 10_000), waitForStatus(eve.page, 'reconnecting', 10_000)]);
    await dee.page.screenshot({ path: path.join(artifactsDir, 'reconnecting-dee.png') });
    const t1 = Date.now();
    sfu = await startSfu({ corsOrigins: [origin], port });
    [deeSnap, eveSnap] = await Promise.all([rejoined(dee.page, deeSnap), rejoined(eve.page, eveSnap)]);
    await expectMediaBothWays(dee, deeSnap, eve, eveSnap);
    process.stderr.write(`[e2e] SFU restart → both rejoined with media in ${Date.now() - t1} ms\n`);
    const rejoins = await dee.page.evaluate(() => window.__moodroom!.state()!.rejoins);
    assert.equal(rejoins, 2);
  } catch (error) {
    for (const p of [dee, eve]) await p.page.screenshot({ path: path.join(artifactsDir, `failure-${p.name}.png`) }).catch(() => undefined);
    const consoleLines = [...dee.console, ...eve.console].slice(-30).join('\n');
    throw new Error(`${(error as Error).message}\n--- browser console ---\n${consoleLines}\n--- sfu ---\n${sfu?.process.logs()}`, { cause: error });
  }
});
