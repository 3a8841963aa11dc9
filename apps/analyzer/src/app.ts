import type { AddressInfo } from 'node:net';
import { AnalyzerService } from './analyzer-service.ts';
import type { AnalyzerConfig } from './config.ts';
import { InferenceScheduler } from './inference/scheduler.ts';
import { InferenceWorkerPool } from './inference/worker-pool.ts';
import { createAnalyzerLog } from './logger.ts';
import { createMetrics } from './metrics.ts';
import type { FaceAligner, FaceTracker } from './ports.ts';
import { DashboardPublisher, type DashboardMiddleware } from './server/dashboard.ts';
import { createHttpServer } from './server/http.ts';
import { createSessionApi } from './server/session-api.ts';
import { facilitatorAccess } from './sessions/session-access.ts';
import { rosterOf, sessionInfo } from './sessions/session-views.ts';
import { BatchingSampleWriter } from './storage/batching-writer.ts';
import { SqliteAnalyticsRepository } from './storage/sqlite-repository.ts';

export interface AnalyzerFaceDeps<L> {
  createTracker: () => FaceTracker<L>;
  align: FaceAligner<L>;
}

export interface StartOptions {
  /** Factory options for the inference workers (default: { modelPath, intraOpThreads: 1 }). */
  runnerOptions?: unknown;
  dashboardMiddleware?: DashboardMiddleware[];
  log?: (message: string) => void;
}

const DAY_MS = 86_400_000;

/**
 * Starts the analyzer's long-lived parts: inference workers, storage, the HTTP + socket.io
 * server, status publishing and retention. Frame sources attach through `service.startAnalysis`.
 */
