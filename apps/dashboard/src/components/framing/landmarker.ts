'use client';

import type { FaceLandmarker } from '@mediapipe/tasks-vision';
import { delegateOrder } from '../../lib/framing/delegate.ts';
import { VISION_ASSETS_VERSION, visionAssetUrls } from '../../lib/vision-assets/assets.ts';

export interface LoadedLandmarker {
  landmarker: FaceLandmarker;
  delegate: string;
  loadMs: number;
}

let loading: Promise<LoadedLandmarker> | null = null;

function webglRenderer(): string | null {
  try {
    const gl = document.createElement('canvas').getContext('webgl2');
    if (!gl) return null;
    const info = gl.getExtension('WEBGL_debug_renderer_info');
    return String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
  } catch {
    return null;
  }
}

async function load(): Promise<LoadedLandmarker> {
  const started = performance.now();
  // Imported on demand: the lobby and the Join buttons never wait for the camera check's code.
  const { FaceLandmarker, FilesetResolver } = await import('@mediapipe/tasks-vision');
  const urls = visionAssetUrls(VISION_ASSETS_VERSION);
  const fileset = await FilesetResolver.forVisionTasks(urls.wasmBase);
  let lastError: unknown = null;
  for (const delegate of delegateOrder(webglRenderer())) {
    try {
      const landmarker = await FaceLandmarker.createFromOptions(fileset, {
        baseOptions: { modelAssetPath: urls.model, delegate },
        runningMode: 'VIDEO',
        // Two, so "more than one face" can be told apart from one.
        numFaces: 2,
      });
      return { landmarker, delegate, loadMs: performance.now() - started };
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError ?? new Error('FaceLandmarker could not be created');
}

/** One FaceLandmarker per page, shared by the lobby's guide and the call's badge; a failure may be retried. */
export function loadLandmarker(): Promise<LoadedLandmarker> {
  loading ??= load().catch((error: unknown) => {
    loading = null;
    throw error;
  });
  return loading;
}
