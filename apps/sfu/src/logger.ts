import type { DestinationStream } from 'pino';
import { createServiceLogger, type Logger } from '@moodroom/shared/log';

export type { Logger };

/**
 * Structured JSON logs (the shared logger: sensitive keys redacted). Only technical identifiers
 * (room, peer, transport, producer ids) are logged: never display names, emotion data or media
 * parameters beyond ids and kinds.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return createServiceLogger('sfu', level, destination);
}
