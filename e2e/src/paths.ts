import path from 'node:path';

export const repoRoot = path.resolve(import.meta.dirname, '../..');
/** Generated fixtures (fake camera/microphone files); gitignored, reused across runs. */
export const cacheDir = path.join(repoRoot, '.cache/e2e');
/** Screenshots and server logs of the last run; gitignored. */
export const artifactsDir = path.join(repoRoot, 'test-artifacts/e2e');
export const dashboardDir = path.join(repoRoot, 'apps/dashboard');
export const sfuDir = path.join(repoRoot, 'apps/sfu');
export const analyzerDir = path.join(repoRoot, 'apps/analyzer');
export const chromiumPath = process.env.E2E_CHROMIUM ?? '/usr/bin/chromium';
