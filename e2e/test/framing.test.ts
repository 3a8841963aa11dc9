import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { artifactsDir, ensureFakeMedia, freePort, joinRoom, launchParticipant, startDashboard, startSfu, type Participant, type RunningServer } from '../src/index.ts';

// The join page's camera check (@mediapipe/tasks-vision FaceLandmarker in the browser, with the
// models' own face_landmarker.task): real headless Chromium, one process per fake camera.

let sfu: RunningServer | undefined;
let dashboard: RunningServer | undefined;
const participants: Participant[] = [];

before(async () => {
  mkdirSync(artifactsDir, { recursive: true });
  const dashboardPort = await freePort();
  sfu = await startSfu({ corsOrigins: [`http://127.0.0.1:${dashboardPort}`] });
  dashboard = await startDashboard({ sfuPublicUrl: sfu.url, port: dashboardPort });
});

after(async () => {
  await Promise.all(participants.map((p) => p.close()));
  if (dashboard) writeFileSync(path.join(artifactsDir, 'framing-dashboard.log'), dashboard.process.logs());
  await Promise.all([dashboard?.stop(), sfu?.stop()]);
});

interface Fetched {
  url: string;
  status: number;
  contentType: string | undefined;
  cacheControl: string | undefined;
}

/** Every request the page makes, and the camera check's asset responses. */
function watchNetwork(page: Page): { hosts: Set<string>; assets: Fetched[] } {
  const hosts = new Set<string>();
  const assets: Fetched[] = [];
  page.on('request', (r) => {
    const url = new URL(r.url());
    if (url.protocol === 'http:' || url.protocol === 'https:' || url.protocol === 'ws:' || url.protocol === 'wss:') hosts.add(url.host);
  });
  page.on('response', (r) => {
    if (!r.url().includes('/vision-assets/')) return;
    const h = r.headers();
    assets.push({ url: r.url(), status: r.status(), contentType: h['content-type'], cacheControl: h['cache-control'] });
  });
  return { hosts, assets };
}

async function guide(page: Page, expected: string) {
  const locator = page.getByTestId('framing-guide');
  // The first check comes after the WASM runtime and the model have loaded (about a second here).
  await page.waitForFunction(
    (status) => document.querySelector('[data-testid="framing-guide"]')?.getAttribute('data-status') === status,
    expected,
    { timeout: 30_000, polling: 100 },
  ).catch(async (error: unknown) => {
    throw new Error(`framing guide never said ${expected}: it says ${await locator.getAttribute('data-status')} "${await locator.textContent()}" (${String(error)})`);
  });
  return {
    hint: (await page.getByTestId('framing-hint').textContent()) ?? '',
    loadMs: Number(await locator.getAttribute('data-load-ms')),
    delegate: await locator.getAttribute('data-delegate'),
  };
}

/** Median detection time over a few checks (the first ones include warm-up). */
async function steadyDetectMs(page: Page): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < 6; i++) {
    await new Promise((r) => setTimeout(r, 250));
    samples.push(Number(await page.getByTestId('framing-guide').getAttribute('data-detect-ms')));
  }
  return samples.sort((a, b) => a - b)[samples.length >> 1]!;
}

