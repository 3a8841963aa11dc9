import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { artifactsDir, ensureFakeMedia, freePort, joinRoom, launchParticipant, startDashboard, waitForStatus, type Participant, type RunningServer } from '../src/index.ts';

// The dashboard points at an SFU address where nothing listens: joining must end in a clear,
// actionable error state (not an endless spinner).

let dashboard: RunningServer | undefined;
let participant: Participant | undefined;
let deadSfuUrl = '';

before(async () => {
  mkdirSync(artifactsDir, { recursive: true });
  deadSfuUrl = `http://127.0.0.1:${await freePort()}`;
  dashboard = await startDashboard({ sfuPublicUrl: deadSfuUrl });
});

after(async () => {
  await participant?.close();
  await dashboard?.stop();
});

test('an unreachable SFU shows an error that says what to do', { timeout: 60_000 }, async () => {
  participant = await launchParticipant('carol', await ensureFakeMedia());
  const { page } = participant;
  await joinRoom(page, dashboard!.url, 'nobody-home', 'Carol');
  const snapshot = await waitForStatus(page, 'error', 20_000);
  assert.equal(snapshot.error?.kind, 'sfu-unreachable');
  const alert = page.getByTestId('call-error');
  await alert.waitFor();
  const text = await alert.innerText();
  assert.match(text, /Can't reach the media server/);
  assert.ok(text.includes(deadSfuUrl), text);
  assert.match(text, /SFU_PUBLIC_URL/);
  await page.getByRole('button', { name: 'Try again' }).waitFor();
  await page.screenshot({ path: path.join(artifactsDir, 'sfu-unreachable.png') });
});
