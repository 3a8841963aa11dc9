import type { LiveRig, Publisher } from './live-rig.ts';
import { rigProcesses, type WatchedProcess } from './processes.ts';
import { cpuPercent, sampleProcess, type ProcessSample } from './proc-stats.ts';
import { mean, percentile } from './stats.ts';
import { cell, formatTable } from './table.ts';

export interface ParticipantResult {
  name: string;
  participantId: string;
  /**
   * Frames analysed a second over the measured span. In-process: counted (frames that reached the
   * pipeline minus those it dropped); elsewhere: the mean of the analyzer's own 5 s trailing rate
   * (analyzerStatus), which lags a participant who joined shortly before.
   */
  analysedFps: number;
  /** Frames the publisher handed to its encoder a second, over the measured span. */
  sentFps: number;
  /** Decoded frames that reached the pipeline a second (in-process: tapped; elsewhere: = sentFps). */
  receivedFps: number;
  droppedPct: number;
  samples: number;
  facePct: number;
  /** Frame handed to the encoder → its sample on /dashboard (null: analyzer not in this process). */
  endToEnd: number[] | null;
  /** Window's last frame decoded → sample on /dashboard. */
  decodeToDashboard: number[];
}

export interface ProcessResult extends WatchedProcess {
  cpuPct: number;
  rssBytes: number;
  threads: number;
  fds: number;
}

export interface LoadResult {
  seconds: number;
  participants: ParticipantResult[];
  processes: ProcessResult[];
  loadLevel: number | null;
}

/**
 * Measures a load run from `start()` (call it after the warm-up) to `finish()`: per participant
 * from the dashboard's own events (analyzerStatus and samples, as a facilitator sees them), per
 * process from /proc.
 */
export class LoadMeter {
  private startedAt = 0;
  private arrivalsFrom = 0;
  private statusesFrom = 0;
  private readonly base = new Map<string, { dropped: number; received: number; sent: number }>();
  private readonly procBase = new Map<number, ProcessSample>();

  constructor(
    private readonly rig: LiveRig,
    private readonly publishers: Publisher[],
    private readonly external: { analyzerPid?: number; sfuPid?: number } = {},
  ) {}

  start(): void {
    this.startedAt = Date.now();
    this.arrivalsFrom = this.rig.arrivals.length;
    this.statusesFrom = this.rig.statuses.length;
    for (const p of this.publishers) {
      const id = p.participant.peerId;
      this.base.set(id, { dropped: this.droppedSoFar(id), received: this.receivedSoFar(p), sent: p.sender.framesSent });
    }
    this.procBase.clear();
    for (const w of this.processes()) {
      const sample = sampleProcess(w.pid);
      if (sample) this.procBase.set(w.pid, sample);
    }
  }

  /** Figures for the progress line, over the whole run so far. */
  progress(): { samples: number; analysedFps: number; e2eP50: number } {
    const last = this.rig.statuses.at(-1)?.status;
    const arrivals = this.rig.arrivals.slice(-50);
    return {
      samples: this.rig.arrivals.length,
      analysedFps: last ? mean(last.participants.map((p) => p.analysedFps)) : NaN,
      e2eP50: percentile(arrivals.map((a) => this.endToEndMs(a)).filter((x): x is number => x !== null), 50),
    };
  }