test('the join page guide: the astronaut is ok, a face-free camera has no face, a dark one is too dark; assets come from the dashboard itself', { timeout: 150_000 }, async () => {
  const [faceMedia, noFaceMedia, darkMedia] = await Promise.all([
    ensureFakeMedia(),
    ensureFakeMedia({ pattern: { lavfi: 'gradients=s=640x480:r=15:speed=0.02:seed=7', name: 'gradients' } }),
    ensureFakeMedia({ brightness: 0.12 }),
  ]);
  const [face, noFace, dark] = await Promise.all([
    launchParticipant('face', faceMedia),
    launchParticipant('no-face', noFaceMedia),
    launchParticipant('dark', darkMedia),
  ]);
  participants.push(face, noFace, dark);
  const networks = [face, noFace, dark].map((p) => watchNetwork(p.page));
  const roomId = `framing-${Date.now().toString(36)}`;
  await Promise.all([face, noFace, dark].map((p) => p.page.goto(`${dashboard!.url}/room/${roomId}`)));

  const ok = await guide(face.page, 'ok');
  assert.match(ok.hint, /picture looks good/i);
  // The box is drawn over the preview, around the face.
  assert.equal(await face.page.locator('.framing-box').count(), 1);
  await face.page.screenshot({ path: path.join(artifactsDir, 'framing-ok.png') });

  const none = await guide(noFace.page, 'no-face');
  assert.match(none.hint, /can't see your face/);
  assert.equal(await noFace.page.locator('.framing-box').count(), 0);
  const tooDark = await guide(dark.page, 'too-dark');
  assert.match(tooDark.hint, /dark/);
  // Joining never waits for the check: the button is enabled whatever the guide says.
  assert.equal(await dark.page.getByRole('button', { name: 'Join call' }).isEnabled(), true);

  const dashboardHost = new URL(dashboard!.url).host;
  for (const [i, { hosts, assets }] of networks.entries()) {
    assert.deepEqual([...hosts], [dashboardHost], `page ${i} contacted only the dashboard`);
    const byName = (suffix: string) => assets.find((a) => a.url.endsWith(suffix));
    const model = byName('/face_landmarker.task');
    const wasm = byName('/vision_wasm_internal.wasm');
    const loader = byName('/vision_wasm_internal.js');
    assert.ok(model && wasm && loader, `page ${i} fetched the bundle and the wasm: ${assets.map((a) => a.url).join(', ')}`);
    assert.equal(model.status, 200);
    assert.equal(model.contentType, 'application/octet-stream');
    assert.equal(wasm.contentType, 'application/wasm');
    assert.match(loader.contentType ?? '', /^text\/javascript/);
    for (const a of [model, wasm, loader]) assert.equal(a.cacheControl, 'public, max-age=31536000, immutable');
  }
  const [okMs, noneMs, darkMs] = await Promise.all([face, noFace, dark].map((p) => steadyDetectMs(p.page)));
  process.stderr.write(
    `[e2e] camera check: runtime + model load ${ok.loadMs} ms (${ok.delegate} delegate); detection median ${okMs} ms a frame (face), ${noneMs} ms (no face), ${darkMs} ms (dark)\n`,
  );
  await Promise.all([noFace.close(), dark.close()]);
});

test('degrades gracefully: without WebGL it runs on the CPU; without WebAssembly it says so and joining still works', { timeout: 90_000 }, async () => {
  const media = await ensureFakeMedia();
  const [noGl, noWasm] = await Promise.all([
    launchParticipant('no-webgl', media, { extraArgs: ['--disable-3d-apis'] }),
    launchParticipant('no-wasm', media),
  ]);
  participants.push(noGl, noWasm);
  // A browser without WebAssembly (policy-disabled, or very old).
  await noWasm.page.addInitScript(() => Reflect.deleteProperty(globalThis, 'WebAssembly'));
  const room = `framing-degraded-${Date.now().toString(36)}`;
  await Promise.all([noGl, noWasm].map((p) => p.page.goto(`${dashboard!.url}/room/${room}`)));

  assert.equal(await noGl.page.evaluate(() => document.createElement('canvas').getContext('webgl2') ?? document.createElement('canvas').getContext('webgl')), null);
  const cpu = await guide(noGl.page, 'ok');
  assert.equal(cpu.delegate, 'CPU');

  assert.equal(await noWasm.page.evaluate(() => typeof WebAssembly), 'undefined');
  const { hint } = await guide(noWasm.page, 'unavailable');
  assert.equal(hint, 'Camera check unavailable in this browser');
  await noWasm.page.getByLabel('Shown to the others in the call').fill('No Wasm');
  await noWasm.page.getByRole('button', { name: 'Join call' }).click();
  await noWasm.page.waitForFunction(() => window.__moodroom?.state()?.status === 'joined', undefined, { timeout: 20_000, polling: 100 });
  await Promise.all([noGl.close(), noWasm.close()]);
});

test('in the call, the self-view badge shows the same check', { timeout: 60_000 }, async () => {
  const face = participants[0]!;
  const roomId = `framing-call-${Date.now().toString(36)}`;
  await joinRoom(face.page, dashboard!.url, roomId, 'Astronaut');
  const badge = face.page.getByTestId('self-tile').getByTestId('framing-badge');
  await face.page.waitForFunction(() => document.querySelector('[data-testid="framing-badge"]')?.getAttribute('data-status') === 'ok', undefined, {
    timeout: 30_000,
    polling: 100,
  });
  assert.equal(await badge.textContent(), 'Picture OK');
  assert.match((await badge.getAttribute('title')) ?? '', /looks good/);
});
