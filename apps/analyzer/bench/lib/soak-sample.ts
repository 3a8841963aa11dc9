import type { LiveRig } from './live-rig.ts';
import { RECEIVER_CHILD_MATCH } from './processes.ts';
import { childPids, sampleProcess } from './proc-stats.ts';

export interface SoakSample {
  /** ms since the soak started. */
  atMs: number;
  analyzerRssBytes: number;
  heapUsedBytes: number;
  activePipelines: number;
  /** The SFU's consumers held by analyzer sessions (null: the SFU runs elsewhere). */
  analyzerConsumers: number | null;
  analyzerTransports: number | null;
  receiverChildren: number;
  /** libuv handles alive in this process (sockets, timers, child processes, …). */
  activeHandles: number;
  fds: number;
  threads: number;
}

const activeHandles = (): number => (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles().length;

/** One soak reading; needs the analyzer in this process (its objects and its /proc entry). */
export function soakSample(rig: LiveRig, startedAt: number): SoakSample {
  const analyzer = rig.local.analyzer;
  if (!analyzer) throw new Error('the soak reads the analyzer\'s own objects: run it without --analyzer');
  const self = sampleProcess(process.pid)!;
  const sessions = rig.local.sfu ? [...rig.local.sfu.sfu.analyzerLink.sessions] : null;
  return {
    atMs: Date.now() - startedAt,
    analyzerRssBytes: self.rssBytes,
    heapUsedBytes: process.memoryUsage().heapUsed,
    activePipelines: analyzer.service.activeCount,
    analyzerConsumers: sessions ? sessions.reduce((n, s) => n + s.consumerCount, 0) : null,
    analyzerTransports: sessions ? sessions.reduce((n, s) => n + s.transportCount, 0) : null,
    receiverChildren: childPids(process.pid, RECEIVER_CHILD_MATCH).length,
    activeHandles: activeHandles(),
    fds: self.fds,
    threads: self.threads,
  };
}

export const SOAK_HEADERS = ['t s', 'RSS MiB', 'heap MiB', 'pipelines', 'SFU consumers', 'transports', 'receivers', 'handles', 'fds', 'threads'];

export function soakRow(s: SoakSample): string[] {
  const mib = (b: number) => (b / 2 ** 20).toFixed(0);
  return [String(Math.round(s.atMs / 1000)), mib(s.analyzerRssBytes), mib(s.heapUsedBytes), String(s.activePipelines), String(s.analyzerConsumers ?? '–'), String(s.analyzerTransports ?? '–'), String(s.receiverChildren), String(s.activeHandles), String(s.fds), String(s.threads)];
}

/** Polls until the rig is back to idle (no pipelines, consumers, receivers) or `ms` passed. */
export async function waitForIdle(rig: LiveRig, startedAt: number, ms = 15_000): Promise<SoakSample> {
  const deadline = Date.now() + ms;
  for (;;) {
    const s = soakSample(rig, startedAt);
    if ((s.activePipelines === 0 && !s.analyzerConsumers && s.receiverChildren === 0) || Date.now() > deadline) return s;
    await new Promise((r) => setTimeout(r, 250));
  }
}
