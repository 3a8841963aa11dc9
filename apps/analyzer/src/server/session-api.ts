import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  KeyedTokenBuckets,
  perMinute,
  buildSessionReport,
  createSessionRequestSchema,
  samplesToCsv,
  sessionIdSchema,
  type CreateSessionResponse,
  type SessionDetails,
} from '@moodroom/shared';
import { addressKey } from '@moodroom/shared/address-key';
import { newSessionId, signSessionToken } from '@moodroom/shared/session-token';
import { facilitatorAccess } from '../sessions/session-access.ts';
import { rosterOf, sessionInfo } from '../sessions/session-views.ts';
import type { AnalyticsRepository } from '../storage/repository.ts';

export interface SessionApiOptions {
  repo: AnalyticsRepository;
  secret: string | undefined;
  /** Browser origins allowed to call the API (the dashboard's). */
  allowedOrigins: readonly string[];
  /** The analyzer-wide retention, for sessions without their own. */
  defaultRetentionDays: number;
  /** Window stride, so the report can tell analysis gaps from the normal spacing of samples. */
  strideMs: number;
  /** Samples still waiting in the write batch: flushed before a report or export reads the database. */
  flush: () => Promise<void>;
  /** Stops live analysis of a session whose data is being deleted. */
  onDeleted?: (sessionId: string) => void;
  /** Sessions one client address may create a minute. */
  maxSessionsPerMinute: number;
  /** Requests of any kind one client address may send a minute; 0 = no limit. */
  maxRequestsPerMinute: number;
  now?: () => number;
  onLog?: (message: string) => void;
}

const MAX_BODY_BYTES = 16 * 1024;

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/**
 * The session API (routes in packages/shared/src/sessions.ts): create a session, and — for its
 * facilitator only — read the roster, the report and the samples, or erase everything. Returns
 * false for paths it does not serve.
 */
