import { EventEmitter } from 'node:events';
import type { AnalysableCamera, CameraUnavailableReason, RosterParticipant } from '@moodroom/shared';

/**
 * Which cameras may be analysed: the unpaused camera producers of participants whose
 * analysisConsent is true. The analyzer link (src/analyzer/) forwards these events to the analyzer
 * and lets it consume exactly these producers. Ids only, no media and no names.
 *
 * Rooms recompute their analysable cameras after every change and emit the difference, so the
 * events cannot drift from the room's state: a camera is "available" exactly while its producer
 * exists, is not paused, belongs to a consenting peer, and the room's router is alive.
 */
export type AnalysisCamera = AnalysableCamera;
export type CameraGoneReason = CameraUnavailableReason;

export interface AnalysisFeedEvents {
  cameraAvailable: [AnalysisCamera];
  cameraUnavailable: [AnalysisCamera & { reason: CameraGoneReason }];
  consentChanged: [{ roomId: string; peerId: string; analysisConsent: boolean }];
  /** Session participants only (peers with a verified invite): the analyzer's roster. */
  participantJoined: [RosterParticipant];
  participantLeft: [{ roomId: string; peerId: string }];
}

export class AnalysisFeed extends EventEmitter<AnalysisFeedEvents> {}

/** Minimal view of a room's peers that decides which cameras are analysable. */
export interface ConsentView {
  peerId: string;
  analysisConsent: boolean;
  producers: { producerId: string; source: string; paused: boolean }[];
}

/** Pure: the analysable cameras (consenting, camera, not paused) of a room, keyed by producer id. */
export function consentingCameras(roomId: string, peers: Iterable<ConsentView>): Map<string, AnalysisCamera> {
  const cameras = new Map<string, AnalysisCamera>();
  for (const peer of peers) {
    if (!peer.analysisConsent) continue;
    for (const p of peer.producers) if (p.source === 'camera' && !p.paused) cameras.set(p.producerId, { roomId, peerId: peer.peerId, producerId: p.producerId });
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
