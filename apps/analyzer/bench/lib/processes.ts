import type { LiveRig } from './live-rig.ts';
import { childPids } from './proc-stats.ts';

export interface WatchedProcess {
  label: string;
  pid: number;
}

/** Receiver children are `node … receiver/child.ts` (receiver-process.ts spawns them). */
export const RECEIVER_CHILD_MATCH = 'receiver/child.ts';

/**
 * The processes a load run is about, found afresh on each call (receivers come and go): the
 * analyzer process, each receiver child (children of the analyzer), the SFU's mediasoup workers.
 * Parts running elsewhere are found through the pids given for them, if any.
 */
export function rigProcesses(rig: LiveRig, external: { analyzerPid?: number; sfuPid?: number } = {}): WatchedProcess[] {
  const out: WatchedProcess[] = [];
  const analyzerPid = rig.local.analyzer ? process.pid : (rig.local.analyzerPid ?? external.analyzerPid);
  if (analyzerPid !== undefined) {
    // In-process, this one process also runs the SFU's Node side and the publishers' encoders.
    out.push({ label: rig.local.analyzer ? 'load tool: analyzer + SFU signalling + publishers' : 'analyzer', pid: analyzerPid });
    for (const pid of childPids(analyzerPid, RECEIVER_CHILD_MATCH)) out.push({ label: 'receiver child', pid });
  }
  const workers = rig.local.sfu ? rig.local.sfu.sfu.pool.liveWorkers.map((w) => w.pid) : external.sfuPid !== undefined ? childPids(external.sfuPid, 'mediasoup-worker') : [];
  if (!rig.local.sfu && external.sfuPid !== undefined) out.push({ label: 'SFU (Node)', pid: external.sfuPid });
  for (const pid of workers) out.push({ label: 'mediasoup worker', pid });
  return out;
}
