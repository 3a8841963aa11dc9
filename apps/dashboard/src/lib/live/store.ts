import type {
  AnalyzerStatus,
  ConsentChanged,
  EmotionSample,
  ParticipantJoined,
  ParticipantLeft,
  RosterEntry,
  RoomMood,
  SessionInfo,
} from '@moodroom/shared';
import { HISTORY_MS, MAX_ROOM_POINTS, MAX_SAMPLES_PER_PARTICIPANT, ROOM_POINT_MIN_GAP_MS } from './constants.ts';
import { consentState, type ConsentState } from './consent.ts';
import { RingBuffer } from './ring-buffer.ts';
import { roomMoodNow } from './room-mood.ts';

/**
 * The live state of one session as the dashboard sees it. Deliberately framework-free and
 * clock-free (every method takes `now`), so it is tested in node and React only renders it.
 *
 * It mutates in place (ring buffers are the point: bounded memory, no copying 5 minutes of samples
 * per event) and bumps `version` plus the touched participant's `revision` on every change, so
 * views can skip work when nothing they show has changed.
 */

export interface LiveParticipant {
  readonly participantId: string;
  displayName: string;
  analysisConsent: boolean;
  /** Whether analysis was allowed at some point (tells "withdrawn" from "declined"). */
  everConsented: boolean;
  consent: ConsentState;
  joinedAt: number;
  leftAt: number | null;
  /** When analysis was (last) allowed: the "no face for N s" clock starts here at the earliest. */
  analysisSince: number | null;
  readonly samples: RingBuffer<EmotionSample>;
  latest: EmotionSample | null;
  /** `t` of the newest window that saw a face (kept after that window is evicted). */
  lastFaceAt: number | null;
  revision: number;
}

export interface RoomMoodPoint {
  t: number;
  mood: RoomMood | null;
}

export interface SubscribeSnapshot {
  session: SessionInfo;
  participants: RosterEntry[];
  recentSamples: EmotionSample[];
}

export interface LiveStoreOptions {
  historyMs?: number;
  maxSamplesPerParticipant?: number;
}

export class LiveStore {
  session: SessionInfo | null = null;
  analyzer: AnalyzerStatus | null = null;
  /** Arrival order, which is the order cards are shown in (stable: no reshuffling while watching). */
  readonly participants = new Map<string, LiveParticipant>();
  readonly roomMood = new RingBuffer<RoomMoodPoint>(MAX_ROOM_POINTS);
  /** Bumped on every change. */
  version = 0;
  /** Bumped when the room-mood series changes. */
  roomRevision = 0;
  /** Bumped by tick(): time-axis views move even when no data arrives. */
  ticks = 0;
  private readonly historyMs: number;
  private readonly maxSamples: number;
  private readonly listeners = new Set<() => void>();

