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
  /** A stream's first window after this much frame time (see slidingWindow); default the span. */
  firstWindowMs?: number;
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
  private readonly lanes = new Map<string, Promise<void>>();
  private readonly now: () => number;

  constructor(private readonly deps: AnalyzerServiceDeps<L>) {
    this.now = deps.now ?? Date.now;
  }

  /**
   * Roster changes of one participant run one after another: the SFU's roster and camera events
   * both lead here, and a join still writing must not race the consent change behind it.
   */
  private serial(k: string, task: () => Promise<void>): Promise<void> {
    const run = (this.lanes.get(k) ?? Promise.resolve()).then(task);
    const lane = run.catch(() => undefined);
    this.lanes.set(k, lane);
    void lane.then(() => {
      if (this.lanes.get(k) === lane) this.lanes.delete(k);
    });
    return run;
  }

  participantJoined(p: { sessionId: string; roomId: string; participantId: string; displayName: string; analysisConsent: boolean }): Promise<void> {
    return this.serial(key(p.sessionId, p.participantId), () => this.join(p));
  }

  consentChanged(sessionId: string, participantId: string, analysisConsent: boolean): Promise<void> {
    return this.serial(key(sessionId, participantId), () => this.changeConsent(sessionId, participantId, analysisConsent));
  }

  participantLeft(sessionId: string, participantId: string, displayName = ''): Promise<void> {
    return this.serial(key(sessionId, participantId), () => this.leave(sessionId, participantId, displayName));
  }

  private async join(p: { sessionId: string; roomId: string; participantId: string; displayName: string; analysisConsent: boolean }): Promise<void> {
    const already = this.participants.get(key(p.sessionId, p.participantId));
    if (already) {
      // Announced again (the SFU link reconnected): only a changed consent is news.
      await this.changeConsent(p.sessionId, p.participantId, p.analysisConsent);
      return;
    }
    const t = this.now();
    const existing = await this.deps.repo.getSession(p.sessionId);
    if (!existing) {
      // A session the analyzer did not create (e.g. the recorded-video CLI): no title, the global retention.
      await this.deps.repo.upsertSession({ sessionId: p.sessionId, roomId: p.roomId, startedAt: t, endedAt: null, title: '', purpose: '', analysisEnabled: true, retentionDays: null });
    } else if (existing.endedAt !== null) {
      await this.deps.repo.setSessionEnded(p.sessionId, null);
    }
    await this.deps.repo.upsertParticipant({ sessionId: p.sessionId, participantId: p.participantId, displayName: p.displayName, joinedAt: t, leftAt: null });
    await this.deps.repo.appendConsentEvent({ sessionId: p.sessionId, participantId: p.participantId, t, analysisConsent: p.analysisConsent });
    this.participants.set(key(p.sessionId, p.participantId), { sessionId: p.sessionId, participantId: p.participantId, consent: p.analysisConsent, pipeline: null });
    this.deps.publisher.publish('participantJoined', { sessionId: p.sessionId, participantId: p.participantId, displayName: p.displayName, analysisConsent: p.analysisConsent, t });
  }

  /** Records and announces a consent change; the same state again is not a change (nothing recorded). */
  private async changeConsent(sessionId: string, participantId: string, analysisConsent: boolean): Promise<void> {
    const p = this.require(sessionId, participantId);
    if (p.consent === analysisConsent) return;
    p.consent = analysisConsent;
    if (!analysisConsent) this.stopAnalysis(sessionId, participantId);
    const t = this.now();
    await this.deps.repo.appendConsentEvent({ sessionId, participantId, t, analysisConsent });
    this.deps.publisher.publish('consentChanged', { sessionId, participantId, analysisConsent, t });
  }

  isKnown(sessionId: string, participantId: string): boolean {
    return this.participants.has(key(sessionId, participantId));
  }

  private async leave(sessionId: string, participantId: string, displayName: string): Promise<void> {
    this.stopAnalysis(sessionId, participantId);
    const wasPresent = this.participants.delete(key(sessionId, participantId));
    // Told twice (roster and camera both saw the leave): the first one counted.
    if (!wasPresent && !displayName) return;
    const t = this.now();
    const known = (await this.deps.repo.listParticipants(sessionId)).find((x) => x.participantId === participantId);
    if (known) await this.deps.repo.upsertParticipant({ ...known, leftAt: t });
    else if (displayName) await this.deps.repo.upsertParticipant({ sessionId, participantId, displayName, joinedAt: t, leftAt: t });
    // The last one out ends the session: its retention period starts now.
    if (wasPresent && ![...this.participants.values()].some((x) => x.sessionId === sessionId)) await this.deps.repo.setSessionEnded(sessionId, t);
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
        ...(this.deps.firstWindowMs !== undefined ? { firstWindowMs: this.deps.firstWindowMs } : {}),
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

  /** The session's data is being erased: stop analysing everyone in it (they stay in the call). */
  stopSession(sessionId: string): void {
    for (const p of this.participants.values()) if (p.sessionId === sessionId) this.stopAnalysis(p.sessionId, p.participantId);
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
