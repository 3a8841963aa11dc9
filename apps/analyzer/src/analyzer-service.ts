import type { Observable, Subscription } from 'rxjs';
import type { AnalyticsEventName, AnalyticsEventPayload, EmotionSample } from '@moodroom/shared';
import type { InferenceScheduler } from './inference/scheduler.ts';
import type { AnalyzerMetrics } from './metrics.ts';
import { createParticipantPipeline } from './pipeline/participant-pipeline.ts';
import { ParticipantStats } from './pipeline/participant-stats.ts';
import type { FaceAligner, FaceTracker, TimedFrame } from './ports.ts';
import type { BatchingSampleWriter } from './storage/batching-writer.ts';
import type { AnalyticsRepository } from './storage/repository.ts';

export interface EventPublisher {
  publish<E extends AnalyticsEventName>(event: E, payload: AnalyticsEventPayload<E>): boolean;
}

export interface AnalyzerServiceDeps<L> {
  inference: InferenceScheduler;
  repo: AnalyticsRepository;
  writer: BatchingSampleWriter;
  publisher: EventPublisher;
  metrics: AnalyzerMetrics;
  /** A fresh face tracker for one participant (trackers keep per-person state). */
  createTracker: () => FaceTracker<L>;
  align: FaceAligner<L>;
  spanMs: number;
  halfLifeMs: number;
  minFaceShare?: number;
  now?: () => number;
  onLog?: (message: string) => void;
}

interface Participant {
  sessionId: string;
  participantId: string;
  consent: boolean;
  pipeline: { subscription: Subscription; stats: ParticipantStats; tracker: FaceTracker<unknown> } | null;
}

const key = (sessionId: string, participantId: string) => `${sessionId}\u0000${participantId}`;

/**
 * Owns the per-participant pipelines of all sessions: starts analysis only for consenting
 * participants, stops it the moment consent is withdrawn or they leave, and fans samples out to
 * storage and the dashboard. A frame source (WebRTC receiver, recorded video) hands each
 * participant's frames to startAnalysis as an Observable.
 */
export class AnalyzerService<L> {
  private readonly participants = new Map<string, Participant>();
  private readonly now: () => number;

  constructor(private readonly deps: AnalyzerServiceDeps<L>) {
    this.now = deps.now ?? Date.now;
  }

  async participantJoined(p: { sessionId: string; roomId: string; participantId: string; displayName: string; analysisConsent: boolean }): Promise<void> {
    const t = this.now();
    const existing = await this.deps.repo.getSession(p.sessionId);
    if (!existing) await this.deps.repo.upsertSession({ sessionId: p.sessionId, roomId: p.roomId, startedAt: t, endedAt: null });
    await this.deps.repo.upsertParticipant({ sessionId: p.sessionId, participantId: p.participantId, displayName: p.displayName, joinedAt: t, leftAt: null });
    await this.deps.repo.appendConsentEvent({ sessionId: p.sessionId, participantId: p.participantId, t, analysisConsent: p.analysisConsent });
    this.participants.set(key(p.sessionId, p.participantId), { sessionId: p.sessionId, participantId: p.participantId, consent: p.analysisConsent, pipeline: null });
    this.deps.publisher.publish('participantJoined', { sessionId: p.sessionId, participantId: p.participantId, displayName: p.displayName, analysisConsent: p.analysisConsent, t });
  }

  async consentChanged(sessionId: string, participantId: string, analysisConsent: boolean): Promise<void> {
    const p = this.require(sessionId, participantId);
    p.consent = analysisConsent;
    if (!analysisConsent) this.stopAnalysis(sessionId, participantId);
    const t = this.now();
    await this.deps.repo.appendConsentEvent({ sessionId, participantId, t, analysisConsent });
    this.deps.publisher.publish('consentChanged', { sessionId, participantId, analysisConsent, t });
  }

  async participantLeft(sessionId: string, participantId: string, displayName = ''): Promise<void> {
    this.stopAnalysis(sessionId, participantId);
    this.participants.delete(key(sessionId, participantId));
    const t = this.now();
    const known = (await this.deps.repo.listParticipants(sessionId)).find((x) => x.participantId === participantId);
    if (known) await this.deps.repo.upsertParticipant({ ...known, leftAt: t });
    else if (displayName) await this.deps.repo.upsertParticipant({ sessionId, participantId, displayName, joinedAt: t, leftAt: t });
    this.deps.publisher.publish('participantLeft', { sessionId, participantId, t });
  }

