import type { EmotionSample } from '@moodroom/shared';
import type { AnalyticsRepository } from './repository.ts';

export interface BatchingWriterOptions {
  /** Flush as soon as this many samples wait. */
  maxBatch?: number;
  /** Flush at least this often while samples wait, ms. */
  flushIntervalMs?: number;
  /**
   * Samples kept while the database is failing; beyond it the OLDEST are dropped (and counted):
   * memory stays bounded during an outage.
   */
  maxBuffered?: number;
  onError?: (message: string) => void;
}

/**
 * Collects samples and writes them in batches (one transaction per flush instead of one per
 * sample). A failed flush keeps its samples for the next one: with idempotent sample keys that is
 * at-least-once delivery without duplicates. close() flushes what is left, so a clean shutdown
 * loses nothing.
 */
export class BatchingSampleWriter {
  private buffer: EmotionSample[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** Serialises flushes so a retry never races a newer batch. */
  private chain: Promise<void> = Promise.resolve();
  private inFlight = 0;
  private closed = false;
  dropped = 0;
  written = 0;
  private readonly maxBatch: number;
  private readonly flushIntervalMs: number;
  private readonly maxBuffered: number;

  constructor(
    private readonly repo: AnalyticsRepository,
    private readonly options: BatchingWriterOptions = {},
  ) {
    this.maxBatch = options.maxBatch ?? 200;
    this.flushIntervalMs = options.flushIntervalMs ?? 1000;
    this.maxBuffered = options.maxBuffered ?? 100_000;
  }

  get pending(): number {
    return this.buffer.length;
  }

  write(sample: EmotionSample): void {
    if (this.closed) throw new Error('sample writer is closed');
    this.buffer.push(sample);
    this.trim();
    if (this.buffer.length >= this.maxBatch) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.flushIntervalMs);
  }

  /** Writes everything waiting now; resolves when it is stored (or the attempt failed). Flushes run one at a time. */
  flush(): Promise<void> {
    const run = this.chain.then(() => this.flushOnce());
    this.chain = run;
    return run;
  }

  private async flushOnce(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.buffer.length === 0) return;
    const batch = this.buffer;
    this.buffer = [];
    this.inFlight = batch.length;
    try {
      await this.repo.appendSamples(batch);
      this.written += batch.length;
    } catch (err) {
      // Put them back in front of anything newer; the next flush retries them.
      this.buffer = batch.concat(this.buffer);
      this.trim();
      this.options.onError?.(`storing ${batch.length} samples failed (will retry): ${err instanceof Error ? err.message : err}`);
      if (!this.closed) this.timer ??= setTimeout(() => void this.flush(), this.flushIntervalMs);
    } finally {
      this.inFlight = 0;
    }
  }

  private trim(): void {
    const excess = this.buffer.length + this.inFlight - this.maxBuffered;
    if (excess > 0) {
      const n = Math.min(excess, this.buffer.length);
      this.buffer.splice(0, n);
      this.dropped += n;
    }
  }

  /** Stops accepting samples and flushes the rest (retrying a few times). */
  async close(retries = 3): Promise<void> {
    this.closed = true;
    await this.chain;
    for (let i = 0; i <= retries && this.buffer.length > 0; i++) await this.flush();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.buffer.length > 0) this.options.onError?.(`${this.buffer.length} samples could not be stored at shutdown`);
  }
}
