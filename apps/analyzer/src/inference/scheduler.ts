import { BehaviorSubject, Observable } from 'rxjs';
import type { PackedWindow, WindowedModelInfo } from '../ports.ts';
import type { InferenceOutcome, WindowInference } from '../pipeline/infer-windows.ts';
import type { AnalysisSettings } from '../pipeline/participant-pipeline.ts';
import { FairWindowQueue } from './fair-queue.ts';
import { defaultLevels, OverloadController } from './overload-controller.ts';
import type { BatchRunner } from './worker-pool.ts';

export interface InferenceSchedulerOptions {
  /** Largest batch handed to one runner; 1 disables batching. */
  maxBatch: number;
  /** Configured (full-rate) analysis settings; the controller steps down from these. */
  settings: AnalysisSettings;
  controller?: OverloadController;
  /** How often the overload controller looks at latencies, ms (0: only when evaluate() is called). */
  evaluateEveryMs?: number;
  now?: () => number;
  onLevelChange?: (settings: AnalysisSettings, level: number) => void;
  onQueueDepth?: (depth: number) => void;
  onSuperseded?: (participantId: string) => void;
}

interface Job {
  window: PackedWindow;
  settle: (outcome: InferenceOutcome | Error) => void;
}

/**
 * Shares the inference runners among all participants: a bounded fair queue in front of a pool
 * of runners, batching only when there are more ready windows than idle runners (parallel runs
 * first, batches when the cores are already busy), and an overload controller whose settings
 * every pipeline follows (`settings$`).
 */
export class InferenceScheduler implements WindowInference {
  readonly settings$: BehaviorSubject<AnalysisSettings>;
  private readonly queue = new FairWindowQueue<Job>();
  private readonly controller: OverloadController;
  private readonly now: () => number;
  private readonly timer: ReturnType<typeof setInterval> | undefined;
  private closed = false;

  constructor(
    private readonly runner: BatchRunner,
    private readonly options: InferenceSchedulerOptions,
  ) {
    if (!(options.maxBatch >= 1)) throw new Error(`maxBatch must be ≥ 1, got ${options.maxBatch}`);
    this.controller = options.controller ?? new OverloadController({ levels: defaultLevels(options.settings.fps, options.settings.strideMs) });
    this.settings$ = new BehaviorSubject(this.controller.settings);
    this.now = options.now ?? (() => performance.now());
    const every = options.evaluateEveryMs ?? 1000;
    if (every > 0) {
      this.timer = setInterval(() => this.evaluate(), every);
      this.timer.unref();
    }
  }

  get model(): WindowedModelInfo {
    return this.runner.model;
  }

  get queueDepth(): number {
    return this.queue.depth;
  }

  get loadLevel(): number {
    return this.controller.levelIndex;
  }

  get overloaded(): boolean {
    return this.controller.overloaded;
  }

  infer(participantId: string, window: PackedWindow): Observable<InferenceOutcome> {
    return new Observable<InferenceOutcome>((subscriber) => {
      if (this.closed) {
        subscriber.error(new Error('inference scheduler is closed'));
        return;
      }
      const job: Job = {
        window,
        settle: (outcome) => {
          if (outcome instanceof Error) return subscriber.error(outcome);
          subscriber.next(outcome);
          subscriber.complete();
        },
      };
      const stale = this.queue.enqueue(participantId, job, this.now());
      if (stale) {
        this.options.onSuperseded?.(participantId);
        stale.settle({ status: 'superseded' });
      }
      this.options.onQueueDepth?.(this.queue.depth);
      this.pump();
      return () => {
        if (this.queue.withdraw(participantId, job)) this.options.onQueueDepth?.(this.queue.depth);
      };
    });
  }

  /** Drops a participant's waiting window (they left or withdrew consent). */
  forget(participantId: string): void {
    this.queue.remove(participantId)?.settle({ status: 'superseded' });
    this.options.onQueueDepth?.(this.queue.depth);
  }

  /** Runs the overload controller once; the timer calls this every `evaluateEveryMs`. */
  evaluate(): void {
    if (this.controller.evaluate(this.queue.oldestWaitMs(this.now()))) {
      this.settings$.next(this.controller.settings);
      this.options.onLevelChange?.(this.controller.settings, this.controller.levelIndex);
    }
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.settings$.complete();
  }

  private pump(): void {
    while (!this.closed) {
      const idle = this.runner.idle();
      const ready = this.queue.ready;
      if (idle === 0 || ready === 0) return;
      const batchSize = Math.min(this.options.maxBatch, Math.ceil(ready / idle));
      const taken = this.queue.take(batchSize);
      if (taken.length === 0) return;
      this.options.onQueueDepth?.(this.queue.depth);
      const startedAt = this.now();
      this.runner.run(taken.map((q) => q.job.window)).then(
        ({ probs, inferenceMs }) => {
          taken.forEach((q, i) => {
            this.queue.done(q.participantId);
            const queueMs = Math.max(0, startedAt - q.enqueuedAt);
            this.controller.record(queueMs + inferenceMs);
            q.job.settle({ status: 'done', probs: probs[i]!, queueMs, inferenceMs });
          });
          this.pump();
        },
        (err: unknown) => {
          const error = err instanceof Error ? err : new Error(String(err));
          for (const q of taken) {
            this.queue.done(q.participantId);
            q.job.settle(error);
          }
          this.pump();
        },
      );
    }
  }
}
