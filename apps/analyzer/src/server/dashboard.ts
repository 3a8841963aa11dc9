import type { Server as HttpServer } from 'node:http';
import { Server, type Namespace, type Socket } from 'socket.io';
import {
  AnalyticsClientEvents,
  AnalyticsEvents,
  badRequest,
  DASHBOARD_NAMESPACE,
  ok,
  type AckCallback,
  type AnalyticsClientEventName,
  type AnalyticsEventName,
  type AnalyticsEventPayload,
} from '@moodroom/shared';

/** socket.io middleware for the dashboard namespace: the seam where auth/roles plug in later. */
export type DashboardMiddleware = (socket: Socket, next: (err?: Error) => void) => void;

export interface DashboardServerOptions {
  /** Runs on every dashboard connection before it is accepted (authentication, roles). */
  middleware?: DashboardMiddleware[];
  /** CORS origins allowed for browser dashboards. */
  corsOrigin?: string | string[];
  onLog?: (message: string) => void;
}

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
    this.io = new Server(http, { cors: options.corsOrigin ? { origin: options.corsOrigin } : undefined, serveClient: false });
    // Nothing is served on the default namespace.
    this.io.of('/').use((_socket, next) => next(new Error(`connect to the ${DASHBOARD_NAMESPACE} namespace`)));
    this.nsp = this.io.of(DASHBOARD_NAMESPACE);
    for (const m of options.middleware ?? []) this.nsp.use(m);
    this.nsp.on('connection', (socket) => {
      this.handle(socket, 'subscribe', async ({ sessionId }) => {
        await socket.join(sessionRoom(sessionId));
        return { sessionId };
      });
      this.handle(socket, 'unsubscribe', async ({ sessionId }) => {
        await socket.leave(sessionRoom(sessionId));
        return {};
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

  private handle<E extends AnalyticsClientEventName>(
    socket: Socket,
    event: E,
    handler: (request: (typeof AnalyticsClientEvents)[E]['request']['_output']) => Promise<unknown>,
  ): void {
    const listener = async (payload: unknown, ack: unknown) => {
      const reply: AckCallback<unknown> = typeof ack === 'function' ? (ack as AckCallback<unknown>) : () => {};
      const parsed = AnalyticsClientEvents[event].request.safeParse(payload);
      if (!parsed.success) return reply(badRequest(event, parsed.error));
      reply(ok(await handler(parsed.data)));
    };
    socket.on(event as string, listener as (...args: unknown[]) => void);
  }
}
