import { createRequire } from 'node:module';

/** node-webrtc's module (CommonJS; its typings declare ES exports, so load it through require). */
export type Wrtc = typeof import('@roamhq/wrtc');

export function loadWrtc(): Wrtc {
  return createRequire(import.meta.url)('@roamhq/wrtc') as Wrtc;
}

/**
 * mediasoup-client drives the browser WebRTC API through globals. Node has none, so the receiver
 * puts node-webrtc's (@roamhq/wrtc) classes there before creating a Device with an explicit
 * handler ('Chrome111': wrtc is libwebrtc with unified-plan SDP, like Chrome).
 *
 * Only ever call this in a process that exists to run WebRTC (the receiver child, a benchmark's
 * sender): wrtc is a native module that can take its process down (see README, "Why a child
 * process").
 */
export function installWrtcGlobals(): Wrtc {
  const wrtc = loadWrtc();
  const g = globalThis as Record<string, unknown>;
  const names = [
    'RTCPeerConnection',
    'RTCSessionDescription',
    'RTCIceCandidate',
    'MediaStream',
    'MediaStreamTrack',
    'RTCRtpSender',
    'RTCRtpReceiver',
    'RTCRtpTransceiver',
    'RTCDataChannel',
  ] as const;
  for (const name of names) g[name] = wrtc[name];
  return wrtc;
}
