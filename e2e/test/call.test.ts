import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  artifactsDir,
  callSnapshot,
  ensureFakeMedia,
  inboundTotals,
  joinRoom,
  launchParticipant,
  localTracks,
  outboundVideo,
  startDashboard,
  startSfu,
  tileLocator,
  waitForInboundMedia,
  waitForRemoteVideo,
  waitForStatus,
  freePort,
  type Participant,
  type RunningServer,
} from '../src/index.ts';

// Two real headless Chromium processes join one room through the real join page, served by the
// production dashboard build, with media through the real SFU — all on loopback.

let sfu: RunningServer | undefined;
let dashboard: RunningServer | undefined;
const participants: Participant[] = [];
const startedAt = Date.now();

before(async () => {
  mkdirSync(artifactsDir, { recursive: true });
  const dashboardPort = await freePort();
  const origin = `http://127.0.0.1:${dashboardPort}`;
  sfu = await startSfu({ corsOrigins: [origin] });
  dashboard = await startDashboard({ sfuPublicUrl: sfu.url, port: dashboardPort });
  process.stderr.write(`[e2e] servers ready in ${((Date.now() - startedAt) / 1000).toFixed(1)} s\n`);
});

after(async () => {
  await Promise.all(participants.map((p) => p.close()));
  for (const [name, server] of [['sfu', sfu], ['dashboard', dashboard]] as const) {
    if (server) writeFileSync(path.join(artifactsDir, `${name}.log`), server.process.logs());
  }
  await Promise.all([dashboard?.stop(), sfu?.stop()]);
  process.stderr.write(`[e2e] call.test.ts total ${((Date.now() - startedAt) / 1000).toFixed(1)} s\n`);
});

