import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);

/**
 * The camera check's assets are served with a version in their URL (so they can be cached as
 * immutable): the tasks-vision version and the model bundle's sha256 prefix, read at build time.
 */
function visionAssetsVersion() {
  // package.json is not in the package's exports: find it next to its entry point.
  const pkg = JSON.parse(readFileSync(path.join(path.dirname(require.resolve('@mediapipe/tasks-vision')), 'package.json'), 'utf8'));
  const task = readFileSync(new URL('../../models/face_landmarker.task', import.meta.url));
  return `${pkg.version}-${createHash('sha256').update(task).digest('hex').slice(0, 12)}`;
}

/** @type {import('next').NextConfig} */
const nextConfig = {
  // @moodroom/shared ships TypeScript source (with explicit `.ts` import extensions), no build step.
  transpilePackages: ['@moodroom/shared'],
  reactStrictMode: true,
  poweredByHeader: false,
  env: { NEXT_PUBLIC_VISION_ASSETS_VERSION: visionAssetsVersion() },
};

export default nextConfig;
