import type { Server as HttpServer } from 'node:http';
import { Server, type Socket } from 'socket.io';
import { ClientEvents, fail } from '@moodroom/shared';
import type { Logger } from '../logger.ts';
import type { RoomRegistry } from '../room-registry.ts';
import { ConnectionLimiter, type ConnectionLimits } from './connection-limits.ts';
import { serveRequests, type Gate } from './dispatcher.ts';
import { createHandlers, leaveRoom } from './handlers.ts';
import type { Session } from './session.ts';

export interface SignallingOptions {
  corsOrigins: string[];
  maxMessageBytes: number;
  /** Per-connection message rate and join attempts. */
  limits: ConnectionLimits;
  registry: RoomRegistry;
  log: Logger;
  /** Verifies invite links (facilitated sessions); undefined: plain calls only. */
  sessionSecret?: string | undefined;
}

/** Browsers send an Origin header; only listed origins may connect. Non-browser clients send none. */
export function originAllowed(origin: string | undefined, allowed: readonly string[]): boolean {
  return origin === undefined || allowed.includes(origin);
}

/**
 * socket.io signalling on the given HTTP server. Each connection gets a Session; each client
 * event is validated and answered through the dispatcher, in the order the client sent them.
 */
export function attachSignalling(httpServer: HttpServer, options: SignallingOptions): Server {
  const { registry, log } = options;
  const io = new Server(httpServer, {
    serveClient: false,
    maxHttpBufferSize: options.maxMessageBytes,
    cors: { origin: options.corsOrigins, methods: ['GET', 'POST'] },
    // CORS only covers HTTP long-polling; this also holds WebSocket upgrades to the origin list.
    allowRequest: (req, callback) => {
      const allowed = originAllowed(req.headers.origin, options.corsOrigins);
      if (!allowed) log.warn({ origin: req.headers.origin }, 'signalling connection from a foreign origin refused');
      callback(null, allowed);
    },
  });
  const handlers = createHandlers(registry, options.sessionSecret);

  io.on('connection', (socket: Socket) => {
    const session: Session = { socketId: socket.id, emit: (event, payload) => socket.emit(event, payload) };
    const socketLog = log.child({ socketId: socket.id });
    const limiter = new ConnectionLimiter(options.limits, Date.now());
    const gate: Gate = (event) => {
      const verdict = limiter.check(event, Date.now());
      if (verdict.admit) return undefined;
      if (verdict.disconnect && socket.connected) {
        socketLog.warn({ event: event.slice(0, 64) }, 'connection kept flooding after LIMIT answers: disconnected');
        // After this message's ack has been written, so the client learns why.
        setImmediate(() => socket.disconnect(true));
      }
      return fail('LIMIT', verdict.message);
    };
    const queue = serveRequests(socket, ClientEvents, handlers, session, socketLog, gate);

    socket.on('disconnect', (reason) => {
      void queue.push(async () => {
        if (session.joined) socketLog.info({ reason, peerId: session.joined.peer.id }, 'disconnected');
        leaveRoom(registry, session);
      });
    });
  });
  return io;
}

