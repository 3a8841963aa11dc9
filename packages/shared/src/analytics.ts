import { z } from 'zod';
import { emotionProbsSchema, emotionSchema } from './emotions.ts';
import { idSchema } from './signalling.ts';
import { rosterEntrySchema, sessionInfoSchema } from './sessions.ts';

/**
 * What the analyzer produces and publishes: one EmotionSample per analysed window per
 * participant, and the "/dashboard" socket.io namespace's events (server → dashboard).
 *
 * Every value here is an ESTIMATE from a facial-expression model; UIs must present it as such.
 */

/**
 * One analysed window of one participant.
 *
 * A window without a usable face carries no emotion at all: `probs`, `dominant` and `valence` are
 * null (never a made-up "neutral"), so charts show a gap instead of a fake calm.
 */
export const emotionSampleSchema = z
  .object({
    sessionId: idSchema,
    participantId: idSchema,
    /** ms since the epoch of the window's last frame. */
    t: z.number().int().nonnegative(),
    /** ms since the epoch of the window's first frame. */
    windowStart: z.number().int().nonnegative(),
    /** Canonical 7-class probabilities (smoothed over time), or null when no face was seen. */
    probs: emotionProbsSchema.nullable(),
    dominant: emotionSchema.nullable(),
    /** Rough pleasant (+1) ↔ unpleasant (−1) estimate from `probs` (valenceOf), null without a face. */
    valence: z.number().min(-1).max(1).nullable(),
    facePresent: z.boolean(),
    /** Faces seen in the window's frames (max); >1 means someone else is in the picture. */
    faceCount: z.number().int().nonnegative(),
    /** 0..1: share of the window's frames with a usable face × their landmark confidence. */
    quality: z.number().min(0).max(1),
    /** Name of the model that produced the estimate (its `moodroom.name`). */
    model: z.string().min(1).max(128),
  })
  .superRefine((s, ctx) => {
    if (s.windowStart > s.t) ctx.addIssue({ code: 'custom', path: ['windowStart'], message: 'windowStart must be ≤ t' });
    const hasEstimate = s.probs !== null;
    if (hasEstimate !== s.facePresent) {
      ctx.addIssue({ code: 'custom', path: ['probs'], message: 'probs must be null exactly when facePresent is false' });
    }
    if ((s.dominant !== null) !== hasEstimate || (s.valence !== null) !== hasEstimate) {
      ctx.addIssue({ code: 'custom', path: ['dominant'], message: 'dominant and valence must be null exactly when probs is null' });
    }
  });
export type EmotionSample = z.infer<typeof emotionSampleSchema>;

export const participantJoinedSchema = z.object({
  sessionId: idSchema,
  participantId: idSchema,
  displayName: z.string().max(64),
  /** Whether this participant currently allows analysis; samples only ever exist for consenting ones. */
  analysisConsent: z.boolean(),
  t: z.number().int().nonnegative(),
});
export type ParticipantJoined = z.infer<typeof participantJoinedSchema>;

export const participantLeftSchema = z.object({
  sessionId: idSchema,
  participantId: idSchema,
  t: z.number().int().nonnegative(),
});
export type ParticipantLeft = z.infer<typeof participantLeftSchema>;

export const consentChangedSchema = z.object({
  sessionId: idSchema,
  participantId: idSchema,
  analysisConsent: z.boolean(),
  t: z.number().int().nonnegative(),
});
export type ConsentChanged = z.infer<typeof consentChangedSchema>;

export const participantAnalysisStatusSchema = z.object({
  participantId: idSchema,
  /** Frames per second that actually went through face tracking, over the last status period. */
  analysedFps: z.number().nonnegative(),
  /** Frames dropped so far (rate limit or a busy stage): drops are by design, never queued. */
  droppedFrames: z.number().int().nonnegative(),
  /** Window → estimate latency (queue wait + inference), ms; null before the first estimate. */
  latencyP50Ms: z.number().nonnegative().nullable(),
  latencyP95Ms: z.number().nonnegative().nullable(),
});
export type ParticipantAnalysisStatus = z.infer<typeof participantAnalysisStatusSchema>;

export const analyzerStatusSchema = z.object({
  sessionId: idSchema,
  t: z.number().int().nonnegative(),
  /** The analysis rate every pipeline currently runs at (lowered under overload). */
  effectiveFps: z.number().positive(),
  /** Current window stride, ms (raised under overload). */
  strideMs: z.number().int().positive(),
  /** 0 = full rate; higher = stepped down further because inference could not keep up. */
  loadLevel: z.number().int().nonnegative(),
  overloaded: z.boolean(),
  inferenceQueueDepth: z.number().int().nonnegative(),
  participants: z.array(participantAnalysisStatusSchema),
});
export type AnalyzerStatus = z.infer<typeof analyzerStatusSchema>;

/** socket.io namespace the dashboard connects to. */
export const DASHBOARD_NAMESPACE = '/dashboard';

/** Server → dashboard events on DASHBOARD_NAMESPACE, with their payload schemas. */
export const AnalyticsEvents = {
  sample: emotionSampleSchema,
  participantJoined: participantJoinedSchema,
  participantLeft: participantLeftSchema,
  consentChanged: consentChangedSchema,
  analyzerStatus: analyzerStatusSchema,
} as const;
export type AnalyticsEventName = keyof typeof AnalyticsEvents;
export type AnalyticsEventPayload<E extends AnalyticsEventName> = z.infer<(typeof AnalyticsEvents)[E]>;

/** Dashboard → server events (payload, ack); the ack receives Ack<response>. */
export const AnalyticsClientEvents = {
  /**
   * Start receiving one session's events (only the session of the facilitator token the socket
   * connected with). The answer catches a dashboard up: the session, its roster and the samples
   * of the last `historyMs` (default 5 minutes, at most 30).
   */
  subscribe: {
    request: z.object({ sessionId: idSchema, historyMs: z.number().int().min(0).max(30 * 60_000).optional() }),
    response: z.object({ sessionId: idSchema, session: sessionInfoSchema, participants: z.array(rosterEntrySchema), recentSamples: z.array(emotionSampleSchema) }),
  },
  unsubscribe: { request: z.object({ sessionId: idSchema }), response: z.object({}) },
} as const;
export type AnalyticsClientEventName = keyof typeof AnalyticsClientEvents;
export type AnalyticsClientResponse<E extends AnalyticsClientEventName> = z.infer<(typeof AnalyticsClientEvents)[E]['response']>;
