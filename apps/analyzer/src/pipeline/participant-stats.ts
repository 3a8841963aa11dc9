import type { ParticipantAnalysisStatus } from '@moodroom/shared';

/** Nearest-rank percentile of an unsorted list; null when empty. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

/**
 * Rolling per-participant numbers for analyzerStatus: analysed frame rate over the last
 * `fpsWindowMs`, total drops, and window latency percentiles over the last `latencySamples`.
 * Bounded memory: both histories are trimmed as they grow.
 */
export class ParticipantStats {
  framesReceived = 0;
  framesAnalysed = 0;
  framesDropped = 0;
  windowsInferred = 0;
  errors = 0;
  private analysedTimes: number[] = [];
  private latencies: number[] = [];

  constructor(
    readonly participantId: string,
    private readonly fpsWindowMs = 5000,
    private readonly latencySamples = 100,
  ) {}

  received(): void {
    this.framesReceived++;
  }

  dropped(): void {
    this.framesDropped++;
  }

  analysed(now: number): void {
    this.framesAnalysed++;
    this.analysedTimes.push(now);
    const cutoff = now - this.fpsWindowMs;
    if (this.analysedTimes[0]! < cutoff) this.analysedTimes = this.analysedTimes.filter((t) => t >= cutoff);
  }

  inferred(latencyMs: number): void {
    this.windowsInferred++;
    this.latencies.push(latencyMs);
    if (this.latencies.length > this.latencySamples) this.latencies.splice(0, this.latencies.length - this.latencySamples);
  }

  snapshot(now: number): ParticipantAnalysisStatus {
    const cutoff = now - this.fpsWindowMs;
    const recent = this.analysedTimes.filter((t) => t >= cutoff).length;
    return {
      participantId: this.participantId,
      analysedFps: recent / (this.fpsWindowMs / 1000),
      droppedFrames: this.framesDropped,
      latencyP50Ms: percentile(this.latencies, 50),
      latencyP95Ms: percentile(this.latencies, 95),
    };
  }
}
