import path from 'node:path';
import { newServiceToken, newSessionSecret, startAnalyzer, type RunningAnalyzer } from './analyzer.ts';
import { freePort } from './processes.ts';
import { startDashboard, startSfu, type RunningServer } from './servers.ts';

export interface Stack {
  sfu: RunningServer;
  analyzer: RunningAnalyzer;
  dashboard: RunningServer;
  stop(): Promise<void>;
}

/**
 * The whole system as `npm start` runs it, on loopback: SFU, analyzer and dashboard, sharing the
 * analyzer service token and SESSION_SECRET, each allowing the dashboard's origin. The analyzer
 * and the dashboard start in parallel; whatever started is stopped again if the rest fails.
 */
export async function startStack(options: { dbDir: string; analyzerEnv?: Record<string, string> }): Promise<Stack> {
  const token = newServiceToken();
  const sessionSecret = newSessionSecret();
  const [dashboardPort, analyzerPort] = [await freePort(), await freePort()];
  const dashboardOrigin = `http://127.0.0.1:${dashboardPort}`;
  const sfu = await startSfu({ corsOrigins: [dashboardOrigin], env: { ANALYZER_SERVICE_TOKEN: token, SESSION_SECRET: sessionSecret } });
  const [a, d] = await Promise.allSettled([
    startAnalyzer({ sfuUrl: sfu.url, token, sessionSecret, dashboardOrigin, port: analyzerPort, dbPath: path.join(options.dbDir, 'analytics.sqlite'), ...(options.analyzerEnv ? { env: options.analyzerEnv } : {}) }),
    startDashboard({ sfuPublicUrl: sfu.url, analyzerPublicUrl: `http://127.0.0.1:${analyzerPort}`, port: dashboardPort }),
  ]);
  if (a.status === 'rejected' || d.status === 'rejected') {
    await Promise.all([a.status === 'fulfilled' ? a.value.stop() : null, d.status === 'fulfilled' ? d.value.stop() : null, sfu.stop()]);
    throw a.status === 'rejected' ? a.reason : (d as PromiseRejectedResult).reason;
  }
  const [analyzer, dashboard] = [a.value, d.value];
  return { sfu, analyzer, dashboard, stop: async () => void (await Promise.all([analyzer.stop(), dashboard.stop(), sfu.stop()])) };
}