  finish(): LoadResult {
    const seconds = (Date.now() - this.startedAt) / 1000;
    const statuses = this.rig.statuses.slice(this.statusesFrom).map((s) => s.status);
    const arrivals = this.rig.arrivals.slice(this.arrivalsFrom);
    const participants = this.publishers.map((p): ParticipantResult => {
      const id = p.participant.peerId;
      const base = this.base.get(id)!;
      const mine = arrivals.filter((a) => a.sample.participantId === id);
      const fps = statuses.flatMap((s) => s.participants.filter((x) => x.participantId === id).map((x) => x.analysedFps));
      const received = this.receivedSoFar(p) - base.received;
      const dropped = this.droppedSoFar(id) - base.dropped;
      return {
        name: p.name,
        participantId: id,
        analysedFps: this.rig.tap ? (received - dropped) / seconds : mean(fps),
        sentFps: (p.sender.framesSent - base.sent) / seconds,
        receivedFps: received / seconds,
        droppedPct: (100 * dropped) / Math.max(1, received),
        samples: mine.length,
        facePct: mine.length ? (100 * mine.filter((a) => a.sample.facePresent).length) / mine.length : NaN,
        endToEnd: this.rig.tap ? mine.map((a) => this.endToEndMs(a)).filter((x): x is number => x !== null) : null,
        decodeToDashboard: mine.map((a) => a.at - a.sample.t),
      };
    });
    const processes = this.processes().flatMap((w): ProcessResult[] => {
      const now = sampleProcess(w.pid);
      if (!now) return [];
      const before = this.procBase.get(w.pid);
      return [{ ...w, cpuPct: before ? cpuPercent(before, now, seconds) : NaN, rssBytes: now.rssBytes, threads: now.threads, fds: now.fds }];
    });
    return { seconds, participants, processes, loadLevel: statuses.at(-1)?.loadLevel ?? null };
  }

  private processes(): WatchedProcess[] {
    return rigProcesses(this.rig, this.external);
  }

  private droppedSoFar(participantId: string): number {
    for (let i = this.rig.statuses.length - 1; i >= 0; i--) {
      const p = this.rig.statuses[i]!.status.participants.find((x) => x.participantId === participantId);
      if (p) return p.droppedFrames;
    }
    return 0;
  }

  /** Frames that reached the pipeline (tapped in-process); elsewhere, frames the publisher sent. */
  private receivedSoFar(p: Publisher): number {
    return this.rig.tap ? this.rig.tap.framesReceived(p.participant.peerId) : p.sender.framesSent;
  }

  private endToEndMs(a: LiveRig['arrivals'][number]): number | null {
    const counter = this.rig.tap?.counterAt(a.sample.participantId, a.sample.t);
    if (counter === undefined) return null;
    const sender = this.publishers.find((p) => p.participant.peerId === a.sample.participantId)?.sender;
    const sentAt = sender?.sentAt.get(counter);
    return sentAt === undefined ? null : a.at - sentAt;
  }
}

const ms = (values: number[] | null, p: number) => (values ? cell(percentile(values, p)) : '–');

/** The final report: one row per participant, one per process. */
export function formatLoadResult(result: LoadResult, endToEndAvailable: boolean): string {
  const latency = endToEndAvailable ? 'capture→dashboard' : 'decode→dashboard';
  const participants = formatTable(
    ['participant', 'analysed fps', 'dropped %', 'samples', 'face %', `${latency} p50 ms`, 'p95', 'p99', 'decode→dash p50', 'p95'],
    result.participants.map((p) => {
      const primary = endToEndAvailable ? p.endToEnd : p.decodeToDashboard;
      return [p.name, cell(p.analysedFps, 1), cell(p.droppedPct, 1), String(p.samples), cell(p.facePct), ms(primary, 50), ms(primary, 95), ms(primary, 99), ms(p.decodeToDashboard, 50), ms(p.decodeToDashboard, 95)];
    }),
  );
  const processes = formatTable(
    ['process', 'pid', 'CPU % of a core', 'RSS MiB', 'threads', 'fds'],
    result.processes.map((p) => [p.label, String(p.pid), cell(p.cpuPct), cell(p.rssBytes / 2 ** 20), String(p.threads), String(p.fds)]),
  );
  const note = endToEndAvailable
    ? 'capture→dashboard: the frame handed to the encoder (counter stamped in its pixels) until its window\'s sample arrived on /dashboard'
    : 'decode→dashboard only (the analyzer runs elsewhere); add the receiver\'s capture→decode (bench:receiver) for capture-to-dashboard';
  return `${participants}\n  ${note}\n  dropped %: frames dropped by the pipeline (rate cap or busy) ÷ frames that reached it${endToEndAvailable ? '' : ' (here: ÷ frames sent)'}\n\n${processes}`;
}
