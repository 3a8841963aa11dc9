import { z } from 'zod';
import { emotionProbsSchema, emotionSchema } from './emotions.ts';
import { idSchema, roomIdSchema } from './signalling.ts';

/**
 * Sessions and roles. A facilitator creates a session (a call with a purpose) and gets two links:
 * the facilitator link (dashboard + report) and the participant invite (the call). Each carries a
 * signed role token (session-token.ts, server side); the session id is also the call's room id.
 *
 * The token payload is readable by anyone holding the link (base64url JSON) so the join page can
 * show what the participant consents to before joining; only servers holding SESSION_SECRET can
 * issue or verify one, so the SFU and the analyzer trust nothing but the signature.
 *
 * HTTP API (served by the analyzer, which owns the data; see apps/analyzer/README.md):
 *   POST   /api/sessions                     create (open: anyone may facilitate a session)
 *   GET    /api/sessions/:id                 facilitator: session + roster
 *   GET    /api/sessions/:id/report          facilitator: SessionReport JSON
 *   GET    /api/sessions/:id/samples.csv     facilitator: every stored sample (SAMPLE_CSV_COLUMNS)
 *   GET    /api/sessions/:id/samples.json    facilitator: every stored sample (EmotionSample[])
 *   DELETE /api/sessions/:id                 facilitator: erase the session and all its data
 * Auth: `Authorization: Bearer <facilitator token>`; 401 without a valid token, 403 for a token of
 * another role or another session. The /dashboard socket.io namespace takes the same token in
 * `handshake.auth.token`.
 */

export const SESSION_SECRET_ENV = 'SESSION_SECRET';
/** Shorter secrets are refused at start: the secret is what makes a facilitator link unforgeable. */
export const MIN_SESSION_SECRET_LENGTH = 16;

export const ROLES = ['facilitator', 'participant'] as const;
export const roleSchema = z.enum(ROLES);
export type Role = z.infer<typeof roleSchema>;

export const MAX_SESSION_TITLE = 120;
export const DEFAULT_RETENTION_DAYS = 30;
export const MAX_RETENTION_DAYS = 365;

/** Random, unguessable session ids (128 bits, base64url): the invite link is the capability. */
export const sessionIdSchema = roomIdSchema;

export const sessionTitleSchema = z
  .string()
  .transform((s) => s.trim())
  .pipe(z.string().min(1, 'a title is required').max(MAX_SESSION_TITLE));

export const createSessionRequestSchema = z.object({
  title: sessionTitleSchema,
  /** Off: a plain call, nobody is analysed whatever they tick. */
  analysisEnabled: z.boolean(),
  /** Stored estimates are deleted this many days after the session ends. */
  retentionDays: z.number().int().min(1).max(MAX_RETENTION_DAYS).default(DEFAULT_RETENTION_DAYS),
  /** What the estimates are for, shown to participants before they consent. */
  purpose: z.string().trim().max(280).default(''),
});
export type CreateSessionRequest = z.input<typeof createSessionRequestSchema>;

/** What a role token says (signed by the server that issued it). */
export const sessionTokenPayloadSchema = z.object({
  v: z.literal(1),
  sid: sessionIdSchema,
  role: roleSchema,
  title: z.string().max(MAX_SESSION_TITLE),
  purpose: z.string().max(280),
  analysis: z.boolean(),
  retentionDays: z.number().int().min(1).max(MAX_RETENTION_DAYS),
  /** Issued at, ms since the epoch. */
  iat: z.number().int().nonnegative(),
});
export type SessionTokenPayload = z.infer<typeof sessionTokenPayloadSchema>;

export const sessionInfoSchema = z.object({
  sessionId: sessionIdSchema,
  title: z.string(),
  purpose: z.string(),
  analysisEnabled: z.boolean(),
  retentionDays: z.number().int(),
  createdAt: z.number().int().nonnegative(),
  /** When the last participant left (the session can be rejoined; it ends for good on deletion). */
  endedAt: z.number().int().nonnegative().nullable(),
});
export type SessionInfo = z.infer<typeof sessionInfoSchema>;

export const createSessionResponseSchema = z.object({
  session: sessionInfoSchema,
  facilitatorToken: z.string(),
  participantToken: z.string(),
});
export type CreateSessionResponse = z.infer<typeof createSessionResponseSchema>;

