import { chromium, type Browser, type Page } from 'playwright-core';
import { existsSync } from 'node:fs';
import { chromiumPath } from './paths.ts';
import type { FakeMedia } from './fake-media.ts';

/**
 * Flags for headless Debian Chromium in tests: fake camera/microphone from files, no prompts, no
 * background traffic, and loopback ICE candidates (the tests run in a network namespace that has
 * only `lo`; see /e2e/README.md).
 */
export function chromiumArgs(media: FakeMedia): string[] {
  return [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--use-fake-ui-for-media-stream',
    '--use-fake-device-for-media-stream',
    `--use-file-for-fake-video-capture=${media.video}`,
    `--use-file-for-fake-audio-capture=${media.audio}`,
    '--allow-loopback-in-peer-connection',
    '--disable-features=WebRtcHideLocalIpsWithMdns',
    '--autoplay-policy=no-user-gesture-required',
  ];
}

export interface Participant {
  name: string;
  browser: Browser;
  page: Page;
  /** Browser console lines (errors and warnings), for failure messages. */
  console: string[];
  close(): Promise<void>;
}

/**
 * One participant = one Chromium process (the fake camera file applies to the whole process, so
 * participants with different faces need their own).
 */
export async function launchParticipant(name: string, media: FakeMedia, options: { extraArgs?: string[] } = {}): Promise<Participant> {
  if (!existsSync(chromiumPath)) {
    throw new Error(`Chromium not found at ${chromiumPath}: install it with \`apt-get install -y --no-install-recommends chromium\` (or set E2E_CHROMIUM)`);
  }
  const browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: [...chromiumArgs(media), ...(options.extraArgs ?? [])] });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const lines: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error' || msg.type() === 'warning') lines.push(`[${name}] ${msg.type()}: ${msg.text()}`);
  });
  page.on('pageerror', (error) => lines.push(`[${name}] pageerror: ${error.message}`));
  return {
    name,
    browser,
    page,
    console: lines,
    async close() {
      await browser.close().catch(() => undefined);
    },
  };
}
