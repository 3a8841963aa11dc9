import type { Server as HttpServer } from 'node:http';
import { Server, type Namespace, type Socket } from 'socket.io';
import {
  AnalyticsClientEvents,
  AnalyticsEvents,
  badRequest,
  DASHBOARD_NAMESPACE,
  fail,
  ok,
  splitArgs,
  TokenBucket,
  type RateLimit,
  type Ack,
  type AckCallback,
  type AnalyticsClientEventName,
  type AnalyticsClientResponse,
  type AnalyticsEventName,
  type AnalyticsEventPayload,
} from '@moodroom/shared';

/** socket.io middleware for the dashboard namespace (extra checks, e.g. rate limits). */
export type DashboardMiddleware = (socket: Socket, next: (err?: Error) => void) => void;

/** The facilitator's session for a connection's token, or why it is refused (the message says what to do). */
export type DashboardAccess = (token: unknown) => { ok: true; sessionId: string } | { ok: false; code: string; message: string };

export type SubscribeSnapshot = (sessionId: string, historyMs: number) => Promise<Omit<AnalyticsClientResponse<'subscribe'>, 'sessionId'> | null>;

export interface DashboardServerOptions {
  /**
   * Decides who may connect: the holder of a session's facilitator token, for that session only.
   * Every connection is refused without it (participants never receive emotion data).
   */
  access?: DashboardAccess;
  /** What a new subscriber catches up with: the session, its roster, recent samples. */
  snapshot?: SubscribeSnapshot;
  /** Runs on every dashboard connection after access was granted. */
  middleware?: DashboardMiddleware[];
  /** CORS origins allowed for browser dashboards. */
  corsOrigin?: string | string[];
  /** Requests one connection may send (token bucket); beyond it they are answered LIMIT. */
  rateLimit?: RateLimit;
  onLog?: (message: string) => void;
}

/** Larger dashboard messages drop the sender's connection (as on the SFU). */
export const MAX_DASHBOARD_MESSAGE_BYTES = 64 * 1024;

export const sessionRoom = (sessionId: string) => `session:${sessionId}`;

/**
 * The "/dashboard" namespace: dashboards subscribe to a session and receive its events. Every
 * outgoing payload is validated with the shared schema first — a bad payload is a bug here, is
 * logged and NOT sent — and every incoming request is validated and answered with an ack.
 */
export class DashboardPublisher {
  readonly io: Server;
  readonly nsp: Namespace;
  rejected = 0;

  constructor(http: HttpServer, private readonly options: DashboardServerOptions = {}) {
    // Dashboard requests are a few hundred bytes; socket.io's default (1 MB) only helps a flood.
    this.io = new Server(http, { cors: options.corsOrigin ? { origin: options.corsOrigin } : undefined, serveClient: false, maxHttpBufferSize: MAX_DASHBOARD_MESSAGE_BYTES });
    // Nothing is served on the default namespace.
    this.io.of('/').use((_socket, next) => next(new Error(`connect to the ${DASHBOARD_NAMESPACE} namespace`)));
    this.nsp = this.io.of(DASHBOARD_NAMESPACE);
    this.nsp.use((socket, next) => {
      const access = options.access?.(socket.handshake.auth?.['token']) ?? { ok: false as const, code: 'UNAVAILABLE', message: 'this analyzer has no session access configured (SESSION_SECRET): no dashboard can connect' };
      if (!access.ok) {
        options.onLog?.(`dashboard connection refused (${access.code}) from ${socket.handshake.address}`);
        return next(Object.assign(new Error(access.message), { data: { code: access.code } }));
      }
      socket.data.sessionId = access.sessionId;
      next();
    });
    for (const m of options.middleware ?? []) this.nsp.use(m);
    this.nsp.on('connection', (socket) => {
      this.guard(socket);
      this.handle(socket, 'subscribe', async ({ sessionId, historyMs }) => {
        // A facilitator link opens its own session, no other.
        if (sessionId !== socket.data.sessionId) return fail('FORBIDDEN', 'this facilitator link belongs to another session');
        const snapshot = options.snapshot ? await options.snapshot(sessionId, historyMs ?? 5 * 60_000) : null;
        if (!snapshot) return fail('NOT_FOUND', 'this session has no data: it was deleted, or its retention period has passed');
        await socket.join(sessionRoom(sessionId));
        return ok({ sessionId, ...snapshot });
      });
      this.handle(socket, 'unsubscribe', async ({ sessionId }) => {
        await socket.leave(sessionRoom(sessionId));
        return ok({});
      });
    });
  }

  /** Validates and emits one event to the session's subscribers; false when the payload was invalid. */
  publish<E extends AnalyticsEventName>(event: E, payload: AnalyticsEventPayload<E>): boolean {
    const parsed = AnalyticsEvents[event].safeParse(payload);
    if (!parsed.success) {
      this.rejected++;
      this.options.onLog?.(`not publishing invalid "${event}": ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
      return false;
    }
    this.nsp.to(sessionRoom(parsed.data.sessionId)).emit(event, parsed.data);
    return true;
  }

  async close(): Promise<void> {
    this.nsp.disconnectSockets(true);
    // io.close() would also close the HTTP server, which the app owns; only detach engine clients.
    this.io.engine.close();
  }

  /**
   * Before any handler: the connection's rate limit, and an answer for events nobody handles (a
   * client waiting on an ack must not wait forever).
   */
  private guard(socket: Socket): void {
    const bucket = this.options.rateLimit ? new TokenBucket(this.options.rateLimit, Date.now()) : undefined;
    socket.use(([event, ...args], next) => {
      const { ack } = splitArgs(args);
      if (bucket && !bucket.take(Date.now())) {
        return ack?.(fail('LIMIT', `too many requests (more than ${bucket.limit.perSecond}/s): slow down and retry in ${bucket.retryAfterMs(Date.now())} ms`));
      }
      if (!Object.hasOwn(AnalyticsClientEvents, String(event))) return ack?.(fail('BAD_REQUEST', `unknown event "${String(event).slice(0, 64)}"`));
      next();
    });
  }

  private handle<E extends AnalyticsClientEventName>(
    socket: Socket,
    event: E,
    handler: (request: (typeof AnalyticsClientEvents)[E]['request']['_output']) => Promise<Ack<unknown>>,
  ): void {
    const listener = async (...args: unknown[]) => {
      // `emit('subscribe', ack)` sends no payload: the ack is then the only argument.
      const { payload, ack } = splitArgs(args);
      const reply: AckCallback<unknown> = ack ?? (() => {});
      const parsed = AnalyticsClientEvents[event].request.safeParse(payload);
      if (!parsed.success) return reply(badRequest(event, parsed.error));
      try {
        reply(await handler(parsed.data));
      } catch (error) {
        this.options.onLog?.(`dashboard "${event}" failed: ${error instanceof Error ? error.message : error}`);
        reply(fail('INTERNAL', `"${event}" failed on the analyzer; its log says why`));
      }
    };
    socket.on(event as string, listener as (...args: unknown[]) => void);
  }
}
