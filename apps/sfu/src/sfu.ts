import type { AddressInfo } from 'node:net';
import * as mediasoup from 'mediasoup';
import type { Server as SocketServer } from 'socket.io';
import { AnalysisFeed } from './analysis-feed.ts';
import { attachAnalyzerLink, type AnalyzerLink } from './analyzer/analyzer-link.ts';
import type { SfuConfig } from './config.ts';
import { createHttpServer } from './http-server.ts';
import type { Logger } from './logger.ts';
import { RoomRegistry } from './room-registry.ts';
import { attachSignalling } from './signalling/socket-server.ts';
import { WorkerPool } from './worker-pool.ts';

export interface Sfu {
  readonly pool: WorkerPool;
  readonly registry: RoomRegistry;
  /** Analysable cameras appearing/disappearing, consent changes (forwarded by the analyzer link). */
  readonly feed: AnalysisFeed;
  readonly io: SocketServer;
  /** The /analyzer namespace: the analyzer's view of the feed and its consumers. */
  readonly analyzerLink: AnalyzerLink;
  /** Starts listening; resolves with the bound port (useful with port 0). */
  listen(): Promise<number>;
  close(): Promise<void>;
}

/** Wires the SFU together: workers, rooms, signalling and the HTTP server. */
export async function createSfu(config: SfuConfig, log: Logger): Promise<Sfu> {
  const pool = await WorkerPool.create({ count: config.workers.count, logLevel: config.workers.logLevel, log });
  const feed = new AnalysisFeed();
  const registry = new RoomRegistry(pool, { rtc: config.rtc, limits: config.limits, emptyRoomGraceMs: config.emptyRoomGraceMs, log, feed });
  const httpServer = createHttpServer(() => {
    const live = pool.liveWorkers.length;
    return {
      status: live > 0 ? 'ok' : 'degraded',
      mediasoup: mediasoup.version,
      workers: { live, configured: config.workers.count },
      rooms: registry.size,
      peers: registry.peerCount,
    };
  });
  const io = attachSignalling(httpServer, { corsOrigins: config.http.corsOrigins, maxMessageBytes: config.http.maxMessageBytes, limits: config.connection, registry, log, sessionSecret: config.sessionSecret });
  const analyzerLink = attachAnalyzerLink(io, { config: config.analyzer, registry, feed, log });

  let closing: Promise<void> | undefined;
  return {
    pool,
    registry,
    feed,
    io,
    analyzerLink,
    listen: () =>
      new Promise((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(config.http.port, config.http.host, () => {
          httpServer.off('error', reject);
          const { port } = httpServer.address() as AddressInfo;
          log.info({ port, host: config.http.host, workers: config.workers.count, announcedAddress: config.rtc.announcedAddress }, 'SFU listening');
          resolve(port);
        });
      }),
    close: () =>
      (closing ??= (async () => {
        registry.close();
        await new Promise<void>((resolve) => io.close(() => resolve()));
        pool.close();
        if (httpServer.listening) await new Promise<void>((resolve) => httpServer.close(() => resolve()));
      })()),
  };
}
