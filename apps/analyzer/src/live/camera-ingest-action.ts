import type { CameraChange } from '../sfu-link/camera-set.ts';

export type CameraIngestAction = 'join-and-analyse' | 'analyse' | 'withdraw' | 'leave' | 'pause';

/**
 * What the analyzer does when the SFU's set of analysable cameras changes. Pure, so the privacy
 * rules are testable on their own: a withdrawn consent is recorded as such (and analysis stops),
 * a participant who left is marked as gone, anything else (camera off, SFU restart) only pauses.
 */
export function cameraIngestAction(change: CameraChange, participantKnown: boolean): CameraIngestAction {
  if (change.type === 'add') return participantKnown ? 'analyse' : 'join-and-analyse';
  switch (change.reason) {
    case 'consent-withdrawn':
      return 'withdraw';
    case 'left':
      return 'leave';
    default:
      return 'pause';
  }
}
