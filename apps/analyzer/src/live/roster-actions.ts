import type { RosterParticipant } from '@moodroom/shared';
import type { RosterEvent } from '../sfu-link/sfu-link.ts';

export type RosterAction =
  | { type: 'join'; participant: RosterParticipant }
  | { type: 'consent'; roomId: string; peerId: string; analysisConsent: boolean }
  | { type: 'leave'; roomId: string; peerId: string };

export const rosterKey = (roomId: string, peerId: string) => `${roomId}\u0000${peerId}`;

/**
 * Pure: what the analyzer records for one roster event, given who it believes is present. A
 * snapshot (after every SFU reconnection) is diffed against that belief, so people who left while
 * the link was down are marked as gone and everyone present is (re)announced.
 */
export function rosterActions(present: ReadonlySet<string>, event: RosterEvent): { actions: RosterAction[]; present: Set<string> } {
  const next = new Set(present);
  const actions: RosterAction[] = [];
  switch (event.type) {
    case 'snapshot': {
      const inSnapshot = new Set(event.participants.map((p) => rosterKey(p.roomId, p.peerId)));
      for (const k of present) {
        if (inSnapshot.has(k)) continue;
        const [roomId, peerId] = k.split('\u0000') as [string, string];
        actions.push({ type: 'leave', roomId, peerId });
        next.delete(k);
      }
      for (const participant of event.participants) {
        actions.push({ type: 'join', participant });
        next.add(rosterKey(participant.roomId, participant.peerId));
      }
      break;
    }
    case 'joined':
      actions.push({ type: 'join', participant: event.participant });
      next.add(rosterKey(event.participant.roomId, event.participant.peerId));
      break;
    case 'consent':
      if (present.has(rosterKey(event.roomId, event.peerId))) actions.push({ type: 'consent', roomId: event.roomId, peerId: event.peerId, analysisConsent: event.analysisConsent });
      break;
    case 'left':
      if (next.delete(rosterKey(event.roomId, event.peerId))) actions.push({ type: 'leave', roomId: event.roomId, peerId: event.peerId });
      break;
  }
  return { actions, present: next };
}
