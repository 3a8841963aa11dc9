import type { LiveRig } from './live-rig.ts';
import { RECEIVER_CHILD_MATCH } from './processes.ts';
import { childPids, sampleProcess } from './proc-stats.ts';

export interface SoakSample {
  /** ms since the soak started. */
  atMs: number;
  analyzerRssBytes: number;
  /** The analyzer's JS heap (null: it runs in another process). */
  heapUsedBytes: number | null;
  activePipelines: number;
  /** The SFU's consumers held by analyzer sessions (null: the SFU runs elsewhere). */
  analyzerConsumers: number | null;
  analyzerTransports: number | null;
  receiverChildren: number;
  /** libuv handles alive in the analyzer's process (null: it runs in another process; see fds). */
  activeHandles: number | null;
  fds: number;
  threads: number;
}

const activeHandles = (): number => (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles().length;

/**
 * One soak reading of the analyzer: in this process (its objects and /proc entry), or the child
 * the rig spawned (its /proc entry; pipelines from the last analyzerStatus the dashboard got).
 */
export function soakSample(rig: LiveRig, startedAt: number): SoakSample {
  const { analyzer, analyzerPid } = rig.local;
  if (!analyzer && analyzerPid === null) throw new Error('the soak reads the analyzer\'s process: run it with the rig\'s own analyzer, not --analyzer');
  const pid = analyzer ? process.pid : analyzerPid!;
  const proc = sampleProcess(pid);
  if (!proc) throw new Error(`the analyzer (pid ${pid}) is gone`);
  const sessions = rig.local.sfu ? [...rig.local.sfu.sfu.analyzerLink.sessions] : null;
  return {
    atMs: Date.now() - startedAt,
    analyzerRssBytes: proc.rssBytes,
    heapUsedBytes: analyzer ? process.memoryUsage().heapUsed : null,
    activePipelines: analyzer ? analyzer.service.activeCount : (rig.statuses.at(-1)?.status.participants.length ?? 0),
    analyzerConsumers: sessions ? sessions.reduce((n, s) => n + s.consumerCount, 0) : null,
    analyzerTransports: sessions ? sessions.reduce((n, s) => n + s.transportCount, 0) : null,
    receiverChildren: childPids(pid, RECEIVER_CHILD_MATCH).length,
    activeHandles: analyzer ? activeHandles() : null,
    fds: proc.fds,
    threads: proc.threads,
  };
}

export const SOAK_HEADERS = ['t s', 'RSS MiB', 'heap MiB', 'pipelines', 'SFU consumers', 'transports', 'receivers', 'handles', 'fds', 'threads'];

export function soakRow(s: SoakSample): string[] {
  const mib = (b: number) => (b / 2 ** 20).toFixed(0);
  return [String(Math.round(s.atMs / 1000)), mib(s.analyzerRssBytes), s.heapUsedBytes === null ? '–' : mib(s.heapUsedBytes), String(s.activePipelines), String(s.analyzerConsumers ?? '–'), String(s.analyzerTransports ?? '–'), String(s.receiverChildren), String(s.activeHandles ?? '–'), String(s.fds), String(s.threads)];
}

/**
 * Polls until the rig is back to idle (no pipelines, consumers, receivers) or `ms` passed. A
 * spawned analyzer's pipelines come from its /healthz here: it stops publishing analyzerStatus
 * once nobody is analysed, so the last status would still count the ones that left.
 */
export async function waitForIdle(rig: LiveRig, startedAt: number, ms = 15_000): Promise<SoakSample> {
  const deadline = Date.now() + ms;
  for (;;) {
    const s = soakSample(rig, startedAt);
    if (!rig.local.analyzer) {
      const health = (await (await fetch(`${rig.analyzerUrl}/healthz`)).json()) as { activePipelines: number };
      s.activePipelines = health.activePipelines;
    }
    if ((s.activePipelines === 0 && !s.analyzerConsumers && s.receiverChildren === 0) || Date.now() > deadline) return s;
    await new Promise((r) => setTimeout(r, 250));
  }
}
