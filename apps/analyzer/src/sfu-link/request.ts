import type { Socket } from 'socket.io-client';
import { AnalyzerRequests, ackSchema, type AnalyzerRequest, type AnalyzerRequestName, type AnalyzerResponse, type AckError, type ErrorCode } from '@moodroom/shared';

/** An analyzer → SFU request failed: the SFU's error ack, or a local failure (not connected, timeout, bad answer). */
export class SfuRequestError extends Error {
  constructor(
    readonly event: AnalyzerRequestName,
    readonly code: ErrorCode,
    message: string,
    readonly issues?: AckError['issues'],
  ) {
    super(`${event}: ${code}: ${message}`);
    this.name = 'SfuRequestError';
  }
}

/**
 * Sends one request and returns its data. The payload is checked before it leaves and the answer
 * against the protocol; a request while disconnected fails at once (the SFU dropped our transports
 * with the connection, so a buffered request would refer to things that no longer exist).
 */
export async function sfuRequest<E extends AnalyzerRequestName>(socket: Socket, event: E, payload: AnalyzerRequest<E>, timeoutMs: number): Promise<AnalyzerResponse<E>> {
  const spec = AnalyzerRequests[event];
  const parsed = spec.request.safeParse(payload);
  if (!parsed.success) {
    throw new SfuRequestError(event, 'BAD_REQUEST', `invalid payload: ${parsed.error.issues[0]?.message ?? 'schema mismatch'}`);
  }
  if (!socket.connected) throw new SfuRequestError(event, 'UNAVAILABLE', 'not connected to the SFU; wait for the link to reconnect');
  let raw: unknown;
  try {
    raw = await socket.timeout(timeoutMs).emitWithAck(event, payload);
  } catch {
    throw new SfuRequestError(event, 'UNAVAILABLE', `no answer from the SFU within ${timeoutMs} ms`);
  }
  const ack = ackSchema(spec.response).safeParse(raw);
  if (!ack.success) throw new SfuRequestError(event, 'INTERNAL', 'the SFU answered outside the protocol (version mismatch?)');
  if (!ack.data.ok) throw new SfuRequestError(event, ack.data.error.code, ack.data.error.message, ack.data.error.issues);
  return ack.data.data as AnalyzerResponse<E>;
}