export const rosterEntrySchema = z.object({
  participantId: idSchema,
  displayName: z.string().max(64),
  analysisConsent: z.boolean(),
  joinedAt: z.number().int().nonnegative(),
  leftAt: z.number().int().nonnegative().nullable(),
});
export type RosterEntry = z.infer<typeof rosterEntrySchema>;

export const sessionDetailsSchema = z.object({ session: sessionInfoSchema, participants: z.array(rosterEntrySchema) });
export type SessionDetails = z.infer<typeof sessionDetailsSchema>;

/** Links a facilitator shares: the key rides in the URL fragment, so it never reaches a server log. */
export function facilitatorPath(sessionId: string, token: string, page: 'dashboard' | 'report' = 'dashboard'): string {
  return `/session/${encodeURIComponent(sessionId)}/${page}#key=${encodeURIComponent(token)}`;
}
export function invitePath(sessionId: string, token: string): string {
  return `/room/${encodeURIComponent(sessionId)}#invite=${encodeURIComponent(token)}`;
}
/** Reads `key` or `invite` from a location hash ("#key=…"). */
export function tokenFromHash(hash: string, name: 'key' | 'invite'): string | null {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const value = params.get(name);
  return value && value.length > 0 ? value : null;
}

/**
 * Decodes a token's payload WITHOUT checking its signature: for display only (the join page's
 * consent text). Servers use verifySessionToken (session-token.ts).
 */
export function readSessionTokenPayload(token: string): SessionTokenPayload | null {
  const [body] = token.split('.');
  if (!body) return null;
  try {
    const b64 = body.replace(/-/g, '+').replace(/_/g, '/');
    const json = typeof atob === 'function' ? new TextDecoder().decode(Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))) : '';
    const parsed = sessionTokenPayloadSchema.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

// ---- post-session report -----------------------------------------------------------------------

/** Share of the time each emotion was dominant, over the windows with a face. */
export const emotionShareSchema = z.record(emotionSchema, z.number().min(0).max(1));

export const moodPointSchema = z.object({
  t: z.number().int().nonnegative(),
  /** Mean probabilities over the participants with a face at t; null when nobody's face was visible. */
  probs: emotionProbsSchema.nullable(),
  valence: z.number().min(-1).max(1).nullable(),
  /** Participants whose estimate went into this point. */
  faces: z.number().int().nonnegative(),
});
export type MoodPoint = z.infer<typeof moodPointSchema>;

export const keyMomentSchema = z.object({
  t: z.number().int().nonnegative(),
  /** Who shifted (null: the room as a whole). */
  participantId: idSchema.nullable(),
  from: emotionSchema,
  to: emotionSchema,
  /** Size of the shift: total-variation distance between the estimates before and after (0..1). */
  magnitude: z.number().min(0).max(1),
  valenceChange: z.number().min(-2).max(2),
});
export type KeyMoment = z.infer<typeof keyMomentSchema>;

export const participantReportSchema = z.object({
  participantId: idSchema,
  displayName: z.string(),
  analysed: z.boolean(),
  samples: z.number().int().nonnegative(),
  /** Mean probabilities over the windows with a face (null: none). */
  meanProbs: emotionProbsSchema.nullable(),
  dominantShare: emotionShareSchema,
  meanValence: z.number().min(-1).max(1).nullable(),
  /** Down-sampled timeline for charts. */
  timeline: z.array(moodPointSchema),
  /** Data quality. */
  faceVisibleShare: z.number().min(0).max(1),
  noFaceMs: z.number().int().nonnegative(),
  /** Time between consecutive windows beyond what the stride explains (analysis gaps, camera off). */
  gapMs: z.number().int().nonnegative(),
  meanQuality: z.number().min(0).max(1).nullable(),
  consentChanges: z.array(z.object({ t: z.number().int().nonnegative(), analysisConsent: z.boolean() })),
});
export type ParticipantReport = z.infer<typeof participantReportSchema>;

export const sessionReportSchema = z.object({
  session: sessionInfoSchema,
  generatedAt: z.number().int().nonnegative(),
  /** First and last sample time (null: no samples). */
  from: z.number().int().nonnegative().nullable(),
  to: z.number().int().nonnegative().nullable(),
  totalSamples: z.number().int().nonnegative(),
  models: z.array(z.string()),
  participants: z.array(participantReportSchema),
  roomMood: z.array(moodPointSchema),
  keyMoments: z.array(keyMomentSchema),
  /** Plain-language notes on what the numbers can and cannot say. */
  qualityNotes: z.array(z.string()),
});
export type SessionReport = z.infer<typeof sessionReportSchema>;
