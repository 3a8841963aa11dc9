import { pickAnalysisSpatialLayer, type PreferredLayers } from '@moodroom/shared';

/**
 * The SFU cannot see the camera's resolution (it is inside the VP8/VP9 payload), so its first
 * guess assumes the smallest capture browsers commonly send, 640 px wide: with the usual [4, 2, 1]
 * simulcast that picks the middle layer (320 px). The analyzer refines it from the width it
 * actually decodes (pickAnalysisSpatialLayer + fullWidthFromLayer in @moodroom/shared).
 */
export const ASSUMED_CAPTURE_WIDTH = 640;

/**
 * What an encoding says about its size. mediasoup's type lacks scaleResolutionDownBy, but keeps
 * whatever the browser (mediasoup-client) sent in the producer's parameters.
 */
export interface LayerHints {
  scaleResolutionDownBy?: unknown;
  scalabilityMode?: string;
}

/**
 * Pure: each spatial layer's scale-down factor, lowest layer first. Simulcast: one per encoding
 * (browsers' default when unset: 2^(n-1-i)); SVC: from the scalability mode (L3T3 → [4, 2, 1]).
 */
export function spatialScales(encodings: readonly LayerHints[]): number[] {
  if (encodings.length > 1) {
    const n = Math.min(encodings.length, 4);
    return encodings.slice(0, n).map((e, i) => {
      const scale = e.scaleResolutionDownBy;
      return typeof scale === 'number' && scale >= 1 ? scale : 2 ** (n - 1 - i);
    });
  }
  const match = /^[LS](\d)/.exec(encodings[0]?.scalabilityMode ?? '');
  const n = Math.min(match ? Number(match[1]) : 1, 4);
  return Array.from({ length: Math.max(n, 1) }, (_, i) => 2 ** (n - 1 - i));
}

/** Pure: the layers an analysis consumer starts with when the analyzer asks for none. */
export function defaultAnalysisLayers(scales: readonly number[]): PreferredLayers {
  return { spatialLayer: pickAnalysisSpatialLayer(scales, ASSUMED_CAPTURE_WIDTH) };
}
