import { existsSync } from 'node:fs';
import path from 'node:path';
import type { AssetSource } from './assets.ts';

/** Where each source lives, relative to a folder at or above the app (npm hoists to the repo root). */
const SOURCE_DIRS: Record<AssetSource, string> = {
  wasm: 'node_modules/@mediapipe/tasks-vision/wasm',
  model: 'models',
};

/** Server side: the file on disk, looked up from `start` (the app folder) upwards; null if absent. */
export function assetPath(source: AssetSource, file: string, start: string = process.cwd()): string | null {
  // turbopackIgnore: the files sit outside the app (hoisted node_modules, models/), found at run
  // time; without it Next traces the whole repository into the server output.
  for (let dir = path.resolve(/*turbopackIgnore: true*/ start); ; dir = path.dirname(dir)) {
    const candidate = path.join(/*turbopackIgnore: true*/ dir, SOURCE_DIRS[source], file);
    if (existsSync(/*turbopackIgnore: true*/ candidate)) return candidate;
    if (path.dirname(dir) === dir) return null;
  }
}
