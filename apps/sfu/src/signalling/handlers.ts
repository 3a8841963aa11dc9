import { randomUUID } from 'node:crypto';
import { AckableError } from '@moodroom/shared';
import { describeTokenProblem, verifySessionToken } from '@moodroom/shared/session-token';
import { Peer, type Notify, type PeerSession } from '../peer.ts';
import type { RoomRegistry } from '../room-registry.ts';
import type { Handlers } from './dispatcher.ts';
import { requireJoined, type Session } from './session.ts';

/** Leaves the session's room, if any (explicit leave, disconnect). */
export function leaveRoom(registry: RoomRegistry, session: Session): void {
  const joined = session.joined;
  session.joined = undefined;
  if (joined && !joined.peer.closed) registry.leave(joined.room, joined.peer);
}

/** The protocol's client events (packages/shared/src/signalling.ts), one handler each. */
/**
 * The session an invite grants, or an error ack that says what to do. A bad invite is refused rather
 * than downgraded to a plain call: the participant expects the session they were invited to.
 */
export function sessionFromInvite(sessionSecret: string | undefined, roomId: string, invite: string | undefined): PeerSession | null {
  if (invite === undefined) return null;
  if (!sessionSecret) throw new AckableError('UNAVAILABLE', 'this SFU has no SESSION_SECRET, so it cannot check invite links: set the same SESSION_SECRET as the analyzer (npm start does)');
  const check = verifySessionToken(sessionSecret, invite, { role: 'participant', sessionId: roomId });
  if (!check.ok) throw new AckableError('FORBIDDEN', `invite refused: ${describeTokenProblem(check.reason)}`);
  const { title, purpose, analysis, retentionDays } = check.payload;
  return { title, purpose, analysisEnabled: analysis, retentionDays };
}

export function createHandlers(registry: RoomRegistry, sessionSecret?: string): Handlers {
  return {
    async join(session, { roomId, displayName, analysisConsent, invite }) {
      if (session.joined && !session.joined.peer.closed) {
        throw new AckableError('CONFLICT', `already in room ${session.joined.room.id}; leave first`);
      }
      const granted = sessionFromInvite(sessionSecret, roomId, invite);
      const notify: Notify = (event, payload) => session.emit(event, payload);
      const peer = new Peer(randomUUID(), displayName, analysisConsent, notify, granted);
      const { room, peers } = await registry.join(roomId, peer);
      session.joined = { room, peer };
      return { peerId: peer.id, roomId: room.id, routerRtpCapabilities: room.router.rtpCapabilities, peers, session: granted, analysisConsent: peer.analysisConsent };
    },

    async createTransport(session, { direction }) {
      const { room, peer } = requireJoined(session);
      return room.createTransport(peer, direction);
    },

    async connectTransport(session, { transportId, dtlsParameters }) {
      const { room, peer } = requireJoined(session);
      await room.connectTransport(peer, transportId, dtlsParameters);
      return {};
    },

    async restartIce(session, { transportId }) {
      const { room, peer } = requireJoined(session);
      return room.restartIce(peer, transportId);
    },

    async produce(session, request) {
      const { room, peer } = requireJoined(session);
      return room.produce(peer, request);
    },

    async closeProducer(session, { producerId }) {
      const { room, peer } = requireJoined(session);
      room.closeProducer(peer, producerId);
      return {};
    },

    async pauseProducer(session, { producerId }) {
      const { room, peer } = requireJoined(session);
      await room.setProducerPaused(peer, producerId, true);
      return {};
    },

    async resumeProducer(session, { producerId }) {
      const { room, peer } = requireJoined(session);
      await room.setProducerPaused(peer, producerId, false);
      return {};
    },

    async consume(session, request) {
      const { room, peer } = requireJoined(session);
      return room.consume(peer, request);
    },

    async resumeConsumer(session, { consumerId }) {
      const { room, peer } = requireJoined(session);
      await room.resumeConsumer(peer, consumerId);
      return {};
    },

    async setPreferredLayers(session, { consumerId, spatialLayer, temporalLayer }) {
      const { room, peer } = requireJoined(session);
      await room.setPreferredLayers(peer, consumerId, spatialLayer, temporalLayer);
      return {};
    },

    async setAnalysisConsent(session, { analysisConsent }) {
      const { room, peer } = requireJoined(session);
      room.setAnalysisConsent(peer, analysisConsent);
      return {};
    },

    async leave(session) {
      requireJoined(session);
      leaveRoom(registry, session);
      return {};
    },
  };
}
