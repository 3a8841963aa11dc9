import type { types } from 'mediasoup';
import { AckableError, type MediaSource, type ProducerInfo, type ServerEventName, type ServerEventPayload } from '@moodroom/shared';

/** What a verified invite says about the session (signalling's join response carries it back). */
export interface PeerSession {
  title: string;
  purpose: string;
  analysisEnabled: boolean;
  retentionDays: number;
}

export type Notify = <E extends ServerEventName>(event: E, payload: ServerEventPayload<E>) => void;

export interface ProducerAppData extends types.AppData {
  peerId: string;
  source: MediaSource;
}
export interface ConsumerAppData extends types.AppData {
  peerId: string;
  source: MediaSource;
}

/**
 * One participant in one room: their transports, producers and consumers. A peer is bound to a
 * single join; leaving, disconnecting or a room reset closes it for good (a rejoin makes a new one).
 */
export class Peer {
  readonly transports = new Map<string, types.WebRtcTransport>();
  readonly producers = new Map<string, types.Producer<ProducerAppData>>();
  readonly consumers = new Map<string, types.Consumer<ConsumerAppData>>();
  private isClosed = false;

  /** Whether this peer is analysed: only ever true when `session` allows analysis. */
  private consent: boolean;

  constructor(
    readonly id: string,
    readonly displayName: string,
    analysisConsent: boolean,
    /** Sends a server event to this peer's socket. */
    readonly notify: Notify,
    /** The facilitated session from the peer's verified invite; null in a plain call. */
    readonly session: PeerSession | null = null,
  ) {
    this.consent = analysisConsent && this.analysisAllowed;
  }

  /** A session participant whose session has analysis on: the only kind of peer that can consent. */
  get analysisAllowed(): boolean {
    return this.session?.analysisEnabled === true;
  }

  get analysisConsent(): boolean {
    return this.consent;
  }

  set analysisConsent(value: boolean) {
    if (value && !this.analysisAllowed) {
      throw new AckableError('FORBIDDEN', this.session ? 'this session has emotion analysis turned off' : 'this call is not a facilitated session: nobody is analysed here (join with an invite link)');
    }
    this.consent = value;
  }

  get closed(): boolean {
    return this.isClosed;
  }

  producerInfos(): ProducerInfo[] {
    return [...this.producers.values()].map((p) => ({
      producerId: p.id,
      peerId: this.id,
      kind: p.kind,
      source: p.appData.source,
      paused: p.paused,
    }));
  }

  /** Closes every transport (mediasoup closes their producers and consumers with them). */
  close(): void {
    this.isClosed = true;
    for (const t of this.transports.values()) t.close();
    this.transports.clear();
    this.producers.clear();
    this.consumers.clear();
  }
}
