import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/**
 * Keys whose values never reach a log line, at any of the first few levels of a logged object:
 * who someone is (names), what a session is about (titles, purposes), what they seem to feel
 * (probabilities, labels), and what grants access (tokens, invites). Log lines are kept by
 * operators for far longer than a session's retention period, and an emotion value next to a
 * name is exactly the record the privacy notice promises not to keep.
 */
export const SENSITIVE_LOG_KEYS = [
  'displayName',
  'participantName',
  'names',
  'title',
  'purpose',
  'probs',
  'probabilities',
  'emotion',
  'emotions',
  'dominant',
  'label',
  'invite',
  'token',
  'facilitatorToken',
  'participantToken',
  'authorization',
  'cookie',
  'secret',
] as const;

const REDACT_DEPTH = 4;
export const REDACTED = '[redacted]';

/** pino `redact` paths: each key at the top level and under up to REDACT_DEPTH - 1 levels of nesting. */
export function redactPaths(keys: readonly string[] = SENSITIVE_LOG_KEYS, depth = REDACT_DEPTH): string[] {
  const paths: string[] = [];
  for (let level = 0; level < depth; level++) for (const key of keys) paths.push([...Array<string>(level).fill('*'), key].join('.'));
  return paths;
}

/**
 * The structured JSON logger of every Moodroom service (SFU, analyzer): one line per event, ISO
 * time, the service's name, and the sensitive keys redacted. Server side only (pino).
 * Messages are plain text: put identifiers (room, peer, session ids) in them or in fields, and
 * never a name, a title or an emotion value — redaction only sees keys.
 */
export function createServiceLogger(service: string, level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: redactPaths(), censor: REDACTED },
    },
    destination,
  );
}
