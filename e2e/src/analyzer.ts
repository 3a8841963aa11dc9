import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createSessionViaApi, type CreateSessionRequest, type CreateSessionResponse } from '@moodroom/shared';
import { analyzerDir, repoRoot } from './paths.ts';
import { freePort, startProcess, waitForHttp, type ManagedProcess } from './processes.ts';
import type { RunningServer } from './servers.ts';

/** The models the live analyzer loads: face detector + landmarks (packages/vision) and the default windowed model. */
export const ANALYZER_MODELS = ['models/blazeface-short-range.onnx', 'models/face-landmark-468.onnx', 'models/expression-window-baseline.onnx'];

/** A fresh shared secret for the SFU's /analyzer namespace and the analyzer (≥ 16 characters). */
export const newServiceToken = () => randomBytes(24).toString('hex');
/** A fresh SESSION_SECRET: the analyzer signs session links with it, the SFU checks invites. */
export const newSessionSecret = () => randomBytes(24).toString('hex');

/** Creates a facilitated session (analysis on unless said otherwise) through the analyzer's API. */
export const createSession = (analyzerUrl: string, request: Partial<CreateSessionRequest> = {}): Promise<CreateSessionResponse> =>
  createSessionViaApi(analyzerUrl, { title: 'E2E session', analysisEnabled: true, ...request });

/** Throws (never skips) when a model or the windowed-model package is missing, saying how to get them. */
export function assertAnalyzerModels(): void {
  const missing = [...ANALYZER_MODELS, 'packages/windowed-model/package.json'].filter((m) => !existsSync(path.join(repoRoot, m)));
  if (missing.length) {
    throw new Error(`the analyzer cannot start, missing: ${missing.join(', ')} — regenerate the models (models/README.md) and restore packages/windowed-model`);
  }
}

export interface RunningAnalyzer extends RunningServer {
  dbPath: string;
}

/**
 * The real analyzer (apps/analyzer `src/main.ts`) as a child process on 127.0.0.1, linked to the
 * SFU with the service token, storing into `dbPath`. Resolves once /healthz answers and the SFU
 * link reports "connected" (before that, consenting cameras would be picked up late).
 */
export async function startAnalyzer(options: { sfuUrl: string; token: string; sessionSecret?: string; dashboardOrigin?: string; dbPath: string; threads?: number; port?: number; env?: Record<string, string> }): Promise<RunningAnalyzer> {
  assertAnalyzerModels();
  const port = options.port ?? (await freePort());
  const proc = startProcess('analyzer', process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: analyzerDir,
    env: {
      ANALYZER_HOST: '127.0.0.1',
      ANALYZER_PORT: String(port),
      ANALYZER_DB_PATH: options.dbPath,
      ANALYZER_SFU_URL: options.sfuUrl,
      ANALYZER_SERVICE_TOKEN: options.token,
      ANALYZER_THREADS: String(options.threads ?? 1),
      ANALYZER_STATUS_INTERVAL_MS: '500',
      ...(options.sessionSecret ? { SESSION_SECRET: options.sessionSecret } : {}),
      ...(options.dashboardOrigin ? { ANALYZER_DASHBOARD_ORIGIN: options.dashboardOrigin } : {}),
      ...options.env,
    },
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    // Loading the ONNX models and spawning the inference worker takes a few seconds on a busy machine.
    await waitForHttp(`${url}/healthz`, proc, 60_000);
    await waitForLog(proc, /SFU link \S+: connected/, 20_000);
  } catch (error) {
    await proc.stop();
    throw error;
  }
  return { url, port, process: proc, dbPath: options.dbPath, stop: () => proc.stop() };
}

/** Waits until the process's recent output matches `pattern`; fails early if it exits. */
export async function waitForLog(proc: ManagedProcess, pattern: RegExp, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pattern.test(proc.logs())) {
    if (proc.child.exitCode !== null || proc.child.signalCode !== null) throw new Error(`${proc.name} exited before logging ${pattern}:\n${proc.logs()}`);
    if (Date.now() > deadline) throw new Error(`${proc.name} did not log ${pattern} within ${timeoutMs} ms:\n${proc.logs()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** One gauge/counter value from a Prometheus text exposition (first series of that name), or null. */
export function prometheusValue(text: string, name: string): number | null {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  if (!line) return null;
  return Number(line.slice(line.lastIndexOf(' ') + 1));
}

export async function fetchMetric(analyzerUrl: string, name: string): Promise<number | null> {
  const res = await fetch(`${analyzerUrl}/metrics`, { signal: AbortSignal.timeout(3000) });
  if (!res.ok) throw new Error(`GET ${analyzerUrl}/metrics: HTTP ${res.status}`);
  return prometheusValue(await res.text(), name);
}
