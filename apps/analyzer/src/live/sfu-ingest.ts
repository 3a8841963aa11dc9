import { defer, retry, switchMap, type Subscription } from 'rxjs';
import type { AnalysableCamera } from '@moodroom/shared';
import type { AnalyzerService } from '../analyzer-service.ts';
import { fromVideoFrames } from '../adapters/vision.ts';
import { receiveFrames, type ReceiverProcessStats } from '../receiver/index.ts';
import { cameraSignalling } from '../sfu-link/camera-signalling.ts';
import type { CameraChange } from '../sfu-link/camera-set.ts';
import type { SfuLink } from '../sfu-link/sfu-link.ts';
import { cameraIngestAction } from './camera-ingest-action.ts';

export interface SfuIngestOptions {
  /** Decoded frames per second forwarded by each receiver (the pipeline's analysis fps). */
  maxFps: number;
  /** How often a crashed receiver is restarted before the camera is given up until it comes back. */
  receiverRetries?: number;
  onLog?: (message: string) => void;
  onReceiverStats?: (participantId: string, stats: ReceiverProcessStats) => void;
}

/**
 * Follows the SFU's analysable cameras live: a camera that appears (a consenting participant's
 * camera) gets a WebRTC receiver child process and a per-person pipeline; one that disappears
 * stops at once. The room id doubles as the analysis session id until sessions exist as their
 * own entity (the facilitator issue).
 */
export function ingestFromSfu<L>(link: SfuLink, service: AnalyzerService<L>, options: SfuIngestOptions): Subscription {
  const log = options.onLog ?? (() => {});
  const known = new Set<string>();
  return link.cameras$.subscribe((change: CameraChange) => {
    void handle(change).catch((err: unknown) => log(`camera ${change.camera.peerId}: ${err instanceof Error ? err.message : err}`));
  });

  async function handle(change: CameraChange): Promise<void> {
    const { camera } = change;
    const sessionId = camera.roomId;
    const participantId = camera.peerId;
    const action = cameraIngestAction(change, known.has(`${sessionId}/${participantId}`));
    switch (action) {
      case 'join-and-analyse':
        known.add(`${sessionId}/${participantId}`);
        // The SFU sends ids only (no names reach the analyzer); the dashboard knows the names.
        await service.participantJoined({ sessionId, roomId: camera.roomId, participantId, displayName: '', analysisConsent: true });
        startReceiving(camera);
        return;
      case 'analyse':
        await service.consentChanged(sessionId, participantId, true);
        startReceiving(camera);
        return;
      case 'withdraw':
        await service.consentChanged(sessionId, participantId, false);
        return;
      case 'leave':
        known.delete(`${sessionId}/${participantId}`);
        await service.participantLeft(sessionId, participantId);
        return;
      case 'pause':
        service.stopAnalysis(sessionId, participantId);
        return;
    }
  }

  function startReceiving(camera: AnalysableCamera): void {
    const frames$ = defer(() => cameraSignalling(link, camera)).pipe(
      switchMap((signalling) =>
        receiveFrames({
          signalling,
          maxFps: options.maxFps,
          format: 'i420',
          label: camera.peerId,
          onLog: (line) => log(`receiver ${camera.peerId}: ${line}`),
          onStats: (stats) => options.onReceiverStats?.(camera.peerId, stats),
        }),
      ),
      // A crashed receiver (native code) loses this stream only; try again a few times.
      retry({ count: options.receiverRetries ?? 3, delay: 1000 }),
      fromVideoFrames(),
    );
    service.startAnalysis(camera.roomId, camera.peerId, frames$);
  }
}
