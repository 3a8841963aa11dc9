import type { Page } from 'playwright-core';

/** Page-level helpers for the dashboard's join page (apps/dashboard/src/components/Room.tsx). */

export interface CallSnapshot {
  status: string;
  selfPeerId: string | null;
  peers: { peerId: string; displayName: string }[];
  error: { kind: string; message: string } | null;
}

export interface InboundTotals {
  videoFramesDecoded: number;
  audioPacketsReceived: number;
}

/**
 * Opens /room/<roomId> (with the session invite in the fragment when given), waits for the camera
 * preview, enters the name, optionally screenshots the lobby, and joins: "Allow analysis and join"
 * or "Join without analysis" when the session offers analysis, else "Join call".
 */
export async function joinRoom(
  page: Page,
  dashboardUrl: string,
  roomId: string,
  displayName: string,
  options: { analysisConsent?: boolean; invite?: string; lobbyScreenshot?: string } = {},
): Promise<void> {
  await page.goto(`${dashboardUrl}/room/${encodeURIComponent(roomId)}${options.invite ? `#invite=${encodeURIComponent(options.invite)}` : ''}`);
  await page.getByLabel('Shown to the others in the call').fill(displayName);
  // Enabled once the camera and microphone are ready (and React has hydrated).
  await page.waitForFunction(() => !(document.querySelector('button[type=submit]') as HTMLButtonElement | null)?.disabled, undefined, { timeout: 15_000 });
  const offered = await page.getByTestId('consent-panel').isVisible();
  if (options.analysisConsent && !offered) throw new Error('asked to consent, but the page offers no emotion analysis (no invite, or analysis off)');
  if (options.lobbyScreenshot) await page.screenshot({ path: options.lobbyScreenshot });
  const button = offered ? (options.analysisConsent ? 'Allow analysis and join' : 'Join without analysis') : 'Join call';
  await page.getByRole('button', { name: button }).click();
}

export async function callSnapshot(page: Page): Promise<CallSnapshot | null> {
  return page.evaluate(() => {
    const state = window.__moodroom?.state();
    if (!state) return null;
    return {
      status: state.status,
      selfPeerId: state.selfPeerId,
      peers: Object.values(state.peers).map((p) => ({ peerId: p.peerId, displayName: p.displayName })),
      error: state.error,
    };
  });
}

export async function waitForStatus(page: Page, status: string, timeoutMs = 20_000): Promise<CallSnapshot> {
  await page.waitForFunction((s) => window.__moodroom?.state()?.status === s, status, { timeout: timeoutMs, polling: 100 });
  return (await callSnapshot(page))!;
}

/** Sums the inbound-rtp stats of the page's receive transport. */
export async function inboundTotals(page: Page): Promise<InboundTotals> {
  return page.evaluate(async () => {
    const stats = ((await window.__moodroom?.stats()) ?? []) as { type: string; kind?: string; framesDecoded?: number; packetsReceived?: number }[];
    let videoFramesDecoded = 0;
    let audioPacketsReceived = 0;
    for (const s of stats) {
      if (s.type !== 'inbound-rtp') continue;
      if (s.kind === 'video') videoFramesDecoded += s.framesDecoded ?? 0;
      if (s.kind === 'audio') audioPacketsReceived += s.packetsReceived ?? 0;
    }
    return { videoFramesDecoded, audioPacketsReceived };
  });
}

/** Waits until the tile of `peerId` shows decoded video (a real frame size on its <video>). */
export async function waitForRemoteVideo(page: Page, peerId: string, timeoutMs = 20_000): Promise<{ width: number; height: number }> {
  const selector = `[data-testid="participant-tile"][data-peer-id="${peerId}"] video`;
  await page.waitForFunction((sel) => ((document.querySelector(sel) as HTMLVideoElement | null)?.videoWidth ?? 0) > 0, selector, { timeout: timeoutMs, polling: 100 });
  return page.evaluate((sel) => {
    const v = document.querySelector(sel) as HTMLVideoElement;
    return { width: v.videoWidth, height: v.videoHeight };
  }, selector);
}

/** Polls inbound stats until video frames are decoded and audio packets arrive. */
export async function waitForInboundMedia(page: Page, timeoutMs = 20_000): Promise<InboundTotals> {
  const deadline = Date.now() + timeoutMs;
  let last: InboundTotals = { videoFramesDecoded: 0, audioPacketsReceived: 0 };
  while (Date.now() < deadline) {
    last = await inboundTotals(page);
    if (last.videoFramesDecoded > 0 && last.audioPacketsReceived > 0) return last;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`no inbound media after ${timeoutMs} ms: ${JSON.stringify(last)}`);
}

export interface OutboundVideoLayer {
  rid: string | null;
  mimeType: string | null;
  framesEncoded: number;
  frameWidth: number | null;
}

/** The page's outbound-rtp video streams (one per simulcast layer), with their codec. */
export async function outboundVideo(page: Page): Promise<OutboundVideoLayer[]> {
  return page.evaluate(async () => {
    const stats = ((await window.__moodroom?.stats()) ?? []) as { type: string; id: string; kind?: string; rid?: string; codecId?: string; mimeType?: string; framesEncoded?: number; frameWidth?: number }[];
    const codecs = new Map(stats.filter((s) => s.type === 'codec').map((s) => [s.id, s.mimeType ?? null]));
    return stats
      .filter((s) => s.type === 'outbound-rtp' && s.kind === 'video')
      .map((s) => ({ rid: s.rid ?? null, mimeType: (s.codecId && codecs.get(s.codecId)) || null, framesEncoded: s.framesEncoded ?? 0, frameWidth: s.frameWidth ?? null }))
      .sort((a, b) => String(a.rid).localeCompare(String(b.rid)));
  });
}

/** The page's local camera/microphone tracks (kind, readyState, enabled). */
export async function localTracks(page: Page): Promise<{ kind: string; readyState: string; enabled: boolean }[]> {
  return page.evaluate(() => window.__moodroom?.localTracks() ?? []);
}

export function tileLocator(page: Page, peerId: string) {
  return page.locator(`[data-testid="participant-tile"][data-peer-id="${peerId}"]`);
}
