// Whether the dashboard's production build (.next) is older than what it is built from. Shared by
// `npm start` (scripts/start.mjs) and the e2e tests, so a pulled change is never served stale.
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

function newestMtime(target) {
  if (!existsSync(target)) return 0;
  const stat = statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(target)) newest = Math.max(newest, newestMtime(path.join(target, entry)));
  return newest;
}

/** @param {string} repoRoot @returns {boolean} true when .next is missing or older than its sources */
export function dashboardBuildIsStale(repoRoot) {
  const dashboardDir = path.join(repoRoot, 'apps/dashboard');
  const buildId = path.join(dashboardDir, '.next/BUILD_ID');
  if (!existsSync(buildId)) return true;
  const built = statSync(buildId).mtimeMs;
  const sources = [
    path.join(dashboardDir, 'src'),
    path.join(dashboardDir, 'next.config.mjs'),
    path.join(dashboardDir, 'package.json'),
    path.join(repoRoot, 'packages/shared/src'),
    // Its sha256 is part of the camera check's asset URLs (next.config.mjs).
    path.join(repoRoot, 'models/face_landmarker.task'),
  ];
  return sources.some((s) => newestMtime(s) > built);
}
