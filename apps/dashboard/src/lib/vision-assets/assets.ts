/**
 * The self-hosted files of the in-browser camera check: @mediapipe/tasks-vision's WASM runtime and
 * models/face_landmarker.task, served by app/vision-assets/[...path]/route.ts (no CDN: it works
 * offline and nothing about the camera leaves the page). Only the names below are ever served.
 */

export const VISION_ASSETS_PREFIX = '/vision-assets';

/**
 * The URLs carry a version (the tasks-vision version and the bundle's sha256 prefix, fixed at build
 * time in next.config.mjs) so the files can be cached for a year as immutable.
 */
export const CACHE_CONTROL = 'public, max-age=31536000, immutable';

export type AssetSource = 'wasm' | 'model';

export interface VisionAsset {
  source: AssetSource;
  /** File name inside its source folder (tasks-vision's wasm/, or models/). */
  file: string;
  contentType: string;
}

const JS = 'text/javascript; charset=utf-8';
// FilesetResolver picks the SIMD build where the browser supports WASM SIMD, else the nosimd one.
const ASSETS: Record<string, VisionAsset> = {
  'wasm/vision_wasm_internal.js': { source: 'wasm', file: 'vision_wasm_internal.js', contentType: JS },
  'wasm/vision_wasm_internal.wasm': { source: 'wasm', file: 'vision_wasm_internal.wasm', contentType: 'application/wasm' },
  'wasm/vision_wasm_nosimd_internal.js': { source: 'wasm', file: 'vision_wasm_nosimd_internal.js', contentType: JS },
  'wasm/vision_wasm_nosimd_internal.wasm': { source: 'wasm', file: 'vision_wasm_nosimd_internal.wasm', contentType: 'application/wasm' },
  'face_landmarker.task': { source: 'model', file: 'face_landmarker.task', contentType: 'application/octet-stream' },
};

/**
 * The asset for a request's path segments after the prefix (`[version, ...name]`), or null: a wrong
 * version, an unknown name, or anything path-like (`..`, empty segments) never reaches the disk.
 */
export function resolveVisionAsset(segments: readonly string[], version: string): VisionAsset | null {
  const [v, ...rest] = segments;
  if (v !== version || rest.length === 0) return null;
  return Object.hasOwn(ASSETS, rest.join('/')) ? ASSETS[rest.join('/')]! : null;
}

export function visionAssetUrls(version: string): { wasmBase: string; model: string } {
  const base = `${VISION_ASSETS_PREFIX}/${encodeURIComponent(version)}`;
  return { wasmBase: `${base}/wasm`, model: `${base}/face_landmarker.task` };
}

/** Baked in at build time by next.config.mjs (empty in unit tests and without a build). */
export const VISION_ASSETS_VERSION = process.env.NEXT_PUBLIC_VISION_ASSETS_VERSION ?? '';
