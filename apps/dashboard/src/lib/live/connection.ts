import { io, type Socket } from 'socket.io-client';
import { AnalyticsClientEvents, AnalyticsEvents, ackSchema, DASHBOARD_NAMESPACE, type AnalyticsEventName } from '@moodroom/shared';
import { connectErrorStatus, type ConnectionStatus } from './connection-errors.ts';
import type { LiveEvent } from './events.ts';
import type { SubscribeSnapshot } from './store.ts';

/**
 * The dashboard's socket to the analyzer's /dashboard namespace: authenticates with the
 * facilitator token, subscribes on every (re)connect, validates everything it receives against
 * the shared schemas and hands over only valid data.
 *
 * Events that arrive while a subscribe is in flight are held and replayed after the snapshot, so
 * the snapshot cannot wipe them (the store drops the overlap by sample time).
 */

export interface LiveConnectionOptions {
  analyzerUrl: string;
  token: string;
  sessionId: string;
  subscribeTimeoutMs?: number;
}

export interface LiveConnectionHandlers {
  onStatus(status: ConnectionStatus): void;
  onSnapshot(snapshot: SubscribeSnapshot): void;
  onEvent(event: LiveEvent): void;
}

const subscribeAckSchema = ackSchema(AnalyticsClientEvents.subscribe.response);
const EVENT_NAMES = Object.keys(AnalyticsEvents) as AnalyticsEventName[];

export function connectLive(options: LiveConnectionOptions, handlers: LiveConnectionHandlers): () => void {
  let closed = false;
  let subscribing = false;
  let held: LiveEvent[] = [];
  let everLive = false;
  const socket: Socket = io(`${options.analyzerUrl}${DASHBOARD_NAMESPACE}`, {
    auth: { token: options.token },
    transports: ['websocket'],
    reconnectionDelay: 500,
    reconnectionDelayMax: 5000,
  });

  const subscribe = () => {
    subscribing = true;
    held = [];
    socket.timeout(options.subscribeTimeoutMs ?? 10_000).emit('subscribe', { sessionId: options.sessionId }, (err: Error | null, response: unknown) => {
      if (closed) return;
      subscribing = false;
      if (err) {
        // No answer: the analyzer is busy or the link dropped; a reconnect subscribes again.
        handlers.onStatus({ state: 'connecting', message: 'The analyzer did not answer; retrying…' });
        socket.disconnect().connect();
        return;
      }
      const parsed = subscribeAckSchema.safeParse(response);
      if (!parsed.success) {
        console.warn('[moodroom] invalid "subscribe" answer from the analyzer', parsed.error.issues);
        handlers.onStatus({ state: 'error', code: 'SUBSCRIBE_FAILED', message: 'The analyzer sent an answer this dashboard does not understand (version mismatch?).' });
        return;
      }
      if (!parsed.data.ok) {
        const { code, message } = parsed.data.error;
        if (code === 'UNAVAILABLE') {
          handlers.onStatus({ state: 'connecting', message: `${message}; retrying…` });
          setTimeout(() => !closed && socket.connected && subscribe(), 2000);
          return;
        }
        handlers.onStatus({ state: 'error', code: code === 'FORBIDDEN' ? 'FORBIDDEN' : code === 'NOT_FOUND' ? 'NOT_FOUND' : 'SUBSCRIBE_FAILED', message });
        socket.disconnect();
        return;
      }
      handlers.onSnapshot(parsed.data.data);
      everLive = true;
      handlers.onStatus({ state: 'live' });
      const replay = held;
      held = [];
      for (const e of replay) handlers.onEvent(e);
    });
  };

  handlers.onStatus({ state: 'connecting', message: null });
  socket.on('connect', () => !closed && subscribe());
  socket.on('connect_error', (error: Error & { data?: unknown }) => {
    if (closed) return;
    const status = connectErrorStatus(error, socket.active, options.analyzerUrl);
    handlers.onStatus(status);
    if (status.state === 'error') socket.disconnect();
  });
  socket.on('disconnect', (reason) => {
    if (closed) return;
    handlers.onStatus({ state: 'connecting', message: everLive ? 'Connection to the analyzer lost; reconnecting…' : null });
    // socket.io does not retry a server-side disconnect by itself.
    if (reason === 'io server disconnect') socket.connect();
  });
  for (const name of EVENT_NAMES) {
    const schema = AnalyticsEvents[name];
    socket.on(name, (payload: unknown) => {
      if (closed) return;
      const parsed = schema.safeParse(payload);
      if (!parsed.success) {
        console.warn(`[moodroom] dropped invalid "${name}" from the analyzer`, parsed.error.issues);
        return;
      }
      const event = { name, payload: parsed.data } as LiveEvent;
      if (subscribing) held.push(event);
      else handlers.onEvent(event);
    });
  }

  return () => {
    closed = true;
    socket.removeAllListeners();
    socket.disconnect();
  };
}
