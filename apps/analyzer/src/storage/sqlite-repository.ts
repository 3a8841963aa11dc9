import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { EMOTIONS, type EmotionProbs, type EmotionSample } from '@moodroom/shared';
import type { AnalyticsRepository, ConsentEvent, ParticipantRecord, SampleQuery, SessionRecord } from './repository.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS sessions (
  session_id TEXT PRIMARY KEY,
  room_id TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  ended_at INTEGER,
  title TEXT NOT NULL DEFAULT '',
  purpose TEXT NOT NULL DEFAULT '',
  analysis_enabled INTEGER NOT NULL DEFAULT 1,
  retention_days INTEGER
);
CREATE TABLE IF NOT EXISTS participants (
  session_id TEXT NOT NULL REFERENCES sessions(session_id) ON DELETE CASCADE,
  participant_id TEXT NOT NULL,
  display_name TEXT NOT NULL,
  joined_at INTEGER NOT NULL,
  left_at INTEGER,
  PRIMARY KEY (session_id, participant_id)
);
CREATE TABLE IF NOT EXISTS consent_events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  session_id TEXT NOT NULL,
  participant_id TEXT NOT NULL,
  t INTEGER NOT NULL,
  analysis_consent INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS consent_events_by_session ON consent_events (session_id, t);
