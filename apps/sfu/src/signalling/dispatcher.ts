import { randomBytes } from 'node:crypto';
import type { Socket } from 'socket.io';
import type { z } from 'zod';
import { AckableError, ClientEvents, badRequest, fail, ok, splitArgs, type Ack, type ClientEventName } from '@moodroom/shared';
import type { Logger } from '../logger.ts';
import type { Session } from './session.ts';

/** A protocol's requests: event name → request and ack response schemas (ClientEvents, AnalyzerRequests). */
export type RequestSpec = Record<string, { request: z.ZodType; response: z.ZodType }>;
export type SpecHandler<S extends RequestSpec, E extends keyof S, C> = (context: C, request: z.output<S[E]['request']>) => Promise<z.infer<S[E]['response']>>;
export type SpecHandlers<S extends RequestSpec, C> = { [E in keyof S]: SpecHandler<S, E, C> };

/** The participants' protocol (namespace "/"). */
export type Handlers = SpecHandlers<typeof ClientEvents, Session>;

export const clientEventNames = Object.keys(ClientEvents) as ClientEventName[];

export function isClientEvent(name: string): name is ClientEventName {
  return Object.hasOwn(ClientEvents, name);
}

/**
 * Validates, runs and answers one message. Every outcome is an Ack: schema failures are
 * BAD_REQUEST with the offending fields, AckableErrors keep their code, anything else is a bug,
 * logged with a request id that the client also receives (INTERNAL).
 */
export async function dispatch<S extends RequestSpec, E extends keyof S & string, C>(
  spec: S,
  handlers: SpecHandlers<S, C>,
  context: C,
  event: E,
  payload: unknown,
  log: Logger,
): Promise<Ack<z.infer<S[E]['response']>>> {
  const { request, response } = spec[event]!;
  // JSON has no undefined: socket.io sends an absent payload as null.
  const parsed = request.safeParse(payload === null ? undefined : payload);
  if (!parsed.success) return badRequest(event, parsed.error);
  const requestId = randomBytes(6).toString('hex');
  try {
    const data = await handlers[event](context, parsed.data as z.output<S[E]['request']>);
    // Our own answers must keep the contract the clients are built against.
    const checked = response.safeParse(data);
    if (!checked.success) {
      log.error({ requestId, event, issues: checked.error.issues.slice(0, 5) }, 'handler response breaks the protocol schema');
      return fail('INTERNAL', `internal error (request id ${requestId})`);
    }
    return ok(data);
  } catch (error) {
    if (error instanceof AckableError) return fail(error.code, error.message);
    log.error({ requestId, event, err: error }, 'handler failed');
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

/** Decides before anything else whether a message is served: an error Ack refuses it (limits). */
export type Gate = (event: string) => Ack<never> | undefined;

/**
 * Answers every message on `socket` through `spec` and `handlers`, in the order sent. Returns the
 * connection's queue, so that teardown (disconnect) runs after the messages already received.
 */
export function serveRequests<S extends RequestSpec, C>(socket: Socket, spec: S, handlers: SpecHandlers<S, C>, context: C, log: Logger, gate?: Gate): SerialQueue {
  const queue = new SerialQueue();
  socket.onAny((event: string, ...args: unknown[]) => {
    const { payload, ack } = splitArgs(args);
    // Before the ack check: messages without an ack cost the server work too.
    const refusal = gate?.(event);
    if (refusal) {
      if (ack) safeAck(ack, refusal, log);
      return;
    }
    if (!ack) {
      log.warn({ event }, 'message without an ack callback ignored');
      return;
    }
    if (!Object.hasOwn(spec, event)) {
      safeAck(ack, fail('BAD_REQUEST', `unknown event "${String(event).slice(0, 64)}"`), log);
      return;
    }
    void queue.push(async () => {
      const response = await dispatch(spec, handlers, context, event as keyof S & string, payload, log);
      safeAck(ack, response, log);
    });
  });
  return queue;
}

function safeAck(ack: (response: never) => void, response: unknown, log: Logger): void {
  try {
    (ack as (r: unknown) => void)(response);
  } catch (error) {
    log.warn({ err: error }, 'ack callback threw');
  }
}
