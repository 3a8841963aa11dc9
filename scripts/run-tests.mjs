#!/usr/bin/env node
// Runs every workspace's tests one after another (they share 2 cores and some ports, so serial is
// both faster and less flaky than parallel here), streams their output, and closes with one
// summary line that adds up node:test and pytest counts.
//   npm test                 all workspaces
//   npm test -- sfu vision   only workspaces whose name contains one of the words
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const filters = process.argv.slice(2);

// Order follows the data flow: contracts, libraries, models, then the apps that use them.
const order = ['packages/shared', 'packages/', 'models', 'apps/sfu', 'apps/analyzer', 'apps/dashboard', 'e2e'];
const rootPkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const dirs = rootPkg.workspaces
  .flatMap((pattern) => {
    if (!pattern.endsWith('/*')) return [pattern];
    const parent = pattern.slice(0, -2);
    return spawnSync('ls', [path.join(root, parent)], { encoding: 'utf8' })
      .stdout.split('\n')
      .filter(Boolean)
      .map((d) => `${parent}/${d}`);
  })
  .filter((d) => existsSync(path.join(root, d, 'package.json')))
  .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
function rank(dir) {
  const i = order.findIndex((o) => (o.endsWith('/') ? dir.startsWith(o) : dir === o));
  return i === -1 ? order.length : i;
}

const selected = dirs.filter((d) => {
  const pkg = JSON.parse(readFileSync(path.join(root, d, 'package.json'), 'utf8'));
  if (!pkg.scripts?.test) return false;
  return filters.length === 0 || filters.some((f) => d.includes(f) || pkg.name.includes(f));
});

const testSetup = spawnSync('bash', [path.join(root, 'scripts/setup/test-deps.sh')], { stdio: 'inherit' });
if (testSetup.status !== 0) {
  console.error('test setup failed (scripts/setup/test-deps.sh): fix the error above, then run npm test again');
  process.exit(1);
}

const totals = { passed: 0, failed: 0, skipped: 0 };
const results = [];
for (const dir of selected) {
  const started = Date.now();
  console.log(`\n\x1b[1m━━ ${dir} ━━\x1b[0m`);
  const counts = await runWorkspace(dir);
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  results.push({ dir, ...counts, seconds });
  totals.passed += counts.passed;
  totals.failed += counts.failed;
  totals.skipped += counts.skipped;
}

console.log('\n\x1b[1mSummary\x1b[0m');
for (const r of results) {
  const status = r.exitCode === 0 ? 'ok  ' : 'FAIL';
  console.log(`  ${status} ${r.dir.padEnd(24)} ${String(r.passed).padStart(4)} passed ${String(r.failed).padStart(3)} failed ${String(r.skipped).padStart(3)} skipped  ${r.seconds}s`);
}
const anyExitFailed = results.some((r) => r.exitCode !== 0);
// A workspace that exits non-zero without a counted failure (a crash, a type error) still fails the run.
if (anyExitFailed && totals.failed === 0) totals.failed = results.filter((r) => r.exitCode !== 0).length;
console.log(`tests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(anyExitFailed || totals.failed > 0 ? 1 : 0);

function runWorkspace(dir) {
  return new Promise((resolve) => {
    const child = spawn('npm', ['run', '--silent', 'test'], {
      cwd: path.join(root, dir),
      env: { ...process.env, FORCE_COLOR: process.env.FORCE_COLOR ?? '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const counts = { passed: 0, failed: 0, skipped: 0 };
    let buffer = '';
    const onData = (chunk, sink) => {
      sink.write(chunk);
      buffer += chunk.toString();
      let nl;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        count(buffer.slice(0, nl), counts);
        buffer = buffer.slice(nl + 1);
      }
    };
    child.stdout.on('data', (c) => onData(c, process.stdout));
    child.stderr.on('data', (c) => onData(c, process.stderr));
    child.on('close', (code) => {
      count(buffer, counts);
      resolve({ ...counts, exitCode: code ?? 1 });
    });
  });
}

function count(rawLine, counts) {
  // Runners colour their summaries (pytest treats any FORCE_COLOR as "force"): count the plain text.
  const line = rawLine.replace(/\x1b\[[0-9;]*m/g, '');
  // node:test (spec and tap reporters): "ℹ pass 7" / "# pass 7"
  const node = /^\s*(?:ℹ|#) (pass|fail|skipped|todo) (\d+)\s*$/.exec(line);
  if (node) {
    const n = Number(node[2]);
    if (node[1] === 'pass') counts.passed += n;
    else if (node[1] === 'fail') counts.failed += n;
    else counts.skipped += n;
    return;
  }
  // pytest closing line: "==== 12 passed, 1 skipped in 3.2s ====" (or, with -q, without the rules)
  if (/^(=+ )?\d+ (passed|failed|skipped|error|errors|deselected|xfailed|xpassed|warnings?)\b.* in [\d.]+s( \(.*\))?( =+)?\s*$/.test(line)) {
    for (const m of line.matchAll(/(\d+) (passed|failed|skipped|error|errors)/g)) {
      const n = Number(m[1]);
      if (m[2] === 'passed') counts.passed += n;
      else if (m[2] === 'skipped') counts.skipped += n;
      else counts.failed += n;
    }
  }
}