  /** Starts analysing a consenting participant's frames; throws for one without consent. */
  startAnalysis(sessionId: string, participantId: string, frames$: Observable<TimedFrame>, options: { rateClock?: 'wall' | 'frame' } = {}): void {
    const p = this.require(sessionId, participantId);
    if (!p.consent) throw new Error(`participant ${participantId} has not consented to analysis; no frames may be analysed`);
    this.stopAnalysis(sessionId, participantId);
    const { metrics } = this.deps;
    const stats = new ParticipantStats(participantId);
    const tracker = this.deps.createTracker();
    const pipeline = createParticipantPipeline(
      {
        sessionId,
        participantId,
        settings: this.deps.inference.settings$,
        spanMs: this.deps.spanMs,
        halfLifeMs: this.deps.halfLifeMs,
        ...(this.deps.minFaceShare !== undefined ? { minFaceShare: this.deps.minFaceShare } : {}),
        ...(options.rateClock ? { rateClock: options.rateClock } : {}),
      },
      {
        tracker,
        align: this.deps.align,
        inference: this.deps.inference,
        stats,
        observe: {
          stageMs: (stage, ms) => metrics.stageSeconds.observe({ stage }, ms / 1000),
          frameReceived: () => metrics.framesReceived.inc(),
          frameDropped: (reason) => metrics.framesDropped.inc({ reason }),
          frameAnalysed: () => metrics.framesAnalysed.inc(),
          error: (message) => {
            metrics.pipelineErrors.inc();
            this.deps.onLog?.(message);
          },
        },
      },
    );
    const subscription = frames$.pipe(pipeline).subscribe({
      next: (sample) => this.emitSample(sample),
      error: (err: unknown) => {
        this.deps.onLog?.(`analysis of ${participantId} stopped: ${err instanceof Error ? err.message : err}`);
        this.stopAnalysis(sessionId, participantId);
      },
      complete: () => this.stopAnalysis(sessionId, participantId),
    });
    // A synchronous source may already have completed and cleaned up.
    if (!subscription.closed) {
      p.pipeline = { subscription, stats, tracker: tracker as FaceTracker<unknown> };
      metrics.activePipelines.set(this.activeCount);
    }
  }

  stopAnalysis(sessionId: string, participantId: string): void {
    const p = this.participants.get(key(sessionId, participantId));
    if (!p?.pipeline) return;
    const { subscription, tracker } = p.pipeline;
    p.pipeline = null;
    subscription.unsubscribe();
    tracker.close?.();
    this.deps.inference.forget(participantId);
    this.deps.metrics.activePipelines.set(this.activeCount);
  }

  get activeCount(): number {
    let n = 0;
    for (const p of this.participants.values()) if (p.pipeline) n++;
    return n;
  }

  /** Publishes analyzerStatus to every session with participants. */
  publishStatus(): void {
    const t = this.now();
    const { inference, metrics } = this.deps;
    const settings = inference.settings$.value;
    metrics.queueDepth.set(inference.queueDepth);
    metrics.loadLevel.set(inference.loadLevel);
    metrics.effectiveFps.set(settings.fps);
    const sessions = new Map<string, Participant[]>();
    for (const p of this.participants.values()) sessions.set(p.sessionId, [...(sessions.get(p.sessionId) ?? []), p]);
    for (const [sessionId, members] of sessions) {
      this.deps.publisher.publish('analyzerStatus', {
        sessionId,
        t,
        effectiveFps: settings.fps,
        strideMs: settings.strideMs,
        loadLevel: inference.loadLevel,
        overloaded: inference.overloaded,
        inferenceQueueDepth: inference.queueDepth,
        participants: members.filter((m) => m.pipeline).map((m) => m.pipeline!.stats.snapshot(t)),
      });
    }
  }

  async close(): Promise<void> {
    for (const p of this.participants.values()) this.stopAnalysis(p.sessionId, p.participantId);
    await this.deps.writer.close();
  }

  private emitSample(sample: EmotionSample): void {
    this.deps.metrics.samplesEmitted.inc({ face: String(sample.facePresent) });
    this.deps.writer.write(sample);
    this.deps.publisher.publish('sample', sample);
  }

  private require(sessionId: string, participantId: string): Participant {
    const p = this.participants.get(key(sessionId, participantId));
    if (!p) throw new Error(`unknown participant ${participantId} in session ${sessionId}: call participantJoined first`);
    return p;
  }
}
