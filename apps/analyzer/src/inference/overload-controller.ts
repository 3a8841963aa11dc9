import type { AnalysisSettings } from '../pipeline/participant-pipeline.ts';
import { percentile } from '../pipeline/participant-stats.ts';

export interface OverloadControllerOptions {
  /** Settings from full rate (index 0) to the most reduced. */
  levels: AnalysisSettings[];
  /** Consecutive over-budget evaluations before stepping down. */
  downAfter?: number;
  /** Consecutive calm evaluations before stepping back up (hysteresis: slower than down). */
  upAfter?: number;
  /** "Calm" means p95 latency below this share of the stride. */
  recoverRatio?: number;
  /** Latencies kept for the percentile. */
  historySize?: number;
}

/**
 * Decides the analysis rate for everyone from how late estimates are. A window must be analysed
 * before the next one arrives; when p95 (queue wait + inference) or the oldest waiting window's
 * age exceeds the stride, it steps down one level (lower fps, then longer stride); when latency
 * stays well under the stride for a while it steps back up. Pure: the caller feeds it latencies
 * and calls evaluate() on a timer.
 */
export class OverloadController {
  private readonly levels: AnalysisSettings[];
  private readonly downAfter: number;
  private readonly upAfter: number;
  private readonly recoverRatio: number;
  private readonly historySize: number;
  private level = 0;
  private latencies: number[] = [];
  private overStreak = 0;
  private calmStreak = 0;

  constructor(options: OverloadControllerOptions) {
    if (options.levels.length === 0) throw new Error('OverloadController: at least one level is required');
    this.levels = options.levels;
    this.downAfter = options.downAfter ?? 2;
    this.upAfter = options.upAfter ?? 10;
    this.recoverRatio = options.recoverRatio ?? 0.5;
    this.historySize = options.historySize ?? 50;
  }

  record(latencyMs: number): void {
    this.latencies.push(latencyMs);
    if (this.latencies.length > this.historySize) this.latencies.splice(0, this.latencies.length - this.historySize);
  }

  get settings(): AnalysisSettings {
    return this.levels[this.level]!;
  }

  get levelIndex(): number {
    return this.level;
  }

  get overloaded(): boolean {
    return this.level > 0;
  }

  /** Returns true when the level changed. `oldestWaitMs`: age of the oldest still-queued window. */
  evaluate(oldestWaitMs = 0): boolean {
    const stride = this.settings.strideMs;
    const p95 = percentile(this.latencies, 95) ?? 0;
    const worst = Math.max(p95, oldestWaitMs);
    if (worst > stride) {
      this.overStreak++;
      this.calmStreak = 0;
    } else if (worst < this.recoverRatio * stride) {
      this.calmStreak++;
      this.overStreak = 0;
    } else {
      this.overStreak = 0;
      this.calmStreak = 0;
    }
    if (this.overStreak >= this.downAfter && this.level < this.levels.length - 1) return this.moveTo(this.level + 1);
    if (this.calmStreak >= this.upAfter && this.level > 0) return this.moveTo(this.level - 1);
    return false;
  }

  private moveTo(level: number): boolean {
    this.level = level;
    // Old latencies describe the old rate; judge the new one on its own.
    this.latencies = [];
    this.overStreak = 0;
    this.calmStreak = 0;
    return true;
  }
}

/** Step-down ladder from the configured rate: fewer frames first, then a longer stride. */
export function defaultLevels(fps: number, strideMs: number): AnalysisSettings[] {
  const levels: AnalysisSettings[] = [
    { fps, strideMs },
    { fps: Math.max(1, Math.round((fps * 2) / 3)), strideMs },
    { fps: Math.max(1, Math.round(fps / 2)), strideMs: Math.round(strideMs * 1.5) },
    { fps: Math.max(1, Math.round(fps / 3)), strideMs: strideMs * 2 },
    { fps: Math.max(1, Math.round(fps / 3)), strideMs: strideMs * 3 },
  ];
  return levels.filter((l, i) => i === 0 || l.fps !== levels[i - 1]!.fps || l.strideMs !== levels[i - 1]!.strideMs);
}
