import { AckableError } from '@moodroom/shared';
import type { Peer } from '../peer.ts';
import type { Room } from '../room.ts';

/** What one signalling connection is: at most one peer in one room at a time. */
export interface Session {
  readonly socketId: string;
  /** Sends a server event to this connection. */
  readonly emit: (event: string, payload: unknown) => void;
  joined?: { room: Room; peer: Peer };
}

/** The session's live membership; a peer closed by a room reset no longer counts. */
export function requireJoined(session: Session): { room: Room; peer: Peer } {
  const joined = session.joined;
  if (!joined || joined.peer.closed) {
    session.joined = undefined;
    throw new AckableError('NOT_JOINED', 'join a room first');
  }
  return joined;
}
