import type { types } from 'mediasoup';
import type { MediaSource, ProducerInfo, ServerEventName, ServerEventPayload } from '@moodroom/shared';

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

  constructor(
    readonly id: string,
    readonly displayName: string,
    public analysisConsent: boolean,
    /** Sends a server event to this peer's socket. */
    readonly notify: Notify,
  ) {}

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
