import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { DEFAULT_DASHBOARD_ORIGINS, envInt, envLogLevel, envString, loadConfig, parseOriginList } from '@moodroom/shared';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const fromRoot = (p: string) => (p.startsWith('/') ? p : `${REPO_ROOT}${p}`);
const envNumber = (def: number, min: number, max: number) => z.coerce.number().min(min).max(max).default(def);

/** The analyzer's environment variables (see README "Configuration"). */
export const analyzerConfigSchema = z
  .object({
    ANALYZER_HOST: envString('127.0.0.1'),
    ANALYZER_LOG_LEVEL: envLogLevel(),
    ANALYZER_PORT: envInt(4100, 0, 65535),
    ANALYZER_FPS: envNumber(15, 1, 60),
    ANALYZER_SPAN_MS: envInt(2000, 100, 30_000),
    ANALYZER_STRIDE_MS: envInt(1000, 100, 30_000),
    /** Frames a stream must have covered before its first window (then every stride over the full span). */
    ANALYZER_FIRST_WINDOW_MS: envInt(1000, 0, 30_000),
    ANALYZER_HALF_LIFE_MS: envInt(2000, 0, 60_000),
    ANALYZER_MIN_FACE_SHARE: envNumber(0.25, 0, 1),
    /** Folder with the face detector/landmark models (packages/vision); default: the repository's models/. */
    ANALYZER_VISION_MODELS_DIR: z.string().min(1).transform(fromRoot).optional(),
    ANALYZER_MODEL_PATH: envString('models/expression-window-baseline.onnx').transform(fromRoot),
    ANALYZER_RUNNER_MODULE: envString('apps/analyzer/src/inference/windowed-model-runner.ts').transform(fromRoot),
    ANALYZER_THREADS: envInt(availableParallelism(), 1, 256),
    // 1: batching windows measured no faster on CPU (packages/windowed-model README, bench:s2d).
    ANALYZER_MAX_BATCH: envInt(1, 1, 64),
    ANALYZER_DB_PATH: envString('var/analyzer/analytics.sqlite').transform((p) => (p === ':memory:' ? p : fromRoot(p))),
    ANALYZER_RETENTION_DAYS: envInt(30, 0, 36_500),
    ANALYZER_STATUS_INTERVAL_MS: envInt(1000, 100, 60_000),
    /** Browser origins of the dashboard allowed to call the session API and the /dashboard namespace. */
    ANALYZER_DASHBOARD_ORIGIN: envString(DEFAULT_DASHBOARD_ORIGINS).transform((v) => parseOriginList('ANALYZER_DASHBOARD_ORIGIN', v)),
    /**
     * Signs the facilitator and participant links of sessions (the SFU verifies invites with the same
     * value). Unset: no sessions can be created, and no dashboard connection is accepted.
     */
    SESSION_SECRET: z.string().min(16, 'at least 16 characters (e.g. openssl rand -hex 32), the same as the SFU\'s').optional(),
    /** Sessions one client address may create a minute (POST /api/sessions; beyond: 429). */
    ANALYZER_MAX_SESSIONS_PER_MINUTE: envInt(30, 1, 100_000),
    /** Session API requests of any kind one client address may send a minute (beyond: 429); 0 = no limit. */
    ANALYZER_MAX_REQUESTS_PER_MINUTE: envInt(600, 0, 10_000_000),
    /** Requests (subscribe, unsubscribe, anything) one /dashboard connection may send a second; burst twice that. */
    ANALYZER_DASHBOARD_MAX_MESSAGES_PER_SECOND: envInt(10, 1, 100_000),
    /** The SFU whose consenting participants' cameras are analysed live. */
    ANALYZER_SFU_URL: envString('http://127.0.0.1:4000'),
    /** Shared secret with the SFU's /analyzer namespace (same value as the SFU's). Unset: no live analysis. */
    ANALYZER_SERVICE_TOKEN: z.string().min(16, 'at least 16 characters (e.g. openssl rand -hex 32)').optional(),
  })
  .superRefine((c, ctx) => {
    if (c.ANALYZER_STRIDE_MS > c.ANALYZER_SPAN_MS) {
      ctx.addIssue({ code: 'custom', path: ['ANALYZER_STRIDE_MS'], message: `stride (${c.ANALYZER_STRIDE_MS}) must not exceed the span (${c.ANALYZER_SPAN_MS}): frames would go unanalysed` });
    }
    if (c.ANALYZER_FIRST_WINDOW_MS > c.ANALYZER_SPAN_MS) {
      ctx.addIssue({ code: 'custom', path: ['ANALYZER_FIRST_WINDOW_MS'], message: `first window (${c.ANALYZER_FIRST_WINDOW_MS}) must not exceed the span (${c.ANALYZER_SPAN_MS})` });
    }
  });
export type AnalyzerConfig = z.infer<typeof analyzerConfigSchema>;

export const loadAnalyzerConfig = (env: NodeJS.ProcessEnv = process.env) => loadConfig(analyzerConfigSchema, env);