export function createSessionApi(options: SessionApiOptions) {
  const now = options.now ?? Date.now;
  // Per address: creating a session writes to the database and mints two tokens.
  const creations = new KeyedTokenBuckets(perMinute(options.maxSessionsPerMinute));
  // Every request verifies a token and may read a whole session from SQLite: a budget per address
  // keeps one client from starving the others (and from guessing tokens at network speed).
  const requests = options.maxRequestsPerMinute > 0 ? new KeyedTokenBuckets(perMinute(options.maxRequestsPerMinute)) : undefined;
  const routes: { method: string; pattern: RegExp; handle: (req: IncomingMessage, res: ServerResponse, sessionId: string) => Promise<void> }[] = [
    { method: 'POST', pattern: /^\/api\/sessions$/, handle: (req, res) => create(req, res) },
    { method: 'GET', pattern: /^\/api\/sessions\/([^/]+)$/, handle: (req, res, id) => details(req, res, id) },
    { method: 'GET', pattern: /^\/api\/sessions\/([^/]+)\/report$/, handle: (req, res, id) => report(req, res, id) },
    { method: 'GET', pattern: /^\/api\/sessions\/([^/]+)\/samples\.csv$/, handle: (req, res, id) => samples(req, res, id, 'csv') },
    { method: 'GET', pattern: /^\/api\/sessions\/([^/]+)\/samples\.json$/, handle: (req, res, id) => samples(req, res, id, 'json') },
    { method: 'DELETE', pattern: /^\/api\/sessions\/([^/]+)$/, handle: (req, res, id) => erase(req, res, id) },
  ];

  return function handle(req: IncomingMessage, res: ServerResponse): boolean {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (!path.startsWith('/api/')) return false;
    const origin = req.headers.origin;
    if (origin !== undefined) {
      if (!options.allowedOrigins.includes(origin)) {
        send(res, 403, { error: { code: 'FORBIDDEN', message: `origin ${origin} may not call this API: add it to ANALYZER_DASHBOARD_ORIGIN` } });
        return true;
      }
      res.setHeader('access-control-allow-origin', origin);
      res.setHeader('vary', 'origin');
    }
    const address = addressKey(req.socket.remoteAddress);
    if (requests && !requests.take(address, now())) {
      const wait = Math.ceil(requests.retryAfterMs(address, now()) / 1000);
      send(res, 429, { error: { code: 'LIMIT', message: `too many requests from this address (more than ${options.maxRequestsPerMinute} a minute): retry in ${wait} s` } }, { 'retry-after': String(wait) });
      return true;
    }
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { 'access-control-allow-methods': 'GET, POST, DELETE', 'access-control-allow-headers': 'authorization, content-type', 'access-control-max-age': '600' });
      res.end();
      return true;
    }
    const matches = routes.filter((r) => r.pattern.test(path));
    const route = matches.find((r) => r.method === req.method);
    if (!route) {
      send(res, matches.length ? 405 : 404, { error: { code: matches.length ? 'METHOD_NOT_ALLOWED' : 'NOT_FOUND', message: matches.length ? `use ${matches.map((m) => m.method).join(' or ')}` : `no route ${path}` } });
      return true;
    }
    const rawId = path.match(route.pattern)?.[1];
    let sessionId = '';
    if (rawId !== undefined) {
      const parsed = sessionIdSchema.safeParse(safeDecode(rawId));
      if (!parsed.success) {
        send(res, 400, { error: { code: 'BAD_REQUEST', message: 'session id: 1-64 letters, digits, "_" or "-"' } });
        return true;
      }
      sessionId = parsed.data;
    }
    route.handle(req, res, sessionId).catch((error: unknown) => {
      if (error instanceof HttpError) return send(res, error.status, { error: { code: error.code, message: error.message } }, error.headers);
      options.onLog?.(`session API ${req.method} ${path} failed: ${error instanceof Error ? error.message : error}`);
      send(res, 500, { error: { code: 'INTERNAL', message: 'the analyzer failed to answer; its log says why' } });
    });
    return true;
  };

  async function create(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!options.secret) throw new HttpError(503, 'UNAVAILABLE', 'the analyzer has no SESSION_SECRET, so it cannot create sessions: set it (npm start does)');
    const body = await readJson(req);
    const parsed = createSessionRequestSchema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new HttpError(400, 'BAD_REQUEST', `invalid session: ${issue ? `${issue.path.join('.') || '(body)'}: ${issue.message}` : 'bad body'}`);
    }
    // After validation: only requests that would create a session count, so a typo costs nothing.
    const address = addressKey(req.socket.remoteAddress);
    if (!creations.take(address, now())) {
      const wait = Math.ceil(creations.retryAfterMs(address, now()) / 1000);
      throw new HttpError(429, 'LIMIT', `too many sessions created from this address (more than ${options.maxSessionsPerMinute} a minute): retry in ${wait} s`, { 'retry-after': String(wait) });
    }
    const { title, purpose, analysisEnabled, retentionDays } = parsed.data;
    const sessionId = newSessionId();
    const t = now();
    await options.repo.upsertSession({ sessionId, roomId: sessionId, startedAt: t, endedAt: null, title, purpose, analysisEnabled, retentionDays });
    const token = (role: 'facilitator' | 'participant') =>
      signSessionToken(options.secret!, { v: 1, sid: sessionId, role, title, purpose, analysis: analysisEnabled, retentionDays, iat: t });
    const record = await options.repo.getSession(sessionId);
    const response: CreateSessionResponse = { session: sessionInfo(record!, options.defaultRetentionDays), facilitatorToken: token('facilitator'), participantToken: token('participant') };
    options.onLog?.(`session ${sessionId} created (analysis ${analysisEnabled ? 'on' : 'off'}, kept ${retentionDays} days)`);
    send(res, 201, response);
  }

  async function details(req: IncomingMessage, res: ServerResponse, sessionId: string): Promise<void> {
    const record = await authorised(req, sessionId);
    const response: SessionDetails = {
      session: sessionInfo(record, options.defaultRetentionDays),
      participants: rosterOf(await options.repo.listParticipants(sessionId), await options.repo.listConsentEvents(sessionId)),
    };
    send(res, 200, response);
  }

  async function report(req: IncomingMessage, res: ServerResponse, sessionId: string): Promise<void> {
    const record = await authorised(req, sessionId);
    await options.flush();
    const consentEvents = await options.repo.listConsentEvents(sessionId);
    const built = buildSessionReport({
      session: sessionInfo(record, options.defaultRetentionDays),
      participants: rosterOf(await options.repo.listParticipants(sessionId), consentEvents),
      consentEvents,
      samples: await options.repo.listSamples(sessionId, { limit: 2_000_000 }),
      now: now(),
      strideMs: options.strideMs,
    });
    send(res, 200, built);
  }

  async function samples(req: IncomingMessage, res: ServerResponse, sessionId: string, format: 'csv' | 'json'): Promise<void> {
    await authorised(req, sessionId);
    await options.flush();
    const rows = await options.repo.listSamples(sessionId, { limit: 2_000_000 });
    const disposition = `attachment; filename="moodroom-${sessionId}-samples.${format}"`;
    if (format === 'json') {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-disposition': disposition, 'cache-control': 'no-store' });
      res.end(JSON.stringify(rows));
      return;
    }
    res.writeHead(200, { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': disposition, 'cache-control': 'no-store' });
    res.end(samplesToCsv(rows));
  }

  async function erase(req: IncomingMessage, res: ServerResponse, sessionId: string): Promise<void> {
    await authorised(req, sessionId);
    options.onDeleted?.(sessionId);
    await options.flush();
    await options.repo.deleteSession(sessionId);
    options.onLog?.(`session ${sessionId}: all data deleted by its facilitator`);
    send(res, 200, { deleted: true });
  }

  async function authorised(req: IncomingMessage, sessionId: string) {
    const header = req.headers.authorization ?? '';
    const token = header.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
    const access = facilitatorAccess(options.secret, token, sessionId);
    if (!access.ok) throw new HttpError(access.status, access.code, access.message);
    const record = await options.repo.getSession(sessionId);
    if (!record) throw new HttpError(404, 'NOT_FOUND', 'this session has no data: it was deleted, or its retention period has passed');
    return record;
  }
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) return void res.end();
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers });
  res.end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  if (!(req.headers['content-type'] ?? '').includes('application/json')) throw new HttpError(415, 'BAD_REQUEST', 'send JSON (content-type: application/json)');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, 'LIMIT', `body larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpError(400, 'BAD_REQUEST', 'body is not valid JSON');
  }
}