test('two browsers see and hear each other; a leaver disappears from the grid', { timeout: 120_000 }, async () => {
  const media = await ensureFakeMedia();
  const roomId = `e2e-${Date.now().toString(36)}`;
  const [alice, bob] = await Promise.all([launchParticipant('alice', media), launchParticipant('bob', media)]);
  participants.push(alice, bob);
  try {
    const t0 = Date.now();
    await joinRoom(alice.page, dashboard!.url, roomId, 'Alice');
    const aliceJoined = await waitForStatus(alice.page, 'joined');
    await joinRoom(bob.page, dashboard!.url, roomId, 'Bob');
    const bobClickedJoin = Date.now();
    const bobJoined = await waitForStatus(bob.page, 'joined');
    // First frame: from Bob's "Join call" click to Alice's video decoded in Bob's grid.
    const bobFirstFrame = waitForRemoteVideo(bob.page, aliceJoined.selfPeerId!).then((size) => ({ ...size, ms: Date.now() - bobClickedJoin }));
    assert.ok(aliceJoined.selfPeerId && bobJoined.selfPeerId);
    assert.deepEqual(bobJoined.peers, [{ peerId: aliceJoined.selfPeerId, displayName: 'Alice' }]);

    // Each one's tile appears in the other's grid, with the right name, and plays decoded video.
    const aliceSeesBob = tileLocator(alice.page, bobJoined.selfPeerId);
    const bobSeesAlice = tileLocator(bob.page, aliceJoined.selfPeerId);
    await aliceSeesBob.waitFor({ timeout: 15_000 });
    await bobSeesAlice.waitFor({ timeout: 15_000 });
    assert.equal(await aliceSeesBob.getAttribute('data-display-name'), 'Bob');
    assert.equal(await bobSeesAlice.getAttribute('data-display-name'), 'Alice');
    const [bobVideoAtAlice, aliceVideoAtBob] = await Promise.all([waitForRemoteVideo(alice.page, bobJoined.selfPeerId), bobFirstFrame]);
    const [aliceIn, bobIn] = await Promise.all([waitForInboundMedia(alice.page), waitForInboundMedia(bob.page)]);
    const firstMediaMs = Date.now() - t0;
    assert.ok(bobVideoAtAlice.width > 0 && aliceVideoAtBob.width > 0);
    assert.ok(aliceIn.videoFramesDecoded > 0 && aliceIn.audioPacketsReceived > 0, JSON.stringify(aliceIn));
    assert.ok(bobIn.videoFramesDecoded > 0 && bobIn.audioPacketsReceived > 0, JSON.stringify(bobIn));
    await alice.page.screenshot({ path: path.join(artifactsDir, 'call-alice.png') });
    await bob.page.screenshot({ path: path.join(artifactsDir, 'call-bob.png') });
    // The camera goes out as VP8 simulcast, every configured layer encoding, the top one at the full
    // 640 px of the fake camera (Chromium runs 2 layers at 640x480: ½ and full; 3 from 960x540).
    const layers = await waitForLayers(alice.page);
    assert.deepEqual(layers.map((l) => l.rid), ['r0', 'r1'], JSON.stringify(layers));
    for (const layer of layers) {
      assert.equal(layer.mimeType?.toLowerCase(), 'video/vp8', JSON.stringify(layers));
      assert.ok(layer.framesEncoded > 0, `layer ${layer.rid} sends nothing: ${JSON.stringify(layers)}`);
    }
    assert.deepEqual(layers.map((l) => l.frameWidth), [320, 640], JSON.stringify(layers));
    process.stderr.write(
      `[e2e] first remote frame ${aliceVideoAtBob.ms} ms after Bob's Join click; alice sends ${layers.map((l) => `${l.rid} ${l.frameWidth ?? '?'}px ${l.framesEncoded} frames`).join(', ')}\n` +
      `[e2e] joins → media both ways in ${firstMediaMs} ms; alice sees bob ${bobVideoAtAlice.width}x${bobVideoAtAlice.height}, ` +
        `bob sees alice ${aliceVideoAtBob.width}x${aliceVideoAtBob.height}; inbound alice ${JSON.stringify(aliceIn)} bob ${JSON.stringify(bobIn)}\n`,
    );

    // Alice turns her camera off and mutes: Bob's tile of her shows her initials and "muted".
    const tToggle = Date.now();
    await alice.page.getByRole('button', { name: 'Turn camera off' }).click();
    await alice.page.getByRole('button', { name: 'Mute microphone' }).click();
    await bobSeesAlice.locator('video').waitFor({ state: 'detached', timeout: 10_000 });
    // Off means off: Alice's camera capture is stopped, not just muted.
    await alice.page.waitForFunction(() => window.__moodroom?.localTracks().find((t) => t.kind === 'video')?.readyState === 'ended', undefined, { timeout: 5_000, polling: 100 });
    await bobSeesAlice.getByLabel('microphone muted').waitFor({ timeout: 10_000 });
    assert.equal(await bobSeesAlice.getByLabel('Alice: camera off').innerText(), 'A');
    await bob.page.screenshot({ path: path.join(artifactsDir, 'call-bob-alice-camera-off.png') });
    const offMs = Date.now() - tToggle;
    // …and back on: her video plays again at Bob's.
    await alice.page.getByRole('button', { name: 'Turn camera on' }).click();
    await alice.page.getByRole('button', { name: 'Unmute microphone' }).click();
    await waitForRemoteVideo(bob.page, aliceJoined.selfPeerId);
    await bobSeesAlice.getByLabel('microphone muted').waitFor({ state: 'detached', timeout: 10_000 });
    // Her self-view plays the new capture too.
    await alice.page.waitForFunction(() => ((document.querySelector('[data-testid="self-tile"] video') as HTMLVideoElement | null)?.videoWidth ?? 0) > 0, undefined, { timeout: 5_000, polling: 100 });
    await alice.page.screenshot({ path: path.join(artifactsDir, 'call-alice-camera-back-on.png') });
    // A fresh capture went into the same producer: Bob's consumer of it never changed.
    const aliceTracks = await localTracks(alice.page);
    assert.deepEqual(aliceTracks.filter((t) => t.kind === 'video').map((t) => t.readyState), ['live'], JSON.stringify(aliceTracks));
    const framesBefore = (await inboundTotals(bob.page)).videoFramesDecoded;
    await bob.page.waitForFunction(async (n) => {
      const stats = ((await window.__moodroom?.stats()) ?? []) as { type: string; kind?: string; framesDecoded?: number }[];
      return stats.filter((s) => s.type === 'inbound-rtp' && s.kind === 'video').reduce((sum, s) => sum + (s.framesDecoded ?? 0), 0) > n;
    }, framesBefore, { timeout: 10_000, polling: 250 });
    process.stderr.write(`[e2e] camera off + mute seen by the other in ${offMs} ms; back on in ${Date.now() - tToggle - offMs} ms\n`);

    // Bob leaves with the Leave button: his tile goes from Alice's grid, Alice stays in the call.
    await bob.page.getByRole('button', { name: 'Leave' }).click();
    await waitForStatus(bob.page, 'left', 10_000);
    await aliceSeesBob.waitFor({ state: 'detached', timeout: 10_000 });
    const aliceAfter = await callSnapshot(alice.page);
    assert.equal(aliceAfter?.status, 'joined');
    assert.deepEqual(aliceAfter?.peers, []);
    await alice.page.screenshot({ path: path.join(artifactsDir, 'call-alice-after-bob-left.png') });
  } catch (error) {
    for (const p of [alice, bob]) await p.page.screenshot({ path: path.join(artifactsDir, `failure-${p.name}.png`) }).catch(() => undefined);
    const consoleLines = [...alice.console, ...bob.console].slice(-30).join('\n');
    throw new Error(`${(error as Error).message}\n--- browser console ---\n${consoleLines}\n--- sfu ---\n${sfu?.process.logs()}`, { cause: error });
  }
});

/** Waits until every simulcast layer the page configured has encoded frames (or the time is up). */
async function waitForLayers(page: Participant['page'], timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  let layers = await outboundVideo(page);
  while (Date.now() < deadline && !(layers.length > 0 && layers.every((l) => l.framesEncoded > 0))) {
    await new Promise((r) => setTimeout(r, 250));
    layers = await outboundVideo(page);
  }
  return layers;
}
