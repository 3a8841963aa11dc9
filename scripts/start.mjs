#!/usr/bin/env node
// Starts the whole system on embedded defaults: SFU, analyzer (when present) and dashboard.
// A small supervisor, not a cluster: each service is one child process with prefixed logs;
// a service that crashes is restarted with backoff; Ctrl-C stops everything cleanly.
// Scale-out is done with the engines' own mechanisms (see README), not here.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { dashboardBuildIsStale } from './lib/dashboard-build.mjs';

const root = path.resolve(import.meta.dirname, '..');

// Sessions' facilitator and invite links are signed with SESSION_SECRET (the analyzer issues them,
// the SFU checks invites). Kept under var/ so links stay valid across restarts; set your own to
// run the services separately or on several machines.
function sessionSecret() {
  if (process.env.SESSION_SECRET) return process.env.SESSION_SECRET;
  const file = path.join(root, 'var/session-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(path.dirname(file), { recursive: true });
  const secret = randomBytes(32).toString('hex');
  writeFileSync(file, secret + '\n', { mode: 0o600 });
  return secret;
}
const env = {
  ...process.env,
  NEXT_TELEMETRY_DISABLED: '1',
  // The analyzer authenticates to the SFU's /analyzer namespace with a shared secret; for a local
  // start one random token per run is enough (set your own to run the services separately).
  ANALYZER_SERVICE_TOKEN: process.env.ANALYZER_SERVICE_TOKEN ?? randomBytes(32).toString('hex'),
  SESSION_SECRET: sessionSecret(),
};

// The SFU and the analyzer run as node itself (what their `npm start` does, minus npm and the tsx
// CLI's extra process): a restart after a crash then costs one node start-up, not three.
const nodeWithTsx = ['--import', 'tsx', 'src/main.ts'];
const services = [
  { name: 'sfu', cwd: 'apps/sfu', cmd: process.execPath, args: nodeWithTsx, colour: 36 },
  { name: 'analyzer', cwd: 'apps/analyzer', cmd: process.execPath, args: nodeWithTsx, colour: 35, optional: true },
  { name: 'dashboard', cwd: 'apps/dashboard', cmd: 'npm', args: ['run', '--silent', 'start'], colour: 33 },
].filter((s) => {
  const pkgPath = path.join(root, s.cwd, 'package.json');
  if (!existsSync(pkgPath)) return !s.optional;
  return true;
});

// The dashboard runs as a production build: (re)build it when it is missing or older than its sources.
if (dashboardBuildIsStale(root)) {
  console.log('[start] building the dashboard (first start, or its sources changed; ~15-60 s)…');
  const built = spawnSync('npm', ['run', 'build'], { cwd: path.join(root, 'apps/dashboard'), env, stdio: 'inherit' });
  if (built.status !== 0) {
    console.error('[start] dashboard build failed: see the error above (did `npm run setup` finish?)');
    process.exit(1);
  }
}

let stopping = false;
const children = new Map();

function launch(service, attempt = 0) {
  // Own process group, so stopping kills a service's whole subtree (the dashboard's npm → sh → node).
  const child = spawn(service.cmd, service.args, { cwd: path.join(root, service.cwd), env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  children.set(service.name, child);
  const prefix = `\x1b[${service.colour}m${service.name.padEnd(9)}\x1b[0m│ `;
  for (const stream of [child.stdout, child.stderr]) {
    let rest = '';
    stream.on('data', (chunk) => {
      const lines = (rest + chunk.toString()).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) process.stdout.write(prefix + line + '\n');
    });
  }
  const startedAt = Date.now();
  child.on('exit', (code, signal) => {
    children.delete(service.name);
    if (stopping) return;
    // A crash restarts at once (a call's analysis should resume within seconds); one that keeps
    // crashing within a minute of its start backs off: 0, 250 ms, 500 ms, … up to 30 s.
    const next = Date.now() - startedAt > 60_000 ? 0 : attempt + 1;
    const delay = next <= 1 ? 0 : Math.min(30_000, 250 * 2 ** (next - 2));
    console.error(`[start] ${service.name} exited (${signal ?? code}); restarting in ${delay} ms`);
    setTimeout(() => launch(service, next), delay);
  });
}

for (const s of services) launch(s);
console.log('[start] Moodroom is starting: open http://localhost:3000 (SFU on :4000, analyzer on :4100). Ctrl-C stops.');

function stop() {
  if (stopping) return;
  stopping = true;
  console.log('\n[start] stopping…');
  for (const child of children.values()) killGroup(child, 'SIGTERM');
  setTimeout(() => {
    for (const child of children.values()) killGroup(child, 'SIGKILL');
    process.exit(0);
  }, 8000).unref();
  const check = setInterval(() => {
    if (children.size === 0) {
      clearInterval(check);
      process.exit(0);
    }
  }, 100);
}
function killGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    child.kill(signal);
  }
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
