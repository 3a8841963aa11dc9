import type { MediaKind, MediaSource, PeerInfo } from '@moodroom/shared';

/**
 * The call as the UI sees it: a pure reducer over events from the SFU and the local media, so the
 * rules (who is in the room, which tiles show video, what status we're in) are testable without a
 * browser. Media objects (tracks) are only referenced, never inspected.
 */

export type CallStatus = 'idle' | 'connecting' | 'joined' | 'reconnecting' | 'left' | 'error';

export type CallErrorKind = 'sfu-unreachable' | 'join-failed' | 'media-failed' | 'connection-lost';

export interface CallError {
  kind: CallErrorKind;
  message: string;
}

export interface RemoteMedia {
  producerId: string;
  consumerId: string | null;
  kind: MediaKind;
  source: MediaSource;
  /** The sender paused it (mic muted, camera off). */
  paused: boolean;
  track: MediaStreamTrack | null;
}

export interface RemotePeer {
  peerId: string;
  displayName: string;
  /** Keyed by producer id. */
  media: Record<string, RemoteMedia>;
}

export interface CallState {
  status: CallStatus;
  roomId: string;
  selfPeerId: string | null;
  displayName: string;
  micEnabled: boolean;
  cameraEnabled: boolean;
  /** Keyed by peer id, in join order (object key order). */
  peers: Record<string, RemotePeer>;
  error: CallError | null;
  /** A problem the call survives (e.g. the camera could not be turned back on), shown until dismissed or fixed. */
  notice: string | null;
  /** How many times we rejoined after a lost connection or a room reset. */
  rejoins: number;
  /** The facilitated session (from the SFU's check of our invite); null in a plain call. */
  session: JoinedSession | null;
  /** Whether our camera is being analysed now, as the SFU confirmed it. */
  analysisConsent: boolean;
}

export interface JoinedSession {
  title: string;
  purpose: string;
  analysisEnabled: boolean;
  retentionDays: number;
}

export type CallAction =
  | { type: 'connecting' }
  | { type: 'joined'; selfPeerId: string; peers: PeerInfo[]; session?: JoinedSession | null; analysisConsent?: boolean }
  | { type: 'analysisConsent'; analysisConsent: boolean }
  | { type: 'peerJoined'; peerId: string; displayName: string }
  | { type: 'peerLeft'; peerId: string }
  | { type: 'producerAdded'; peerId: string; producerId: string; kind: MediaKind; source: MediaSource; paused: boolean }
  | { type: 'producerRemoved'; producerId: string }
  | { type: 'producerPaused'; producerId: string; paused: boolean }
  | { type: 'consumerAttached'; producerId: string; consumerId: string; track: MediaStreamTrack }
  | { type: 'consumerDetached'; consumerId: string }
  | { type: 'localMedia'; micEnabled?: boolean; cameraEnabled?: boolean }
  | { type: 'notice'; message: string | null }
  | { type: 'reconnecting' }
  | { type: 'left' }
  | { type: 'error'; error: CallError };

export function initialCallState(roomId: string, displayName: string): CallState {
  return {
    status: 'idle',
    roomId,
    selfPeerId: null,
    displayName,
    micEnabled: true,
    cameraEnabled: true,
    peers: {},
    error: null,
    notice: null,
    rejoins: 0,
    session: null,
    analysisConsent: false,
  };
}

function mapMedia(state: CallState, fn: (media: RemoteMedia) => RemoteMedia | null): CallState {
  let changed = false;
  const peers: Record<string, RemotePeer> = {};
  for (const [peerId, peer] of Object.entries(state.peers)) {
    const media: Record<string, RemoteMedia> = {};
    for (const [producerId, m] of Object.entries(peer.media)) {
      const next = fn(m);
      if (next !== m) changed = true;
      if (next) media[producerId] = next;
    }
    peers[peerId] = { ...peer, media };
  }
  return changed ? { ...state, peers } : state;
}

