import { z } from 'zod';

/**
 * Every client → server socket.io message carries an ack callback that receives an Ack.
 * Errors are data, not exceptions: a bad message gets { ok: false, error } and the socket stays up.
 */
export const ERROR_CODES = [
  'BAD_REQUEST', // payload failed schema validation
  'NOT_JOINED', // the socket must join a room first
  'NOT_FOUND', // transport/producer/consumer/room does not exist (or is not yours)
  'FORBIDDEN', // the caller's role may not do this
  'CONFLICT', // e.g. already joined
  'LIMIT', // a size/rate/count limit was hit
  'UNAVAILABLE', // the server is shutting down or a worker died; retry
  'INTERNAL', // a bug: logged server-side with the request id
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface AckError {
  code: ErrorCode;
  message: string;
  /** zod issues when code is BAD_REQUEST, so a client developer sees which field is wrong. */
  issues?: { path: string; message: string }[];
}

export type Ack<T> = { ok: true; data: T } | { ok: false; error: AckError };
export type AckCallback<T> = (response: Ack<T>) => void;

export const ackErrorSchema = z.object({
  code: z.enum(ERROR_CODES),
  message: z.string(),
  issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});

export function ackSchema<T extends z.ZodType>(data: T) {
  return z.discriminatedUnion('ok', [
    z.object({ ok: z.literal(true), data }),
    z.object({ ok: z.literal(false), error: ackErrorSchema }),
  ]);
}

export const ok = <T>(data: T): Ack<T> => ({ ok: true, data });
export const fail = (code: ErrorCode, message: string, issues?: AckError['issues']): Ack<never> => ({
  ok: false,
  error: issues ? { code, message, issues } : { code, message },
});

/** Turns a zod error into a BAD_REQUEST ack that names the offending fields. */
export function badRequest(event: string, error: z.ZodError): Ack<never> {
  const issues = error.issues.slice(0, 10).map((i) => ({ path: i.path.join('.') || '(root)', message: i.message }));
  const first = issues[0];
  return fail('BAD_REQUEST', `invalid "${event}" payload${first ? `: ${first.path}: ${first.message}` : ''}`, issues);
}

/** Thrown by handlers for expected failures; turned into an error ack by the dispatcher. */
export class AckableError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'AckableError';
  }
}

/**
 * Splits socket.io's listener arguments into (payload, ack). The ack is the last argument when it
 * is a function (`emit(event, ack)` sends no payload); a message without one has nobody to answer.
 */
export function splitArgs(args: readonly unknown[]): { payload: unknown; ack?: (response: Ack<unknown>) => void } {
  const last = args.at(-1);
  if (typeof last !== 'function') return { payload: args[0] };
  return { payload: args.length > 1 ? args[0] : undefined, ack: last as (response: Ack<unknown>) => void };
}