export async function startAnalyzer<L>(config: AnalyzerConfig, faceDeps: AnalyzerFaceDeps<L> | Promise<AnalyzerFaceDeps<L>>, options: StartOptions = {}) {
  const log = options.log ?? createAnalyzerLog(config.ANALYZER_LOG_LEVEL);
  const metrics = createMetrics();
  log(`starting ${config.ANALYZER_THREADS} inference worker(s) with ${config.ANALYZER_MODEL_PATH}`);
  // The windowed model loads in its worker threads while the face models load here: a restarted
  // analyzer resumes a call's analysis sooner.
  const [pool, face] = await Promise.all([
    InferenceWorkerPool.start({
      factoryModule: config.ANALYZER_RUNNER_MODULE,
      factoryOptions: options.runnerOptions ?? { modelPath: config.ANALYZER_MODEL_PATH, intraOpThreads: 1 },
      threads: config.ANALYZER_THREADS,
      onLog: log,
    }),
    faceDeps,
  ]);
  log(`model "${pool.model.name}": T=${pool.model.frames}, ${pool.model.width}x${pool.model.height}`);
  const inference = new InferenceScheduler(pool, {
    maxBatch: config.ANALYZER_MAX_BATCH,
    settings: { fps: config.ANALYZER_FPS, strideMs: config.ANALYZER_STRIDE_MS },
    onLevelChange: (s, level) => log(`${level > 0 ? 'overloaded' : 'load back to normal'}: analysing at ${s.fps} fps, a window every ${s.strideMs} ms (level ${level})`),
    onQueueDepth: (d) => metrics.queueDepth.set(d),
    onSuperseded: () => metrics.windowsSuperseded.inc(),
  });
  const repo = new SqliteAnalyticsRepository(config.ANALYZER_DB_PATH);
  const writer = new BatchingSampleWriter(repo, { onError: log });
  const sessionApi = createSessionApi({
    repo,
    secret: config.SESSION_SECRET,
    allowedOrigins: config.ANALYZER_DASHBOARD_ORIGIN,
    defaultRetentionDays: config.ANALYZER_RETENTION_DAYS,
    strideMs: config.ANALYZER_STRIDE_MS,
    flush: () => writer.flush(),
    maxSessionsPerMinute: config.ANALYZER_MAX_SESSIONS_PER_MINUTE,
    maxRequestsPerMinute: config.ANALYZER_MAX_REQUESTS_PER_MINUTE,
    onDeleted: (sessionId) => service.stopSession(sessionId),
    onLog: log,
  });
  const http = createHttpServer({
    api: sessionApi,
    registry: metrics.registry,
    health: () => ({ ok: pool.size > 0, workers: pool.size, model: pool.model.name, activePipelines: service.activeCount, queueDepth: inference.queueDepth, loadLevel: inference.loadLevel }),
  });
  const publisher = new DashboardPublisher(http, {
    access: (token) => {
      const access = facilitatorAccess(config.SESSION_SECRET, token);
      return access.ok ? { ok: true, sessionId: access.payload.sid } : { ok: false, code: access.code, message: access.message };
    },
    snapshot: async (sessionId, historyMs) => {
      const record = await repo.getSession(sessionId);
      if (!record) return null;
      await writer.flush();
      return {
        session: sessionInfo(record, config.ANALYZER_RETENTION_DAYS),
        participants: rosterOf(await repo.listParticipants(sessionId), await repo.listConsentEvents(sessionId)),
        recentSamples: await repo.listSamples(sessionId, { from: Date.now() - historyMs, limit: 50_000 }),
      };
    },
    ...(options.dashboardMiddleware ? { middleware: options.dashboardMiddleware } : {}),
    corsOrigin: config.ANALYZER_DASHBOARD_ORIGIN,
    rateLimit: { perSecond: config.ANALYZER_DASHBOARD_MAX_MESSAGES_PER_SECOND, burst: 2 * config.ANALYZER_DASHBOARD_MAX_MESSAGES_PER_SECOND },
    onLog: log,
  });
  const service = new AnalyzerService({
    inference,
    repo,
    writer,
    publisher,
    metrics,
    createTracker: face.createTracker,
    align: face.align,
    spanMs: config.ANALYZER_SPAN_MS,
    firstWindowMs: config.ANALYZER_FIRST_WINDOW_MS,
    halfLifeMs: config.ANALYZER_HALF_LIFE_MS,
    minFaceShare: config.ANALYZER_MIN_FACE_SHARE,
    onLog: log,
  });
  const statusTimer = setInterval(() => service.publishStatus(), config.ANALYZER_STATUS_INTERVAL_MS);
  const retention = async () => {
    const expired = await repo.deleteExpiredSessions(Date.now());
    if (expired.sessions > 0) log(`retention: erased ${expired.sessions} session(s) whose own retention period had passed`);
    if (config.ANALYZER_RETENTION_DAYS === 0) return;
    const deleted = await repo.deleteOlderThan(Date.now() - config.ANALYZER_RETENTION_DAYS * DAY_MS);
    if (deleted.samples + deleted.sessions > 0) log(`retention: deleted ${deleted.samples} samples, ${deleted.sessions} sessions`);
  };
  await retention();
  const retentionTimer = setInterval(() => void retention().catch((e: unknown) => log(`retention failed: ${e}`)), DAY_MS / 24);
  retentionTimer.unref();

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(config.ANALYZER_PORT, config.ANALYZER_HOST, () => resolve());
  });
  const { port } = http.address() as AddressInfo;
  log(`listening on http://${config.ANALYZER_HOST}:${port} (/healthz, /metrics, socket.io namespace /dashboard)`);

  let closing: Promise<void> | null = null;
  const close = () =>
    (closing ??= (async () => {
      clearInterval(statusTimer);
      clearInterval(retentionTimer);
      await service.close(); // stops pipelines, flushes samples
      inference.close();
      await publisher.close();
      await new Promise<void>((r) => http.close(() => r()));
      await pool.close();
      await repo.close();
    })());
  return { service, inference, repo, metrics, publisher, port, close };
}
export type RunningAnalyzer<L> = Awaited<ReturnType<typeof startAnalyzer<L>>>;