  constructor(
    readonly sessionId: string,
    options: LiveStoreOptions = {},
  ) {
    this.historyMs = options.historyMs ?? HISTORY_MS;
    this.maxSamples = options.maxSamplesPerParticipant ?? MAX_SAMPLES_PER_PARTICIPANT;
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  private changed(): void {
    this.version++;
    for (const l of this.listeners) l();
  }

  /**
   * Replaces everything with a subscribe answer (first connect and every reconnect: the server's
   * view is the truth; what happened while we were away is in `recentSamples`).
   */
  reset(snapshot: SubscribeSnapshot, now: number): void {
    this.session = snapshot.session;
    this.participants.clear();
    this.roomMood.clear();
    for (const entry of snapshot.participants) this.upsert(entry.participantId, entry.displayName, entry.analysisConsent, entry.joinedAt, entry.leftAt);
    const sorted = [...snapshot.recentSamples].sort((a, b) => a.t - b.t);
    // Replaying in time order rebuilds the room-mood series of the history too, not just "now".
    for (const s of sorted) if (this.ingest(s, now)) this.recordRoomPoint(s.t);
    this.recordRoomPoint(now);
    this.changed();
  }

  /** Returns whether the sample was applied (false: other session, not consenting, duplicate, too old). */
  applySample(sample: EmotionSample, now: number): boolean {
    if (!this.ingest(sample, now)) return false;
    this.recordRoomPoint(now);
    this.changed();
    return true;
  }

  applyJoined(e: ParticipantJoined): void {
    if (e.sessionId !== this.sessionId) return;
    this.upsert(e.participantId, e.displayName, e.analysisConsent, e.t, null);
    this.changed();
  }

  applyLeft(e: ParticipantLeft, now: number): void {
    const p = e.sessionId === this.sessionId ? this.participants.get(e.participantId) : undefined;
    if (!p) return;
    p.leftAt = e.t;
    p.revision++;
    this.recordRoomPoint(now);
    this.changed();
  }

  applyConsent(e: ConsentChanged, now: number): void {
    const p = e.sessionId === this.sessionId ? this.participants.get(e.participantId) : undefined;
    if (!p || p.analysisConsent === e.analysisConsent) return;
    this.setConsent(p, e.analysisConsent, e.t);
    this.recordRoomPoint(now);
    this.changed();
  }

  applyStatus(status: AnalyzerStatus): void {
    if (status.sessionId !== this.sessionId) return;
    this.analyzer = status;
    this.changed();
  }

  /** Time passing: evicts old windows and records a room point (estimates go stale without events). */
  tick(now: number): void {
    const cutoff = now - this.historyMs;
    for (const p of this.participants.values()) {
      if (p.samples.evictWhile((s) => s.t < cutoff) > 0) p.revision++;
    }
    this.roomMood.evictWhile((pt) => pt.t < cutoff);
    this.recordRoomPoint(now);
    this.ticks++;
    this.changed();
  }

  private upsert(id: string, displayName: string, consent: boolean, joinedAt: number, leftAt: number | null): LiveParticipant {
    let p = this.participants.get(id);
    if (!p) {
      p = {
        participantId: id,
        displayName,
        analysisConsent: consent,
        everConsented: consent,
        consent: consentState(consent, consent),
        joinedAt,
        leftAt,
        analysisSince: consent ? joinedAt : null,
        samples: new RingBuffer<EmotionSample>(this.maxSamples),
        latest: null,
        lastFaceAt: null,
        revision: 0,
      };
      this.participants.set(id, p);
      return p;
    }
    // A rejoin (or a late roster entry for a placeholder created by an early sample).
    p.displayName = displayName;
    p.joinedAt = Math.min(p.joinedAt, joinedAt);
    p.leftAt = leftAt;
    if (p.analysisConsent !== consent) this.setConsent(p, consent, joinedAt);
    p.revision++;
    return p;
  }

  private setConsent(p: LiveParticipant, consent: boolean, t: number): void {
    p.analysisConsent = consent;
    if (consent) {
      p.everConsented = true;
      p.analysisSince = t;
    } else {
      // Withdrawal means "stop looking at me": what we already hold is no longer shown either.
      p.samples.clear();
      p.latest = null;
      p.lastFaceAt = null;
      p.analysisSince = null;
    }
    p.consent = consentState(p.analysisConsent, p.everConsented);
    p.revision++;
  }

  private ingest(s: EmotionSample, now: number): boolean {
    if (s.sessionId !== this.sessionId) return false;
    if (s.t < now - this.historyMs) return false;
    let p = this.participants.get(s.participantId);
    // Samples exist only for consenting participants, so one from an unknown id means its join is
    // still on the way; keep the data, the join fills in the name.
    p ??= this.upsert(s.participantId, '', true, s.windowStart, null);
    if (!p.analysisConsent) return false;
    // Replays after a reconnect overlap with live events; time order makes duplicates detectable.
    if (p.latest && s.t <= p.latest.t) return false;
    p.samples.push(s);
    p.samples.evictWhile((old) => old.t < s.t - this.historyMs);
    p.latest = s;
    if (s.facePresent) p.lastFaceAt = s.t;
    p.revision++;
    return true;
  }

  /** `now` may lie in the past while a snapshot is replayed. */
  private recordRoomPoint(now: number): void {
    const point: RoomMoodPoint = { t: now, mood: roomMoodNow(this.participants.values(), now) };
    const last = this.roomMood.last();
    if (last && now - last.t < ROOM_POINT_MIN_GAP_MS) this.roomMood.replaceLast({ ...point, t: last.t });
    else this.roomMood.push(point);
    this.roomRevision++;
  }

  /** The room's mood at the most recent point (null: no face visible). */
  currentRoomMood(): RoomMood | null {
    return this.roomMood.last()?.mood ?? null;
  }
}
