import type { EmotionSample } from '@moodroom/shared';

/**
 * Everything the analyzer stores, behind an async interface so a PostgreSQL implementation can
 * satisfy it later: plain values in and out, no SQL dialect, times as ms since the epoch.
 * Emotion data is personal data: deleteSession and deleteOlderThan exist for erasure and retention.
 */
export interface SessionRecord {
  sessionId: string;
  roomId: string;
  startedAt: number;
  /** When its last participant left; null while someone is in (or nobody came yet). */
  endedAt: number | null;
  /** What the facilitator called it and what the estimates are for (shown to participants). */
  title: string;
  purpose: string;
  analysisEnabled: boolean;
  /** Days its data is kept after it ended; null: only the analyzer-wide ANALYZER_RETENTION_DAYS applies. */
  retentionDays: number | null;
}

export interface ParticipantRecord {
  sessionId: string;
  participantId: string;
  displayName: string;
  joinedAt: number;
  leftAt: number | null;
}

export interface ConsentEvent {
  sessionId: string;
  participantId: string;
  t: number;
  analysisConsent: boolean;
}

export interface SampleQuery {
  participantId?: string;
  /** Inclusive lower bound on sample time t. */
  from?: number;
  /** Exclusive upper bound on sample time t. */
  to?: number;
  /** At most this many samples (oldest first); default 100 000. */
  limit?: number;
}

export interface AnalyticsRepository {
  /** Creates the session, or updates its room/end time when it exists (title, purpose, analysis and retention never change). */
  upsertSession(session: SessionRecord): Promise<void>;
  /** Sets (or clears) the end time of an existing session. */
  setSessionEnded(sessionId: string, endedAt: number | null): Promise<void>;
  getSession(sessionId: string): Promise<SessionRecord | null>;
  upsertParticipant(participant: ParticipantRecord): Promise<void>;
  listParticipants(sessionId: string): Promise<ParticipantRecord[]>;
  appendConsentEvent(event: ConsentEvent): Promise<void>;
  listConsentEvents(sessionId: string): Promise<ConsentEvent[]>;
  /**
   * Stores samples idempotently: the key is (sessionId, participantId, t), so a batch delivered
   * twice (a retry after a failed flush) never duplicates. Returns how many were new.
   */
  appendSamples(batch: readonly EmotionSample[]): Promise<{ inserted: number }>;
  /** Samples of a session (optionally one participant, a time range), oldest first. */
  listSamples(sessionId: string, query?: SampleQuery): Promise<EmotionSample[]>;
  /** Erases a session and everything recorded in it. */
  deleteSession(sessionId: string): Promise<void>;
  /**
   * Retention: deletes samples and consent events older than `ts`, and sessions (with their
   * participants) that ended before `ts`. Returns what was deleted.
   */
  deleteOlderThan(ts: number): Promise<{ samples: number; consentEvents: number; sessions: number }>;
  /** Per-session retention: erases sessions whose own retentionDays have passed since they ended. */
  deleteExpiredSessions(now: number): Promise<{ sessions: number }>;
  close(): Promise<void>;
}
