'use client';

import { useEffect, useState } from 'react';
import { assessFraming, meanLuminance, type Framing } from '../../lib/framing/hints.ts';
import { loadLandmarker } from './landmarker.ts';

/** A modest rate: framing changes slowly, and the check must not compete with the call for CPU. */
export const CHECK_INTERVAL_MS = 200;
// Brightness needs no detail: a tiny copy of the frame is cheap to read back.
const LUMA_W = 32;
const LUMA_H = 24;

export type FramingState =
  | { kind: 'loading' }
  | { kind: 'unavailable' }
  | { kind: 'ready'; framing: Framing; frame: { width: number; height: number }; detectMs: number; loadMs: number; delegate: string };

/**
 * Checks the camera `stream` with FaceLandmarker ~5 times a second on a private, detached <video>
 * (so it works next to any preview), pausing while the tab is hidden. Never throws: where WebGL or
 * WASM is missing the state is `unavailable` and the call goes on without the check.
 */
export function useFraming(stream: MediaStream | null): FramingState {
  const [state, setState] = useState<FramingState>({ kind: 'loading' });

  useEffect(() => {
    if (!stream) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let cleanupVisibility = () => {};
    const video = document.createElement('video');
    video.muted = true;
    video.playsInline = true;
    video.srcObject = stream;
    void video.play().catch(() => undefined);
    const canvas = document.createElement('canvas');
    canvas.width = LUMA_W;
    canvas.height = LUMA_H;
    const ctx = canvas.getContext('2d', { willReadFrequently: true });

    void loadLandmarker().then(
      ({ landmarker, loadMs, delegate }) => {
        const tick = () => {
          timer = undefined;
          if (stopped || document.hidden) return;
          if (video.readyState >= 2 && video.videoWidth > 0) {
            try {
              const t0 = performance.now();
              const result = landmarker.detectForVideo(video, t0);
              const detectMs = performance.now() - t0;
              let luminance = 255;
              if (ctx) {
                ctx.drawImage(video, 0, 0, LUMA_W, LUMA_H);
                luminance = meanLuminance(ctx.getImageData(0, 0, LUMA_W, LUMA_H).data);
              }
              setState({ kind: 'ready', framing: assessFraming(result.faceLandmarks, luminance), frame: { width: video.videoWidth, height: video.videoHeight }, detectMs, loadMs, delegate });
            } catch {
              setState({ kind: 'unavailable' });
              return;
            }
          }
          timer = setTimeout(tick, CHECK_INTERVAL_MS);
        };
        const onVisibility = () => {
          if (!document.hidden && timer === undefined) tick();
        };
        document.addEventListener('visibilitychange', onVisibility);
        cleanupVisibility = () => document.removeEventListener('visibilitychange', onVisibility);
        if (!stopped) tick();
      },
      () => {
        if (!stopped) setState({ kind: 'unavailable' });
      },
    );
    return () => {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      cleanupVisibility();
      video.srcObject = null;
    };
  }, [stream]);

  return state;
}
