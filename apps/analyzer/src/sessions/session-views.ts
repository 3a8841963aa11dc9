import type { RosterEntry, SessionInfo } from '@moodroom/shared';
import type { ConsentEvent, ParticipantRecord, SessionRecord } from '../storage/repository.ts';

/** Pure: what a facilitator sees of a stored session. */
export function sessionInfo(record: SessionRecord, defaultRetentionDays: number): SessionInfo {
  return {
    sessionId: record.sessionId,
    title: record.title || record.sessionId,
    purpose: record.purpose,
    analysisEnabled: record.analysisEnabled,
    retentionDays: record.retentionDays ?? defaultRetentionDays,
    createdAt: record.startedAt,
    endedAt: record.endedAt,
  };
}

/** Pure: participants with their current consent (the last recorded change; none recorded = no consent). */
export function rosterOf(participants: readonly ParticipantRecord[], consentEvents: readonly ConsentEvent[]): RosterEntry[] {
  const consent = new Map<string, boolean>();
  for (const e of [...consentEvents].sort((a, b) => a.t - b.t)) consent.set(e.participantId, e.analysisConsent);
  return participants.map((p) => ({
    participantId: p.participantId,
    displayName: p.displayName,
    analysisConsent: consent.get(p.participantId) ?? false,
    joinedAt: p.joinedAt,
    leftAt: p.leftAt,
  }));
}
