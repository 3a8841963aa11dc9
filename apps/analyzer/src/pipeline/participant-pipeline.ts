import { BehaviorSubject, map, Observable, tap, type OperatorFunction } from 'rxjs';
import type { EmotionSample } from '@moodroom/shared';
import type { FaceAligner, FaceTracker, TimedFrame } from '../ports.ts';
import { alignCrops } from './align-crops.ts';
import { inferWindows, type WindowInference } from './infer-windows.ts';
import { limitRate, limitRateByFrameTime } from './limit-rate.ts';
import { ParticipantStats } from './participant-stats.ts';
import { slidingWindow } from './sliding-window.ts';
import { smoothProbs } from './smooth-probs.ts';
import { toEmotionSample } from './to-emotion-sample.ts';
import { trackFace } from './track-face.ts';

/** Analysis rate and stride, shared by every pipeline; the overload controller moves them. */
export interface AnalysisSettings {
  fps: number;
  strideMs: number;
}

export interface ParticipantPipelineConfig {
  sessionId: string;
  participantId: string;
  /** Current analysis settings; must hold a value (BehaviorSubject). */
  settings: Observable<AnalysisSettings>;
  spanMs: number;
  /** Frame time before a stream's first window (see slidingWindow); default the whole span. */
  firstWindowMs?: number;
  halfLifeMs: number;
  maxGapMs?: number;
  minFaceShare?: number;
  /**
   * Which clock the rate limit runs on: 'wall' for live calls (frames arrive in real time),
   * 'frame' for recorded video decoded faster than real time. Default 'wall'.
   */
  rateClock?: 'wall' | 'frame';
}

export interface ParticipantPipelineDeps<L> {
  /** This participant's own tracker (trackers keep per-person state). */
  tracker: FaceTracker<L>;
  align: FaceAligner<L>;
  /** The shared inference service; its model metadata gives T, H, W and the model name. */
  inference: WindowInference;
  stats?: ParticipantStats;
  /** Per-stage hooks for metrics; all optional. */
  observe?: {
    stageMs?(stage: 'track' | 'align' | 'queue' | 'inference', ms: number): void;
    frameReceived?(): void;
    frameDropped?(reason: 'rate' | 'busy'): void;
    frameAnalysed?(): void;
    error?(message: string): void;
  };
  now?: () => number;
}

/**
 * One participant's analysis: frames → rate limit → face tracking → aligned crops → sliding
 * windows → shared inference → smoothing → EmotionSample. Plug any frame source in (a WebRTC
 * receiver, a recorded video): `frames$.pipe(createParticipantPipeline(config, deps))`.
 * Nothing in it queues frames: every stage drops when the next one is busy.
 */
export function createParticipantPipeline<L>(
  config: ParticipantPipelineConfig,
  deps: ParticipantPipelineDeps<L>,
): OperatorFunction<TimedFrame, EmotionSample> {
  const now = deps.now ?? Date.now;
  const stats = deps.stats;
  const obs = deps.observe ?? {};
  const model = deps.inference.model;
  const dropped = (reason: 'rate' | 'busy') => () => {
    stats?.dropped();
    obs.frameDropped?.(reason);
  };
  const fps$ = config.settings.pipe(map((s) => s.fps));
  const stride$ = config.settings.pipe(map((s) => s.strideMs));
  const timedTracker: FaceTracker<L> = {
    track(frame, t) {
      const started = performance.now();
      const done = <R>(r: R) => {
        obs.stageMs?.('track', performance.now() - started);
        return r;
      };
      const result = deps.tracker.track(frame, t);
      return result instanceof Promise ? result.then(done) : done(result);
    },
  };
  const timedAlign: FaceAligner<L> = (frame, landmarks, size) => {
    const started = performance.now();
    const result = deps.align(frame, landmarks, size);
    const done = <R>(r: R) => {
      obs.stageMs?.('align', performance.now() - started);
      return r;
    };
    return result instanceof Promise ? result.then(done) : done(result);
  };
  const onError = (message: string) => {
    if (stats) stats.errors++;
    obs.error?.(message);
  };

  return (frames$) =>
    frames$.pipe(
      tap(() => {
        stats?.received();
        obs.frameReceived?.();
      }),
      config.rateClock === 'frame'
        ? limitRateByFrameTime<TimedFrame>(fps$, { onDrop: dropped('rate') })
        : limitRate<TimedFrame>(fps$, { onDrop: dropped('rate') }),
      trackFace(timedTracker, dropped('busy')),
      tap(() => {
        stats?.analysed(now());
        obs.frameAnalysed?.();
      }),
      alignCrops(timedAlign, { width: model.width, height: model.height }, dropped('busy')),
      tap((f) => {
        // Carries tracking and alignment errors alike; the frame itself just counts as face-less.
        if (f.error) onError(`face analysis failed on a frame of ${config.participantId}: ${f.error}`);
      }),
      slidingWindow({ frames: model.frames, spanMs: config.spanMs, strideMs: stride$, ...(config.firstWindowMs !== undefined ? { firstWindowMs: config.firstWindowMs } : {}) }),
    ).pipe(
      inferWindows(deps.inference, { participantId: config.participantId, minFaceShare: config.minFaceShare ?? 0.25, onError }),
      tap((w) => {
        if (!w.facePresent) return;
        stats?.inferred(w.queueMs + w.inferenceMs);
        obs.stageMs?.('queue', w.queueMs);
        obs.stageMs?.('inference', w.inferenceMs);
      }),
      smoothProbs({ halfLifeMs: config.halfLifeMs, ...(config.maxGapMs !== undefined ? { maxGapMs: config.maxGapMs } : {}) }),
      toEmotionSample({ sessionId: config.sessionId, participantId: config.participantId, model: model.name }),
    );
}

export const fixedSettings = (settings: AnalysisSettings) => new BehaviorSubject(settings);
