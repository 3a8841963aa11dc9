import type { AnalysableCamera, AnalyzerConsumeResponse, ConsumerParameters, PreferredLayers, TransportOptions } from '@moodroom/shared';
import { SfuRequestError } from './request.ts';
import type { DtlsParameters, RtpCapabilities, SfuLink } from './sfu-link.ts';

/**
 * The SFU calls a receiver needs for one camera, bound to that camera (same shape as the
 * receiver's ReceiverSignalling in ../receiver/receiver-process.ts).
 */
export interface CameraSignalling {
  routerRtpCapabilities: RtpCapabilities;
  createTransport(): Promise<TransportOptions>;
  connectTransport(request: { transportId: string; dtlsParameters: DtlsParameters }): Promise<void>;
  consume(request: { transportId: string; rtpCapabilities: RtpCapabilities }): Promise<ConsumerParameters>;
  resumeConsumer(request: { consumerId: string }): Promise<void>;
  closeTransport(request: { transportId: string }): Promise<void>;
  /** The SFU's full answer to the last consume (layers, type), for layer decisions. */
  readonly lastConsume: AnalyzerConsumeResponse | undefined;
}

/** Binds the link's requests to `camera` (fetches its room's router capabilities once). */
export async function cameraSignalling(link: SfuLink, camera: AnalysableCamera, options: { preferredLayers?: PreferredLayers } = {}): Promise<CameraSignalling> {
  const routerRtpCapabilities = await link.getRouterRtpCapabilities(camera.roomId);
  let lastConsume: AnalyzerConsumeResponse | undefined;
  return {
    routerRtpCapabilities,
    get lastConsume() {
      return lastConsume;
    },
    createTransport: () => link.createConsumerTransport(camera.roomId),
    connectTransport: ({ transportId, dtlsParameters }) => link.connectConsumerTransport(transportId, dtlsParameters),
    consume: async ({ transportId, rtpCapabilities }) => {
      const response = await link.consume({
        transportId,
        producerId: camera.producerId,
        rtpCapabilities,
        ...(options.preferredLayers ? { preferredLayers: options.preferredLayers } : {}),
      });
      lastConsume = response;
      return { id: response.consumerId, producerId: response.producerId, kind: response.kind, rtpParameters: response.rtpParameters };
    },
    resumeConsumer: ({ consumerId }) => link.resumeConsumer(consumerId),
    closeTransport: async ({ transportId }) => {
      try {
        await link.closeTransport(transportId);
      } catch (error) {
        // Disconnected: the SFU freed our transports with the connection; nothing left to close.
        if (!(error instanceof SfuRequestError && error.code === 'UNAVAILABLE')) throw error;
      }
    },
  };
}
