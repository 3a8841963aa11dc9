import type { z } from 'zod';
import { ackSchema, type AckError, type ErrorCode } from './ack.ts';
import {
  ClientEvents,
  ServerEvents,
  type ClientEventName,
  type ClientRequest,
  type ClientResponse,
  type ServerEventName,
  type ServerEventPayload,
} from './signalling.ts';

/**
 * A typed, validating client for the SFU's participant protocol (signalling.ts), over anything that
 * looks like a socket.io client socket. Both directions are checked: a request that fails its schema
 * is never sent, and an ack or server event that fails its schema is never handed to the caller.
 */

/** The part of a socket.io client socket this client uses (a fake one in unit tests). */
export interface SignallingSocketLike {
  emit(event: string, ...args: unknown[]): unknown;
  // `any` so socket.io's typed listener signatures are assignable; payloads are parsed before use.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  on(event: string, listener: (...args: any[]) => void): unknown;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  off(event: string, listener: (...args: any[]) => void): unknown;
}

/**
 * Why a request failed. Server-side failures carry the SFU's AckError code; the client adds
 * TIMEOUT (no ack in time: the SFU is unreachable or overloaded) and PROTOCOL (an answer that does
 * not match the contract: client and SFU versions differ).
 */
export type SignallingErrorCode = ErrorCode | 'TIMEOUT' | 'PROTOCOL';

export class SignallingError extends Error {
  readonly code: SignallingErrorCode;
  readonly event: string;
  readonly issues: AckError['issues'];

  constructor(event: string, code: SignallingErrorCode, message: string, issues?: AckError['issues']) {
    super(`${event}: ${code}: ${message}`);
    this.name = 'SignallingError';
    this.event = event;
    this.code = code;
    this.issues = issues;
  }
}

export interface SignallingClientOptions {
  /** How long to wait for an ack before rejecting with TIMEOUT. */
  timeoutMs?: number;
  /** Called when the server sends an event whose payload fails its schema (it is dropped). */
  onInvalidEvent?: (event: ServerEventName, error: z.ZodError) => void;
}

export interface SignallingClient {
  request<E extends ClientEventName>(event: E, payload?: ClientRequest<E>): Promise<ClientResponse<E>>;
  /** Subscribes to a server event; returns the unsubscribe function. */
  on<E extends ServerEventName>(event: E, handler: (payload: ServerEventPayload<E>) => void): () => void;
}

export const DEFAULT_SIGNALLING_TIMEOUT_MS = 10_000;

export function createSignallingClient(socket: SignallingSocketLike, options: SignallingClientOptions = {}): SignallingClient {
  const timeoutMs = options.timeoutMs ?? DEFAULT_SIGNALLING_TIMEOUT_MS;

  function request<E extends ClientEventName>(event: E, payload?: ClientRequest<E>): Promise<ClientResponse<E>> {
    const contract = ClientEvents[event];
    const parsedRequest = contract.request.safeParse(payload);
    if (!parsedRequest.success) {
      const issues = parsedRequest.error.issues
        .slice(0, 10)
        .map((i) => ({ path: i.path.join('.') || '(root)', message: i.message }));
      const first = issues[0];
      return Promise.reject(
        new SignallingError(event, 'BAD_REQUEST', `not sent, invalid payload${first ? `: ${first.path}: ${first.message}` : ''}`, issues),
      );
    }
    const responseSchema = ackSchema(contract.response);
    return new Promise<ClientResponse<E>>((resolve, reject) => {
      let settled = false;
      const timer = setTimeout(() => {
        if (settled) return;
        settled = true;
        reject(new SignallingError(event, 'TIMEOUT', `no answer from the SFU within ${timeoutMs} ms`));
      }, timeoutMs);
      const onAck = (raw: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        const ack = responseSchema.safeParse(raw);
        if (!ack.success) {
          const first = ack.error.issues[0];
          reject(new SignallingError(event, 'PROTOCOL', `unexpected answer from the SFU${first ? ` (${first.path.join('.')}: ${first.message})` : ''}`));
          return;
        }
        if (ack.data.ok) resolve(ack.data.data as ClientResponse<E>);
        else reject(new SignallingError(event, ack.data.error.code, ack.data.error.message, ack.data.error.issues));
      };
      if (parsedRequest.data === undefined) socket.emit(event, onAck);
      else socket.emit(event, parsedRequest.data, onAck);
    });
  }

  function on<E extends ServerEventName>(event: E, handler: (payload: ServerEventPayload<E>) => void): () => void {
    const schema = ServerEvents[event];
    const listener = (raw: unknown) => {
      const parsed = schema.safeParse(raw);
      if (!parsed.success) {
        options.onInvalidEvent?.(event, parsed.error);
        return;
      }
      handler(parsed.data as ServerEventPayload<E>);
    };
    socket.on(event, listener);
    return () => {
      socket.off(event, listener);
    };
  }

  return { request, on };
}
