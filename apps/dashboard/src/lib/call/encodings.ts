import type { RtpEncodingParameters } from 'mediasoup-client/types';

/**
 * Camera simulcast. Receivers and the analyzer pick a layer at the SFU, so a weak receiver never
 * slows down the others.
 *
 * The layer count follows the capture size because Chromium's encoder (libwebrtc) only runs as
 * many simulcast layers as the resolution allows (3 from 960x540, 2 from 480x270, else 1) and
 * silently drops the *top* ones: three encodings on a 640x480 camera would send ¼ and ½ size and
 * never the full picture. Asking for what will really run keeps the full resolution as the top
 * layer.
 */
/** What we ask cameras for; also the assumed size when a browser reports none. */
const CAMERA_IDEAL = { width: 640, height: 480 };

const LAYER_LIMITS = [
  { minPixels: 960 * 540, layers: 3 },
  { minPixels: 480 * 270, layers: 2 },
] as const;

/** Highest layer first: full resolution, then ½, then ¼ (the sum stays under the SFU's 3 Mbit/s default cap). */
const MAX_BITRATES_FROM_TOP = [1_200_000, 500_000, 150_000] as const;

/** Pure: the simulcast encodings (lowest layer first, rids r0…) for a camera track of this size. */
export function cameraSimulcastEncodings(size: { width?: number; height?: number }): RtpEncodingParameters[] {
  const pixels = (size.width ?? 0) * (size.height ?? 0);
  // Size unknown (some browsers report none): assume the capture we asked for.
  const effective = pixels > 0 ? pixels : CAMERA_IDEAL.width * CAMERA_IDEAL.height;
  const layers = LAYER_LIMITS.find((l) => effective >= l.minPixels)?.layers ?? 1;
  return Array.from({ length: layers }, (_, i) => {
    const fromTop = layers - 1 - i;
    return { rid: `r${i}`, scaleResolutionDownBy: 2 ** fromTop, maxBitrate: MAX_BITRATES_FROM_TOP[fromTop]! };
  });
}

export const CAMERA_CONSTRAINTS: MediaTrackConstraints = { width: { ideal: CAMERA_IDEAL.width }, height: { ideal: CAMERA_IDEAL.height }, frameRate: { ideal: 15, max: 30 } };
export const MIC_CONSTRAINTS: MediaTrackConstraints = { echoCancellation: true, noiseSuppression: true, autoGainControl: true };
