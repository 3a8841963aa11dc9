import type { Subscription } from 'rxjs';
import type { AnalyzerService } from '../analyzer-service.ts';
import type { SfuLink } from '../sfu-link/sfu-link.ts';
import { rosterActions, type RosterAction } from './roster-actions.ts';

/**
 * Follows the SFU's roster of session participants: who joined (with their name), consent changes
 * and leaves are recorded and published to the session's facilitator, also for participants who are
 * never analysed (no consent, camera off). The room id is the session id.
 */
export function ingestRoster<L>(link: SfuLink, service: AnalyzerService<L>, onLog: (message: string) => void = () => {}): Subscription {
  let present = new Set<string>();
  return link.roster$.subscribe((event) => {
    const result = rosterActions(present, event);
    present = result.present;
    for (const action of result.actions) void apply(action).catch((err: unknown) => onLog(`roster ${action.type} failed: ${err instanceof Error ? err.message : err}`));
  });

  function apply(action: RosterAction): Promise<void> {
    switch (action.type) {
      case 'join': {
        const { roomId, peerId, displayName, analysisConsent } = action.participant;
        return service.participantJoined({ sessionId: roomId, roomId, participantId: peerId, displayName, analysisConsent });
      }
      case 'consent':
        return service.consentChanged(action.roomId, action.peerId, action.analysisConsent);
      case 'leave':
        return service.participantLeft(action.roomId, action.peerId);
    }
  }
}