export function callReducer(state: CallState, action: CallAction): CallState {
  switch (action.type) {
    case 'connecting':
      return { ...state, status: 'connecting', error: null };
    case 'joined': {
      const peers: Record<string, RemotePeer> = {};
      for (const p of action.peers) {
        const media: Record<string, RemoteMedia> = {};
        for (const pr of p.producers) {
          media[pr.producerId] = { producerId: pr.producerId, consumerId: null, kind: pr.kind, source: pr.source, paused: pr.paused, track: null };
        }
        peers[p.peerId] = { peerId: p.peerId, displayName: p.displayName, media };
      }
      const rejoins = state.status === 'reconnecting' ? state.rejoins + 1 : state.rejoins;
      return { ...state, status: 'joined', selfPeerId: action.selfPeerId, peers, error: null, rejoins, session: action.session ?? null, analysisConsent: action.analysisConsent ?? false };
    }
    case 'analysisConsent':
      return state.analysisConsent === action.analysisConsent ? state : { ...state, analysisConsent: action.analysisConsent };
    case 'peerJoined':
      if (action.peerId === state.selfPeerId || state.peers[action.peerId]) return state;
      return { ...state, peers: { ...state.peers, [action.peerId]: { peerId: action.peerId, displayName: action.displayName, media: {} } } };
    case 'peerLeft': {
      if (!state.peers[action.peerId]) return state;
      const { [action.peerId]: _gone, ...peers } = state.peers;
      return { ...state, peers };
    }
    case 'producerAdded': {
      const peer = state.peers[action.peerId];
      if (!peer) return state;
      const existing = peer.media[action.producerId];
      const media: RemoteMedia = existing
        ? { ...existing, paused: action.paused }
        : { producerId: action.producerId, consumerId: null, kind: action.kind, source: action.source, paused: action.paused, track: null };
      return { ...state, peers: { ...state.peers, [peer.peerId]: { ...peer, media: { ...peer.media, [action.producerId]: media } } } };
    }
    case 'producerRemoved':
      return mapMedia(state, (m) => (m.producerId === action.producerId ? null : m));
    case 'producerPaused':
      return mapMedia(state, (m) => (m.producerId === action.producerId && m.paused !== action.paused ? { ...m, paused: action.paused } : m));
    case 'consumerAttached':
      return mapMedia(state, (m) => (m.producerId === action.producerId ? { ...m, consumerId: action.consumerId, track: action.track } : m));
    case 'consumerDetached':
      return mapMedia(state, (m) => (m.consumerId === action.consumerId ? { ...m, consumerId: null, track: null } : m));
    case 'localMedia':
      return {
        ...state,
        micEnabled: action.micEnabled ?? state.micEnabled,
        cameraEnabled: action.cameraEnabled ?? state.cameraEnabled,
        // The camera came back on: whatever kept it off is solved.
        notice: action.cameraEnabled ? null : state.notice,
      };
    case 'notice':
      return state.notice === action.message ? state : { ...state, notice: action.message };
    case 'reconnecting':
      // Everything the SFU knew about us is gone; the peer list comes back with the rejoin.
      return { ...state, status: 'reconnecting', peers: {}, selfPeerId: null };
    case 'left':
      return { ...state, status: 'left', peers: {}, selfPeerId: null, notice: null };
    case 'error':
      return { ...state, status: 'error', error: action.error, peers: {}, selfPeerId: null };
  }
}

/** The media a tile shows for a peer: its camera (or screen) video and its mic. */
export function tileMedia(peer: RemotePeer): { video: RemoteMedia | null; audio: RemoteMedia | null } {
  const all = Object.values(peer.media);
  return {
    video: all.find((m) => m.kind === 'video' && m.source === 'camera') ?? all.find((m) => m.kind === 'video') ?? null,
    audio: all.find((m) => m.kind === 'audio') ?? null,
  };
}
