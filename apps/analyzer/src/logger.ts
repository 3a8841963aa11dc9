import type { DestinationStream } from 'pino';
import { createServiceLogger } from '@moodroom/shared/log';

/** A line of the analyzer's log: plain text about ids and counts, never names or emotion values. */
export type Log = (message: string) => void;

/**
 * The analyzer's log: JSON lines from the shared logger (service "analyzer", sensitive keys
 * redacted), so the SFU's and the analyzer's logs can be read, shipped and filtered alike.
 */
export function createAnalyzerLog(level: string, destination?: DestinationStream): Log {
  const logger = createServiceLogger('analyzer', level, destination);
  return (message) => logger.info(message);
}
