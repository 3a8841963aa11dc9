import { io as connect, type Socket } from 'socket.io-client';
import {
  ANALYZER_NAMESPACE,
  AnalyzerEvents,
  AnalyzerRequests,
  ClientEvents,
  ackSchema,
  type Ack,
  type AnalyzerEventName,
  type AnalyzerRequestName,
  type AnalyzerResponse,
  type ClientEventName,
  type ClientResponse,
} from '@moodroom/shared';
import { signSessionToken } from '@moodroom/shared/session-token';
import { configFromEnv, type SfuConfig } from '../src/config.ts';
import { createLogger } from '../src/logger.ts';
import { createSfu, type Sfu } from '../src/sfu.ts';

export interface TestSfu {
  sfu: Sfu;
  config: SfuConfig;
  url: string;
  clients: Socket[];
  close(): Promise<void>;
}

/** A real SFU (real mediasoup workers) on 127.0.0.1, port 0, with a small RTC port range. */
export async function startSfu(env: Record<string, string> = {}): Promise<TestSfu> {
  const base = 40000 + Math.floor(Math.random() * 200) * 100;
  const config = configFromEnv({
    SFU_HOST: '127.0.0.1',
    SFU_PORT: '0',
    SFU_WORKERS: '1',
    SFU_RTC_LISTEN_IP: '127.0.0.1',
    SFU_RTC_MIN_PORT: String(base),
    SFU_RTC_MAX_PORT: String(base + 99),
    SFU_EMPTY_ROOM_GRACE_MS: '0',
    SFU_LOG_LEVEL: process.env.SFU_TEST_LOG_LEVEL ?? 'silent',
    SESSION_SECRET: TEST_SESSION_SECRET,
    ...env,
  });
  const sfu = await createSfu(config, createLogger(config.logLevel));
  const port = await sfu.listen();
  const clients: Socket[] = [];
  return {
    sfu,
    config,
    url: `http://127.0.0.1:${port}`,
    clients,
    async close() {
      for (const c of clients) c.disconnect();
      await sfu.close();
    },
  };
}

export async function client(t: TestSfu, extraHeaders?: Record<string, string>): Promise<Socket> {
  const socket = connect(t.url, { transports: ['websocket'], forceNew: true, reconnection: false, ...(extraHeaders ? { extraHeaders } : {}) });
  t.clients.push(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (error) => reject(error));
  });
  return socket;
}

/** Sends a client event and returns its Ack, checked against the protocol's ack schema. */
export async function request<E extends ClientEventName>(socket: Socket, event: E, payload?: unknown): Promise<Ack<ClientResponse<E>>> {
  const raw: unknown = await (payload === undefined ? socket.timeout(5000).emitWithAck(event) : socket.timeout(5000).emitWithAck(event, payload));
  return ackSchema(ClientEvents[event].response).parse(raw) as Ack<ClientResponse<E>>;
}

/** Like request, but the call must succeed. */
export async function call<E extends ClientEventName>(socket: Socket, event: E, payload?: unknown): Promise<ClientResponse<E>> {
  const ack = await request(socket, event, payload);
  if (!ack.ok) throw new Error(`${event} failed: ${ack.error.code} ${ack.error.message}`);
  return ack.data;
}

/** Resolves with the next `event` payload on the socket (rejects after `ms`). */
export function nextEvent<T = unknown>(socket: Socket, event: string, ms = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off(event, on);
      reject(new Error(`timed out waiting for "${event}"`));
    }, ms);
    const on = (payload: T) => {
      clearTimeout(timer);
      resolve(payload);
    };
    socket.once(event, on);
  });
}

/** Collects every payload of `event` on the socket, for assertions after the fact. */
export function collect<T = unknown>(socket: Socket, event: string): T[] {
  const seen: T[] = [];
  socket.on(event, (p: T) => seen.push(p));
  return seen;
}

export async function waitFor(predicate: () => boolean | Promise<boolean>, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** mediasoup accepts any well-formed fingerprint; the DTLS handshake itself never happens here. */
export const dtlsParameters = {
  role: 'client',
  fingerprints: [{ algorithm: 'sha-256', value: Array.from({ length: 32 }, (_, i) => (i * 7 + 16).toString(16).toUpperCase().padStart(2, '0')).join(':') }],
};

/** A browser-like VP8 camera with three simulcast layers. */
export function vp8SimulcastParameters(ssrcBase: number) {
  return {
    mid: '0',
    codecs: [
      { mimeType: 'video/VP8', payloadType: 96, clockRate: 90000, rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'ccm', parameter: 'fir' }, { type: 'goog-remb' }] },
      { mimeType: 'video/rtx', payloadType: 97, clockRate: 90000, parameters: { apt: 96 } },
    ],
    headerExtensions: [
      { uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', id: 1 },
      { uri: 'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time', id: 2 },
    ],
    encodings: [
      { ssrc: ssrcBase, rtx: { ssrc: ssrcBase + 1 }, scaleResolutionDownBy: 4, maxBitrate: 150_000 },
      { ssrc: ssrcBase + 2, rtx: { ssrc: ssrcBase + 3 }, scaleResolutionDownBy: 2, maxBitrate: 500_000 },
      { ssrc: ssrcBase + 4, rtx: { ssrc: ssrcBase + 5 }, scaleResolutionDownBy: 1, maxBitrate: 1_500_000 },
    ],
    rtcp: { cname: 'test-cname', reducedSize: true },
  };
}

