import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { dashboardBuildIsStale as isStale } from '../../scripts/lib/dashboard-build.mjs';
import { dashboardDir, repoRoot, sfuDir } from './paths.ts';
import { freePort, startProcess, waitForHttp, type ManagedProcess } from './processes.ts';

export interface RunningServer {
  url: string;
  port: number;
  process: ManagedProcess;
  stop(): Promise<void>;
}

/**
 * The real SFU (apps/sfu, real mediasoup workers) as a child process on 127.0.0.1, announcing
 * 127.0.0.1 in its ICE candidates, accepting the given dashboard origins.
 */
export async function startSfu(options: { corsOrigins: string[]; port?: number; env?: Record<string, string> }): Promise<RunningServer> {
  const port = options.port ?? (await freePort());
  const rtcBase = 40000 + Math.floor(Math.random() * 200) * 100;
  const proc = startProcess('sfu', process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: sfuDir,
    env: {
      SFU_HOST: '127.0.0.1',
      SFU_PORT: String(port),
      SFU_WORKERS: '1',
      SFU_RTC_LISTEN_IP: '127.0.0.1',
      SFU_RTC_ANNOUNCED_ADDRESS: '127.0.0.1',
      SFU_RTC_MIN_PORT: String(rtcBase),
      SFU_RTC_MAX_PORT: String(rtcBase + 99),
      SFU_CORS_ORIGINS: options.corsOrigins.join(','),
      SFU_EMPTY_ROOM_GRACE_MS: '0',
      SFU_LOG_LEVEL: process.env.E2E_SFU_LOG_LEVEL ?? 'info',
      ...options.env,
    },
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${url}/healthz`, proc, 30_000);
  } catch (error) {
    await proc.stop();
    throw error;
  }
  return { url, port, process: proc, stop: () => proc.stop() };
}

const nextBin = path.join(repoRoot, 'node_modules/next/dist/bin/next');

/** Whether .next is missing or older than the dashboard's (or the shared package's) sources. */
export const dashboardBuildIsStale = (): boolean => isStale(repoRoot);

/** `next build` once (skipped when the build is newer than the sources; E2E_REBUILD=1 forces it). */
export async function ensureDashboardBuild(): Promise<{ built: boolean; ms: number }> {
  if (!process.env.E2E_REBUILD && !dashboardBuildIsStale()) return { built: false, ms: 0 };
  const started = Date.now();
  process.stderr.write('[e2e] building the dashboard (next build, ~20-60 s)…\n');
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [nextBin, 'build'], {
      cwd: dashboardDir,
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`next build failed (${code}):\n${out.slice(-4000)}`))));
  });
  const ms = Date.now() - started;
  process.stderr.write(`[e2e] dashboard built in ${(ms / 1000).toFixed(1)} s\n`);
  return { built: true, ms };
}

/** The production dashboard (`next start`) on a free port, telling browsers where the SFU (and the analyzer) are. */
export async function startDashboard(options: { sfuPublicUrl: string; analyzerPublicUrl?: string; port?: number }): Promise<RunningServer> {
  await ensureDashboardBuild();
  const port = options.port ?? (await freePort());
  const proc = startProcess('dashboard', process.execPath, [nextBin, 'start', '--hostname', '127.0.0.1', '--port', String(port)], {
    cwd: dashboardDir,
    env: { NEXT_TELEMETRY_DISABLED: '1', SFU_PUBLIC_URL: options.sfuPublicUrl, NODE_ENV: 'production', ...(options.analyzerPublicUrl ? { ANALYZER_PUBLIC_URL: options.analyzerPublicUrl } : {}) },
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(url, proc, 30_000);
  } catch (error) {
    await proc.stop();
    throw error;
  }
  return { url, port, process: proc, stop: () => proc.stop() };
}

/** Pids of a process's direct children (Linux /proc), e.g. the SFU's mediasoup workers. */
export function childPids(pid: number): number[] {
  const out: number[] = [];
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    const text = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
    if (text) out.push(...text.split(/\s+/).map(Number));
  }
  return out;
}
