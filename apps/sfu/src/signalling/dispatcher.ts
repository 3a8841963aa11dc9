import { randomBytes } from 'node:crypto';
import type { z } from 'zod';
import {
  AckableError,
  ClientEvents,
  badRequest,
  fail,
  ok,
  type Ack,
  type ClientEventName,
  type ClientResponse,
} from '@moodroom/shared';
import type { Logger } from '../logger.ts';
import type { Session } from './session.ts';

export type ParsedRequest<E extends ClientEventName> = z.output<(typeof ClientEvents)[E]['request']>;
export type Handler<E extends ClientEventName> = (session: Session, request: ParsedRequest<E>) => Promise<ClientResponse<E>>;
export type Handlers = { [E in ClientEventName]: Handler<E> };

export const clientEventNames = Object.keys(ClientEvents) as ClientEventName[];

export function isClientEvent(name: string): name is ClientEventName {
  return Object.hasOwn(ClientEvents, name);
}

/**
 * Splits socket.io's listener arguments into (payload, ack). The ack is the last argument when it
 * is a function; a message sent without one has nobody to answer and is dropped.
 */
export function splitArgs(args: readonly unknown[]): { payload: unknown; ack?: (response: Ack<unknown>) => void } {
  const last = args.at(-1);
  if (typeof last !== 'function') return { payload: args[0] };
  return { payload: args.length > 1 ? args[0] : undefined, ack: last as (response: Ack<unknown>) => void };
}

/**
 * Validates, runs and answers one client message. Every outcome is an Ack: schema failures are
 * BAD_REQUEST with the offending fields, AckableErrors keep their code, anything else is a bug,
 * logged with a request id that the client also receives (INTERNAL).
 */
export async function dispatch<E extends ClientEventName>(
  handlers: Handlers,
  session: Session,
  event: E,
  payload: unknown,
  log: Logger,
): Promise<Ack<ClientResponse<E>>> {
  const spec = ClientEvents[event];
  // JSON has no undefined: socket.io sends an absent payload as null.
  const parsed = spec.request.safeParse(payload === null ? undefined : payload);
  if (!parsed.success) return badRequest(event, parsed.error);
  const requestId = randomBytes(6).toString('hex');
  try {
    const data = await (handlers[event] as Handler<E>)(session, parsed.data as ParsedRequest<E>);
    // Our own answers must keep the contract the clients are built against.
    const checked = spec.response.safeParse(data);
    if (!checked.success) {
      log.error({ requestId, event, issues: checked.error.issues.slice(0, 5) }, 'handler response breaks the protocol schema');
      return fail('INTERNAL', `internal error (request id ${requestId})`);
    }
    return ok(data);
  } catch (error) {
    if (error instanceof AckableError) return fail(error.code, error.message);
    log.error({ requestId, event, socketId: session.socketId, peerId: session.joined?.peer.id, err: error }, 'handler failed');
    return fail('INTERNAL', `internal error (request id ${requestId})`);
  }
}

/** Runs tasks one after another: one connection's messages are handled in the order sent. */
export class SerialQueue {
  private tail: Promise<void> = Promise.resolve();

  push(task: () => Promise<void>): Promise<void> {
    const run = this.tail.then(task, task);
    this.tail = run.catch(() => undefined);
    return run;
  }
}