export function opusParameters(ssrc: number) {
  return {
    mid: '1',
    codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2, parameters: { useinbandfec: 1 }, rtcpFeedback: [] }],
    headerExtensions: [{ uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', id: 1 }],
    encodings: [{ ssrc }],
    rtcp: { cname: 'test-cname', reducedSize: true },
  };
}

/** What a browser (mediasoup-client) reports as its receive capabilities: opus, VP8, VP9. */
export const browserRtpCapabilities = {
  codecs: [
    { kind: 'audio', mimeType: 'audio/opus', preferredPayloadType: 100, clockRate: 48000, channels: 2, rtcpFeedback: [{ type: 'transport-cc' }] },
    { kind: 'video', mimeType: 'video/VP8', preferredPayloadType: 101, clockRate: 90000, rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'ccm', parameter: 'fir' }, { type: 'goog-remb' }] },
    { kind: 'video', mimeType: 'video/rtx', preferredPayloadType: 102, clockRate: 90000, parameters: { apt: 101 } },
  ],
  headerExtensions: [
    { kind: 'video', uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', preferredId: 1 },
    { kind: 'audio', uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', preferredId: 1 },
  ],
};

export const TEST_SESSION_SECRET = 'test-session-secret-0123456789';

/** A participant invite to the facilitated session `roomId`, as the analyzer issues them. */
export function inviteFor(roomId: string, options: { analysis?: boolean; role?: 'participant' | 'facilitator'; secret?: string } = {}): string {
  return signSessionToken(options.secret ?? TEST_SESSION_SECRET, {
    v: 1, sid: roomId, role: options.role ?? 'participant', title: `Session ${roomId}`, purpose: 'tests', analysis: options.analysis ?? true, retentionDays: 30, iat: Date.now(),
  });
}

/**
 * Joins `roomId` as a participant of a facilitated session with analysis on (an invite), or as a
 * plain-call peer with `invite: null`, and opens a connected transport in each direction.
 */
export async function joinWithTransports(socket: Socket, roomId: string, displayName: string, analysisConsent = false, invite: string | null = inviteFor(roomId)) {
  const joined = await call(socket, 'join', { roomId, displayName, analysisConsent, ...(invite ? { invite } : {}) });
  const send = await call(socket, 'createTransport', { direction: 'send' });
  await call(socket, 'connectTransport', { transportId: send.id, dtlsParameters });
  const recv = await call(socket, 'createTransport', { direction: 'recv' });
  await call(socket, 'connectTransport', { transportId: recv.id, dtlsParameters });
  return { joined, send, recv };
}

// ---- the analyzer link (/analyzer) -------------------------------------------------------------

export const TEST_ANALYZER_TOKEN = 'test-analyzer-token-0123456789abcdef';

/**
 * Connects to /analyzer like the analyzer service does. Resolves once connected with the socket
 * and every SFU → analyzer event seen so far and later (the snapshot arrives right at connect).
 */
const ROSTER_EVENTS = new Set(['rosterSnapshot', 'participantJoined', 'participantLeft', 'consentChanged']);

export async function analyzerClient(
  t: TestSfu,
  options: { token?: string | null; extraHeaders?: Record<string, string> } = {},
): Promise<{ socket: Socket; events: { event: string; payload: unknown }[]; roster: { event: string; payload: unknown }[] }> {
  const token = options.token === undefined ? TEST_ANALYZER_TOKEN : options.token;
  const socket = connect(`${t.url}${ANALYZER_NAMESPACE}`, {
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    ...(token === null ? {} : { auth: { token } }),
    ...(options.extraHeaders ? { extraHeaders: options.extraHeaders } : {}),
  });
  t.clients.push(socket);
  const events: { event: string; payload: unknown }[] = [];
  const roster: { event: string; payload: unknown }[] = [];
  socket.onAny((event: string, payload: unknown) => {
    const schema = AnalyzerEvents[event as AnalyzerEventName];
    // Every event the SFU sends must keep the protocol. Roster events go to their own list, so
    // camera tests read like the camera protocol.
    (ROSTER_EVENTS.has(event) ? roster : events).push({ event, payload: schema ? schema.parse(payload) : payload });
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (error) => reject(error));
  });
  return { socket, events, roster };
}

export async function analyzerRequest<E extends AnalyzerRequestName>(socket: Socket, event: E, payload?: unknown): Promise<Ack<AnalyzerResponse<E>>> {
  const raw: unknown = await socket.timeout(5000).emitWithAck(event, payload);
  return ackSchema(AnalyzerRequests[event].response).parse(raw) as Ack<AnalyzerResponse<E>>;
}

export async function analyzerCall<E extends AnalyzerRequestName>(socket: Socket, event: E, payload?: unknown): Promise<AnalyzerResponse<E>> {
  const ack = await analyzerRequest(socket, event, payload);
  if (!ack.ok) throw new Error(`${event} failed: ${ack.error.code} ${ack.error.message}`);
  return ack.data;
}

/** What the analyzer's receiver (node-webrtc via mediasoup-client) reports: VP8 and VP9, no audio. */
export const analyzerRtpCapabilities = {
  codecs: browserRtpCapabilities.codecs.filter((c) => c.kind === 'video'),
  headerExtensions: browserRtpCapabilities.headerExtensions.filter((h) => h.kind === 'video'),
};
