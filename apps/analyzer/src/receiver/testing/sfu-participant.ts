import { io as connect, type Socket } from 'socket.io-client';
import { ClientEvents, ackSchema, type ClientEventName, type ClientRequest, type ClientResponse } from '@moodroom/shared';
import type { PublishSignalling } from './wrtc-sender.ts';

/**
 * A participant's signalling, from Node: joins a room of the real SFU over socket.io exactly like
 * the browser's join page does (same events, same schemas), for publishers in tests and load runs.
 */
export class SfuParticipant {
  private constructor(
    private readonly socket: Socket,
    readonly peerId: string,
    readonly routerRtpCapabilities: unknown,
  ) {}

  static async join(url: string, request: ClientRequest<'join'>): Promise<SfuParticipant> {
    const socket = connect(url, { transports: ['websocket'], forceNew: true, reconnection: false });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });
    const joined = await call(socket, 'join', request);
    return new SfuParticipant(socket, joined.peerId, joined.routerRtpCapabilities);
  }

  request<E extends ClientEventName>(event: E, payload: ClientRequest<E>): Promise<ClientResponse<E>> {
    return call(this.socket, event, payload);
  }

  /** Publishing through this participant's signalling (for WrtcSender.publish). */
  publishSignalling(): PublishSignalling {
    return {
      routerRtpCapabilities: this.routerRtpCapabilities,
      createSendTransport: () => this.request('createTransport', { direction: 'send' }),
      connectTransport: async (transportId, dtlsParameters) => {
        await this.request('connectTransport', { transportId, dtlsParameters: dtlsParameters as never });
      },
      produce: async (transportId, kind, rtpParameters) =>
        (await this.request('produce', { transportId, kind, rtpParameters: rtpParameters as never, source: kind === 'video' ? 'camera' : 'mic' })).producerId,
    };
  }

  /** Abrupt or clean: a disconnect is how a browser tab closing looks to the SFU. */
  disconnect(): void {
    this.socket.disconnect();
  }
}

async function call<E extends ClientEventName>(socket: Socket, event: E, payload: unknown): Promise<ClientResponse<E>> {
  const raw: unknown = await socket.timeout(10_000).emitWithAck(event, payload);
  const ack = ackSchema(ClientEvents[event].response).parse(raw);
  if (!ack.ok) throw new Error(`${event}: ${ack.error.code}: ${ack.error.message}`);
  return ack.data as ClientResponse<E>;
}
