import type { Server as HttpServer } from 'node:http';
import { Server, type Socket } from 'socket.io';
import { ClientEvents, fail } from '@moodroom/shared';
import { addressKey } from '@moodroom/shared/address-key';
import type { Logger } from '../logger.ts';
import type { RoomRegistry } from '../room-registry.ts';
import { AddressLimiter, ConnectionLimiter, type ConnectionLimits } from './connection-limits.ts';
import { serveRequests, type Gate } from './dispatcher.ts';
import { createHandlers, leaveRoom } from './handlers.ts';
import type { Session } from './session.ts';

export interface SignallingOptions {
  corsOrigins: string[];
  maxMessageBytes: number;
  /** Per-connection message rate and join attempts; per-address connections and joins. */
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
  const addresses = options.limits.perAddress ? new AddressLimiter(options.limits.perAddress) : undefined;
  // What the middleware admitted each socket under: its address key and the slot to give back.
  const slots = new WeakMap<Socket, { address: string; release: () => void }>();

  // The participants' namespace only: the analyzer link (/analyzer) has its own token and limits.
  if (addresses) {
    io.use((socket, next) => {
      const address = addressKey(socket.handshake.address);
      const slot = addresses.connect(address);
      if (!slot.admit) {
        log.warn({ address }, 'participant connection refused: too many from one address');
        next(Object.assign(new Error(slot.message), { data: { code: 'LIMIT' } }));
        return;
      }
      slots.set(socket, { address, release: slot.release });
      // A socket refused by a later middleware never connects, so never disconnects: release here too.
      socket.conn.once('close', slot.release);
      next();
    });
  }

  io.on('connection', (socket: Socket) => {
    const session: Session = { socketId: socket.id, emit: (event, payload) => socket.emit(event, payload) };
    const socketLog = log.child({ socketId: socket.id });
    const slot = slots.get(socket);
    const limiter = new ConnectionLimiter(options.limits, Date.now(), addresses && slot && { limiter: addresses, key: slot.address });
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
      slot?.release();
      void queue.push(async () => {
        if (session.joined) socketLog.info({ reason, peerId: session.joined.peer.id }, 'disconnected');
        leaveRoom(registry, session);
      });
    });
  });
  return io;
}

