import type { types } from 'mediasoup';

/**
 * The codecs every room's router offers. Video is VP8 and VP9 only: the analyzer decodes consenting
 * participants' cameras server-side with @roamhq/wrtc (node-webrtc), whose receiver cannot decode
 * H264; offering H264 would let a browser pick it and leave the analyzer with undecodable video.
 * VP8 is listed first so that browsers default to it (cheapest to decode, simulcast everywhere).
 */
export const routerMediaCodecs: types.RouterRtpCodecCapability[] = [
  { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
  { kind: 'video', mimeType: 'video/VP8', clockRate: 90000, parameters: { 'x-google-start-bitrate': 1000 } },
  { kind: 'video', mimeType: 'video/VP9', clockRate: 90000, parameters: { 'profile-id': 0, 'x-google-start-bitrate': 1000 } },
];