CREATE INDEX IF NOT EXISTS consent_events_by_t ON consent_events (t);
CREATE TABLE IF NOT EXISTS samples (
  session_id TEXT NOT NULL,
  participant_id TEXT NOT NULL,
  t INTEGER NOT NULL,
  window_start INTEGER NOT NULL,
  ${EMOTIONS.map((e) => `p_${e} REAL`).join(',\n  ')},
  dominant TEXT,
  valence REAL,
  face_present INTEGER NOT NULL,
  face_count INTEGER NOT NULL,
  quality REAL NOT NULL,
  model TEXT NOT NULL,
  PRIMARY KEY (session_id, participant_id, t)
);
CREATE INDEX IF NOT EXISTS samples_by_session_t ON samples (session_id, t);
CREATE INDEX IF NOT EXISTS samples_by_t ON samples (t);
`;

interface SampleRow {
  session_id: string;
  participant_id: string;
  t: number;
  window_start: number;
  dominant: string | null;
  valence: number | null;
  face_present: number;
  face_count: number;
  quality: number;
  model: string;
  [key: `p_${string}`]: number | null;
}

/**
 * SQLite (better-sqlite3, WAL) implementation of AnalyticsRepository. Calls are synchronous
 * underneath and short (batched inserts in one transaction); the Promise interface is for
 * drop-in server databases.
 */
export class SqliteAnalyticsRepository implements AnalyticsRepository {
  private readonly db: Database.Database;
  private readonly insertSample: Database.Statement;

  constructor(path: string) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('foreign_keys = ON');
    this.db.exec(SCHEMA);
    migrateSessionsTable(this.db);
    const cols = ['session_id', 'participant_id', 't', 'window_start', ...EMOTIONS.map((e) => `p_${e}`), 'dominant', 'valence', 'face_present', 'face_count', 'quality', 'model'];
    this.insertSample = this.db.prepare(
      `INSERT INTO samples (${cols.join(', ')}) VALUES (${cols.map((c) => `@${c}`).join(', ')}) ON CONFLICT (session_id, participant_id, t) DO NOTHING`,
    );
  }

  async upsertSession(s: SessionRecord): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO sessions (session_id, room_id, started_at, ended_at, title, purpose, analysis_enabled, retention_days) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (session_id) DO UPDATE SET room_id = excluded.room_id, ended_at = excluded.ended_at`,
      )
      .run(s.sessionId, s.roomId, s.startedAt, s.endedAt, s.title, s.purpose, s.analysisEnabled ? 1 : 0, s.retentionDays);
  }

  async setSessionEnded(sessionId: string, endedAt: number | null): Promise<void> {
    this.db.prepare('UPDATE sessions SET ended_at = ? WHERE session_id = ?').run(endedAt, sessionId);
  }

  async getSession(sessionId: string): Promise<SessionRecord | null> {
    const row = this.db.prepare('SELECT * FROM sessions WHERE session_id = ?').get(sessionId) as SessionRow | undefined;
    return row
      ? {
          sessionId: row.session_id,
          roomId: row.room_id,
          startedAt: row.started_at,
          endedAt: row.ended_at,
          title: row.title,
          purpose: row.purpose,
          analysisEnabled: row.analysis_enabled === 1,
          retentionDays: row.retention_days,
        }
      : null;
  }

  async upsertParticipant(p: ParticipantRecord): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO participants (session_id, participant_id, display_name, joined_at, left_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (session_id, participant_id) DO UPDATE SET display_name = excluded.display_name, left_at = excluded.left_at`,
      )
      .run(p.sessionId, p.participantId, p.displayName, p.joinedAt, p.leftAt);
  }

  async listParticipants(sessionId: string): Promise<ParticipantRecord[]> {
    const rows = this.db
      .prepare('SELECT participant_id, display_name, joined_at, left_at FROM participants WHERE session_id = ? ORDER BY joined_at, participant_id')
      .all(sessionId) as { participant_id: string; display_name: string; joined_at: number; left_at: number | null }[];
    return rows.map((r) => ({ sessionId, participantId: r.participant_id, displayName: r.display_name, joinedAt: r.joined_at, leftAt: r.left_at }));
  }

  async appendConsentEvent(e: ConsentEvent): Promise<void> {
    this.db
      .prepare('INSERT INTO consent_events (session_id, participant_id, t, analysis_consent) VALUES (?, ?, ?, ?)')
      .run(e.sessionId, e.participantId, e.t, e.analysisConsent ? 1 : 0);
  }

  async listConsentEvents(sessionId: string): Promise<ConsentEvent[]> {
    const rows = this.db
      .prepare('SELECT participant_id, t, analysis_consent FROM consent_events WHERE session_id = ? ORDER BY t, id')
      .all(sessionId) as { participant_id: string; t: number; analysis_consent: number }[];
    return rows.map((r) => ({ sessionId, participantId: r.participant_id, t: r.t, analysisConsent: r.analysis_consent === 1 }));
  }

  async appendSamples(batch: readonly EmotionSample[]): Promise<{ inserted: number }> {
    const insertAll = this.db.transaction((samples: readonly EmotionSample[]) => {
      let inserted = 0;
      for (const s of samples) inserted += this.insertSample.run(toRow(s)).changes;
      return inserted;
    });
    return { inserted: insertAll(batch) };
  }

  async listSamples(sessionId: string, query: SampleQuery = {}): Promise<EmotionSample[]> {
    const where = ['session_id = @sessionId'];
    if (query.participantId !== undefined) where.push('participant_id = @participantId');
    if (query.from !== undefined) where.push('t >= @from');
    if (query.to !== undefined) where.push('t < @to');
    const rows = this.db
      .prepare(`SELECT * FROM samples WHERE ${where.join(' AND ')} ORDER BY t, participant_id LIMIT @limit`)
      .all({ sessionId, participantId: query.participantId, from: query.from, to: query.to, limit: query.limit ?? 100_000 }) as SampleRow[];
    return rows.map(fromRow);
  }

  async deleteSession(sessionId: string): Promise<void> {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM samples WHERE session_id = ?').run(sessionId);
      this.db.prepare('DELETE FROM consent_events WHERE session_id = ?').run(sessionId);
      this.db.prepare('DELETE FROM sessions WHERE session_id = ?').run(sessionId);
    })();
  }

  async deleteOlderThan(ts: number): Promise<{ samples: number; consentEvents: number; sessions: number }> {
    return this.db.transaction(() => ({
      samples: this.db.prepare('DELETE FROM samples WHERE t < ?').run(ts).changes,
      consentEvents: this.db.prepare('DELETE FROM consent_events WHERE t < ?').run(ts).changes,
      sessions: this.db.prepare('DELETE FROM sessions WHERE ended_at IS NOT NULL AND ended_at < ?').run(ts).changes,
    }))();
  }

  async deleteExpiredSessions(now: number): Promise<{ sessions: number }> {
    const expired = this.db
      .prepare('SELECT session_id FROM sessions WHERE ended_at IS NOT NULL AND retention_days IS NOT NULL AND ended_at + retention_days * 86400000 < ?')
      .all(now) as { session_id: string }[];
    for (const { session_id } of expired) await this.deleteSession(session_id);
    return { sessions: expired.length };
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

interface SessionRow {
  session_id: string;
  room_id: string;
  started_at: number;
  ended_at: number | null;
  title: string;
  purpose: string;
  analysis_enabled: number;
  retention_days: number | null;
}

/** Databases written before sessions had titles get the new columns (CREATE TABLE IF NOT EXISTS leaves them as they were). */
function migrateSessionsTable(db: Database.Database): void {
  const have = new Set((db.prepare('PRAGMA table_info(sessions)').all() as { name: string }[]).map((c) => c.name));
  const columns: [string, string][] = [
    ['title', "TEXT NOT NULL DEFAULT ''"],
    ['purpose', "TEXT NOT NULL DEFAULT ''"],
    ['analysis_enabled', 'INTEGER NOT NULL DEFAULT 1'],
    ['retention_days', 'INTEGER'],
  ];
  for (const [name, type] of columns) if (!have.has(name)) db.exec(`ALTER TABLE sessions ADD COLUMN ${name} ${type}`);
}

function toRow(s: EmotionSample): Record<string, unknown> {
  const row: Record<string, unknown> = {
    session_id: s.sessionId,
    participant_id: s.participantId,
    t: s.t,
    window_start: s.windowStart,
    dominant: s.dominant,
    valence: s.valence,
    face_present: s.facePresent ? 1 : 0,
    face_count: s.faceCount,
    quality: s.quality,
    model: s.model,
  };
  for (const e of EMOTIONS) row[`p_${e}`] = s.probs ? s.probs[e] : null;
  return row;
}

function fromRow(r: SampleRow): EmotionSample {
  const probs = r.face_present ? (Object.fromEntries(EMOTIONS.map((e) => [e, r[`p_${e}`] ?? 0])) as EmotionProbs) : null;
  return {
    sessionId: r.session_id,
    participantId: r.participant_id,
    t: r.t,
    windowStart: r.window_start,
    probs,
    dominant: probs ? (r.dominant as EmotionSample['dominant']) : null,
    valence: probs ? r.valence : null,
    facePresent: r.face_present === 1,
    faceCount: r.face_count,
    quality: r.quality,
    model: r.model,
  };
}
