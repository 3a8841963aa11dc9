import { EventEmitter } from 'node:events';

/**
 * The seam for the analyzer (a later issue). The analyzer will join rooms as a privileged,
 * server-side peer (service token) and consume the camera producers listed here; it must never see
 * anything else. This module only *reports* which cameras may be analysed: the camera producers of
 * participants whose analysisConsent is true. It carries ids only, no media and no names.
 *
 * Rooms recompute their consenting cameras after every change and emit the difference, so the
 * events cannot drift from the room's state: a camera is "available" exactly while its producer
 * exists, belongs to a consenting peer, and the room's router is alive.
 */
export interface AnalysisCamera {
  roomId: string;
  peerId: string;
  producerId: string;
}

export type CameraGoneReason = 'producerClosed' | 'consentWithdrawn' | 'peerLeft' | 'roomReset' | 'roomClosed';

export interface AnalysisFeedEvents {
  cameraAvailable: [AnalysisCamera];
  cameraUnavailable: [AnalysisCamera & { reason: CameraGoneReason }];
  consentChanged: [{ roomId: string; peerId: string; analysisConsent: boolean }];
}

export class AnalysisFeed extends EventEmitter<AnalysisFeedEvents> {}

/** Minimal view of a room's peers that decides which cameras are analysable. */
export interface ConsentView {
  peerId: string;
  analysisConsent: boolean;
  producers: { producerId: string; source: string }[];
}

/** Pure: the analysable cameras of a room, keyed by producer id. */
export function consentingCameras(roomId: string, peers: Iterable<ConsentView>): Map<string, AnalysisCamera> {
  const cameras = new Map<string, AnalysisCamera>();
  for (const peer of peers) {
    if (!peer.analysisConsent) continue;
    for (const p of peer.producers) if (p.source === 'camera') cameras.set(p.producerId, { roomId, peerId: peer.peerId, producerId: p.producerId });
  }
  return cameras;
}

/** Pure: what appeared and what disappeared between two snapshots. */
export function diffCameras(
  before: ReadonlyMap<string, AnalysisCamera>,
  after: ReadonlyMap<string, AnalysisCamera>,
): { added: AnalysisCamera[]; removed: AnalysisCamera[] } {
  const added = [...after.values()].filter((c) => !before.has(c.producerId));
  const removed = [...before.values()].filter((c) => !after.has(c.producerId));
  return { added, removed };
}
