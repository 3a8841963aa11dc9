import type { Server, Socket } from 'socket.io';
import {
  ANALYZER_NAMESPACE,
  ANALYZER_TOKEN_ENV,
  AnalyzerRequests,
  analyzerAuthSchema,
  type AnalyzerEventName,
  type AnalyzerEventPayload,
  type ErrorCode,
} from '@moodroom/shared';
import type { AnalysisFeed } from '../analysis-feed.ts';
import type { SfuConfig } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { RoomRegistry } from '../room-registry.ts';
import { serveRequests, type SpecHandlers } from '../signalling/dispatcher.ts';
import { AnalyzerSession } from './analyzer-session.ts';
import { tokenMatches } from './token.ts';

export interface AnalyzerLinkOptions {
  config: SfuConfig['analyzer'];
  registry: RoomRegistry;
  feed: AnalysisFeed;
  log: Logger;
}

export interface AnalyzerLink {
  /** Connected, authenticated analyzer sessions (normally one). */
  readonly sessions: ReadonlySet<AnalyzerSession>;
}

/** The refusal a client sees in `connect_error`: message plus `data.code`. */
function refusal(code: ErrorCode, message: string): Error & { data: { code: ErrorCode } } {
  return Object.assign(new Error(message), { data: { code } });
}

const handlers: SpecHandlers<typeof AnalyzerRequests, AnalyzerSession> = {
  getRouterRtpCapabilities: async (s, r) => s.getRouterRtpCapabilities(r),
  createConsumerTransport: (s, r) => s.createConsumerTransport(r),
  connectConsumerTransport: async (s, r) => (await s.connectConsumerTransport(r), {}),
  consume: (s, r) => s.consume(r),
  resumeConsumer: async (s, r) => (await s.resumeConsumer(r), {}),
  requestKeyFrame: async (s, r) => (await s.requestKeyFrame(r), {}),
  setPreferredLayers: async (s, r) => (await s.setPreferredLayers(r), {}),
  closeConsumer: async (s, r) => s.closeConsumer(r),
  closeTransport: async (s, r) => s.closeTransport(r),
};

/**
 * The `/analyzer` namespace (protocol: packages/shared/src/analyzer-link.ts). Only a client with
 * the service token gets in; it receives the analysable cameras (snapshot, then changes from the
 * analysis feed) and may consume exactly those. When a camera stops being analysable, every
 * analyzer consumer of it is closed in the same tick as the participant's change.
 */
export function attachAnalyzerLink(io: Server, options: AnalyzerLinkOptions): AnalyzerLink {
  const { config, registry, feed, log } = options;
  const nsp = io.of(ANALYZER_NAMESPACE);
  const sessions = new Set<AnalyzerSession>();
  if (!config.token) log.warn(`analyzer link disabled: ${ANALYZER_TOKEN_ENV} is not set, so every analyzer connection is refused`);

  nsp.use((socket, next) => {
    const address = socket.handshake.address;
    // The analyzer is a server process; a browser (which always sends Origin) has no business here.
    if (socket.handshake.headers.origin !== undefined) {
      log.warn({ address, origin: socket.handshake.headers.origin }, 'analyzer connection refused: it came from a browser');
      return next(refusal('FORBIDDEN', 'the analyzer link is for the analyzer service, not browsers'));
    }
    if (!config.token) {
      log.warn({ address }, `analyzer connection refused: ${ANALYZER_TOKEN_ENV} is not set on the SFU`);
      return next(refusal('UNAVAILABLE', `the SFU has no ${ANALYZER_TOKEN_ENV}; set the same token for the SFU and the analyzer`));
    }
    const auth = analyzerAuthSchema.safeParse(socket.handshake.auth);
    if (!auth.success || !tokenMatches(config.token, auth.data.token)) {
      log.warn({ address, tokenPresent: auth.success }, 'analyzer connection refused: missing or wrong token');
      return next(refusal('FORBIDDEN', `analyzer token missing or wrong; use the SFU's ${ANALYZER_TOKEN_ENV}`));
    }
    next();
  });

  const broadcast = <E extends AnalyzerEventName>(event: E, payload: AnalyzerEventPayload<E>) => nsp.emit(event, payload);
  feed.on('participantJoined', (participant) => broadcast('participantJoined', participant));
  feed.on('participantLeft', (participant) => broadcast('participantLeft', participant));
  feed.on('consentChanged', (change) => broadcast('consentChanged', change));
  feed.on('cameraAvailable', (camera) => broadcast('cameraAvailable', camera));
  feed.on('cameraUnavailable', (camera) => {
    broadcast('cameraUnavailable', camera);
    for (const session of sessions) session.dropCamera(camera.producerId, camera.reason);
  });

  nsp.on('connection', (socket: Socket) => {
    const socketLog = log.child({ analyzerId: socket.id });
    const emit = <E extends AnalyzerEventName>(event: E, payload: AnalyzerEventPayload<E>) => void socket.emit(event, payload);
    const session = new AnalyzerSession(socket.id, registry, config, emit, socketLog);
    sessions.add(session);
    // Synchronous with registering the session: no feed event can fall between snapshot and stream.
    emit('rosterSnapshot', { participants: registry.roster() });
    emit('cameraSnapshot', { cameras: registry.analysableCameras() });
    socketLog.info({ cameras: registry.analysableCameras().length }, 'analyzer connected');
    serveRequests(socket, AnalyzerRequests, handlers, session, socketLog);
    socket.on('disconnect', (reason) => {
      // At once, not after queued requests: those see the closed session and undo their own work.
      sessions.delete(session);
      socketLog.info({ reason, transports: session.transportCount, consumers: session.consumerCount }, 'analyzer disconnected; freeing its transports');
      session.close();
    });
  });

  return { sessions };
}
