import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Structured JSON logs. Only technical identifiers (room, peer, transport, producer ids) are
 * logged: never display names, emotion data or media parameters beyond ids and kinds.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ name: 'sfu', level, base: { service: 'sfu' }, timestamp: pino.stdTimeFunctions.isoTime }, destination);
}
