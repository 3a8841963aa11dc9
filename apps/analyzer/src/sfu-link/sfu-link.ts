import { BehaviorSubject, Observable, Subject } from 'rxjs';
import { io, type Socket } from 'socket.io-client';
import type { z } from 'zod';
import {
  ANALYZER_NAMESPACE,
  AnalyzerEvents,
  type AnalysableCamera,
  type AnalyzerEventName,
  type AnalyzerEventPayload,
  type AnalyzerRequest,
  type AnalyzerRequestName,
  type AnalyzerResponse,
  type ErrorCode,
  type PreferredLayers,
  type RosterParticipant,
  type TransportOptions,
  type dtlsParametersSchema,
  type rtpCapabilitiesSchema,
} from '@moodroom/shared';
import { applyChange, applySnapshot, dropAll, type CameraChange, type CameraSet } from './camera-set.ts';
import { sfuRequest } from './request.ts';

export type RtpCapabilities = z.infer<typeof rtpCapabilitiesSchema>;
export type DtlsParameters = z.infer<typeof dtlsParametersSchema>;

export interface SfuLinkOptions {
  /** The SFU's base URL, e.g. http://127.0.0.1:4000 (the link adds the /analyzer namespace). */
  url: string;
  /** ANALYZER_SERVICE_TOKEN: the same value the SFU has. */
  token: string;
  /** Per request (default 10 s). */
  requestTimeoutMs?: number;
  /** First reconnection delay; doubles up to 5 s (default 500 ms). */
  reconnectDelayMs?: number;
  /** After a refusal (wrong token, link disabled on the SFU), how long before trying again (default 5 s). */
  refusedRetryMs?: number;
  /** The link's own log lines (connections, refusals, protocol violations); ids only. */
  onLog?: (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;
}

export type RosterEvent =
  | { type: 'snapshot'; participants: RosterParticipant[] }
  | { type: 'joined'; participant: RosterParticipant }
  | { type: 'consent'; roomId: string; peerId: string; analysisConsent: boolean }
  | { type: 'left'; roomId: string; peerId: string };

export type SfuLinkState =
  | { status: 'connecting' }
  | { status: 'connected' }
  | { status: 'disconnected'; reason: string }
  /** The SFU refused us (FORBIDDEN: wrong token; UNAVAILABLE: no token configured on the SFU). Retried. */
  | { status: 'refused'; code: ErrorCode | 'UNKNOWN'; message: string }
  | { status: 'closed' };

export interface SfuLink {
  /**
   * Analysable cameras as add/remove changes. Each subscriber first gets an `add` for every camera
   * known now, then live changes. On a lost connection every camera is removed
   * ('sfu-disconnected': the SFU has closed our consumers); the snapshot after reconnecting adds
   * them back. Completes on close().
   */
  readonly cameras$: Observable<CameraChange>;
  readonly state$: Observable<SfuLinkState>;
  /**
   * Session participants (names and consent) as the SFU reports them: a snapshot on every
   * (re)connection, then joins, consent changes and leaves. Hot: subscribe before connecting matters little,
   * since every reconnection starts with a snapshot.
   */
  readonly roster$: Observable<RosterEvent>;
  /** The SFU closed one of our consumers (camera no longer analysable, room reset). */
  readonly consumerClosed$: Observable<AnalyzerEventPayload<'consumerClosed'>>;
  /** The SFU closed one of our transports (its room's router went away). */
  readonly transportClosed$: Observable<AnalyzerEventPayload<'transportClosed'>>;
  /** The analysable cameras now. */
  cameras(): AnalysableCamera[];
  /** Resolves once a snapshot has been applied on the current connection; rejects after timeoutMs (default 10 s). */
  synced(timeoutMs?: number): Promise<void>;
  /** Any request by name; rejects with SfuRequestError (code from the SFU's ack, or UNAVAILABLE locally). */
  request<E extends AnalyzerRequestName>(event: E, payload: AnalyzerRequest<E>): Promise<AnalyzerResponse<E>>;
  getRouterRtpCapabilities(roomId: string): Promise<RtpCapabilities>;
  createConsumerTransport(roomId: string): Promise<TransportOptions>;
  connectConsumerTransport(transportId: string, dtlsParameters: DtlsParameters): Promise<void>;
  /** A paused consumer; preferredLayers default to the SFU's ~320-px guess. */
  consume(request: { transportId: string; producerId: string; rtpCapabilities: RtpCapabilities; preferredLayers?: PreferredLayers }): Promise<AnalyzerResponse<'consume'>>;
  /** Resumes and has the SFU request a key frame. */
  resumeConsumer(consumerId: string): Promise<void>;
  requestKeyFrame(consumerId: string): Promise<void>;
  setPreferredLayers(consumerId: string, layers: PreferredLayers): Promise<void>;
  /** false when it was already closed (by us or by the SFU). */
  closeConsumer(consumerId: string): Promise<boolean>;
  closeTransport(transportId: string): Promise<boolean>;
  close(): void;
}

/**
 * Connects the analyzer to the SFU's /analyzer namespace and keeps the set of analysable cameras
 * current: a snapshot on every (re)connection, then cameraAvailable/cameraUnavailable. Keeps
 * reconnecting until close(), also after the SFU refused us or dropped the connection.
 */
export function connectToSfu(options: SfuLinkOptions): SfuLink {
  const requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
  const refusedRetryMs = options.refusedRetryMs ?? 5_000;
  const log = options.onLog ?? (() => {});
  const socket: Socket = io(new URL(ANALYZER_NAMESPACE, options.url).href, {
    auth: { token: options.token },
    transports: ['websocket'],
    reconnectionDelay: options.reconnectDelayMs ?? 500,
    reconnectionDelayMax: 5_000,
    forceNew: true,
  });

  let cameras: CameraSet = new Map();
  let closed = false;
  let retryTimer: NodeJS.Timeout | undefined;
  const changes$ = new Subject<CameraChange>();
  const state$ = new BehaviorSubject<SfuLinkState>({ status: 'connecting' });
  const synced$ = new BehaviorSubject<boolean>(false);
  const consumerClosed$ = new Subject<AnalyzerEventPayload<'consumerClosed'>>();
  const transportClosed$ = new Subject<AnalyzerEventPayload<'transportClosed'>>();
  const roster$ = new Subject<RosterEvent>();

  const apply = (result: { next: CameraSet; changes: CameraChange[] }) => {
    cameras = result.next;
    for (const change of result.changes) changes$.next(change);
  };
  const retryLater = (ms: number) => {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(() => {
      if (!closed) socket.connect();
    }, ms);
    retryTimer.unref();
  };
  /** Every SFU event is parsed; a malformed one is logged and ignored, never applied. */
  const on = <E extends AnalyzerEventName>(event: E, handle: (payload: AnalyzerEventPayload<E>) => void) => {
    socket.on(event as string, (payload: unknown) => {
      const parsed = AnalyzerEvents[event].safeParse(payload);
      if (!parsed.success) {
        log('error', 'SFU event outside the protocol ignored', { event, issue: parsed.error.issues[0]?.message });
        return;
      }
      handle(parsed.data as AnalyzerEventPayload<E>);
    });
  };

  socket.on('connect', () => {
    log('info', 'connected to the SFU analyzer link', { url: options.url });
    state$.next({ status: 'connected' });
  });
  socket.on('disconnect', (reason) => {
    synced$.next(false);
    apply(dropAll(cameras));
    if (closed) return;
    log('warn', 'SFU analyzer link lost; reconnecting', { reason });
    state$.next({ status: 'disconnected', reason });
    // The SFU hung up on us (restart, kick): socket.io does not retry that by itself.
    if (reason === 'io server disconnect') retryLater(options.reconnectDelayMs ?? 500);
  });
  socket.on('connect_error', (error: Error & { data?: { code?: ErrorCode } }) => {
    if (closed) return;
    if (error.data?.code) {
      // Refused by the SFU's middleware: socket.io gives up on this namespace, we do not.
      log('error', `the SFU refused the analyzer link: ${error.message}`, { code: error.data.code });
      state$.next({ status: 'refused', code: error.data.code, message: error.message });
      retryLater(refusedRetryMs);
    } else {
      state$.next({ status: 'disconnected', reason: error.message });
    }
  });
  on('rosterSnapshot', ({ participants }) => roster$.next({ type: 'snapshot', participants }));
  on('participantJoined', (participant) => roster$.next({ type: 'joined', participant }));
  on('consentChanged', (change) => roster$.next({ type: 'consent', ...change }));
  on('participantLeft', (left) => roster$.next({ type: 'left', ...left }));
  on('cameraSnapshot', ({ cameras: list }) => {
    apply(applySnapshot(cameras, list));
    synced$.next(true);
  });
  on('cameraAvailable', (camera) => apply(applyChange(cameras, { type: 'add', camera })));
  on('cameraUnavailable', ({ reason, ...camera }) => apply(applyChange(cameras, { type: 'remove', camera, reason })));
  on('consumerClosed', (event) => consumerClosed$.next(event));
  on('transportClosed', (event) => transportClosed$.next(event));

  const request = <E extends AnalyzerRequestName>(event: E, payload: AnalyzerRequest<E>) => sfuRequest(socket, event, payload, requestTimeoutMs);

  return {
    cameras$: new Observable<CameraChange>((subscriber) => {
      for (const camera of cameras.values()) subscriber.next({ type: 'add', camera });
      return changes$.subscribe(subscriber);
    }),
    state$: state$.asObservable(),
    roster$: roster$.asObservable(),
    consumerClosed$: consumerClosed$.asObservable(),
    transportClosed$: transportClosed$.asObservable(),
    cameras: () => [...cameras.values()],
    synced: (timeoutMs = 10_000) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          subscription.unsubscribe();
          const state = state$.value;
          reject(new Error(`not synced with the SFU within ${timeoutMs} ms (${state.status}${'message' in state ? `: ${state.message}` : ''})`));
        }, timeoutMs);
        const subscription = synced$.subscribe((synced) => {
          if (!synced) return;
          clearTimeout(timer);
          queueMicrotask(() => subscription.unsubscribe());
          resolve();
        });
      }),
    request,
    getRouterRtpCapabilities: async (roomId) => (await request('getRouterRtpCapabilities', { roomId })).rtpCapabilities,
    createConsumerTransport: (roomId) => request('createConsumerTransport', { roomId }),
    connectConsumerTransport: async (transportId, dtlsParameters) => void (await request('connectConsumerTransport', { transportId, dtlsParameters })),
    consume: (r) => request('consume', r),
    resumeConsumer: async (consumerId) => void (await request('resumeConsumer', { consumerId })),
    requestKeyFrame: async (consumerId) => void (await request('requestKeyFrame', { consumerId })),
    setPreferredLayers: async (consumerId, layers) => void (await request('setPreferredLayers', { consumerId, ...layers })),
    closeConsumer: async (consumerId) => (await request('closeConsumer', { consumerId })).closed,
    closeTransport: async (transportId) => (await request('closeTransport', { transportId })).closed,
    close: () => {
      if (closed) return;
      closed = true;
      clearTimeout(retryTimer);
      socket.disconnect();
      state$.next({ status: 'closed' });
      for (const s of [changes$, state$, synced$, roster$, consumerClosed$, transportClosed$]) s.complete();
    },
  };
}
