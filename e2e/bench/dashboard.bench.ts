import { chromium, type Browser } from 'playwright-core';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { artifactsDir, chromiumPath, freePort, startDashboard, type RunningServer } from '../src/index.ts';
import { startFakeAnalyzer, type FakeAnalyzer } from './fake-analyzer.ts';
import { PAGE_PROBE, type ProbeResult } from './page-probe.ts';

// Render cost of the live dashboard (/session/[id]/dashboard) with 16 people streaming: the
// production build (next start) in headless Debian Chromium, fed by a loopback stand-in for the
// analyzer's /dashboard namespace. Compares the default rendering (redraws coalesced per animation
// frame) with `?render=immediate` (every sample redraws at once), in the same run.
//
//   npm run bench:dashboard     (BENCH_SECONDS=30 BENCH_PARTICIPANTS=16 BENCH_RATE=1 to change)

declare global {
  interface Window {
    // The dashboard's measurement handle (apps/dashboard/src/components/live/use-live-dashboard.ts).
    __moodroomDashboard?: { stats(): { samplesApplied: number; lastSampleLatencyMs: number | null; renders: number } };
  }
}

const PARTICIPANTS = Number(process.env.BENCH_PARTICIPANTS ?? 16);
/** Samples per second per participant (the analyzer's default stride gives ~1). */
const RATE = Number(process.env.BENCH_RATE ?? 1);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const WARMUP_S = Number(process.env.BENCH_WARMUP_SECONDS ?? 5);
const MODES = [
  { name: 'rAF-coalesced (default)', query: '' },
  { name: 'immediate (?render=immediate)', query: '?render=immediate' },
] as const;

interface Row {
  mode: string;
  samples: number;
  latency: number[];
  longtasks: number[];
  frames: number[];
  heapMb: number;
  scriptMs: number;
  layoutMs: number;
  styleMs: number;
  renders: number;
}

const quantile = (xs: number[], q: number) => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};
const fmt = (n: number, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : '–');

async function measure(browser: Browser, baseUrl: string, mode: (typeof MODES)[number]): Promise<Row> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => (m.type() === 'error' || m.type() === 'warning') && problems.push(m.text()));
  page.on('pageerror', (e) => problems.push(e.message));
  await page.addInitScript(PAGE_PROBE);
  await page.goto(`${baseUrl}${mode.query}#key=${encodeURIComponent(TOKEN)}`);
  await page.locator('[data-testid="live-dashboard"][data-state="live"]').waitFor({ timeout: 20_000 });
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="participant-card"][data-points]:not([data-points="0"])').length >= n, PARTICIPANTS, { timeout: 20_000 });
  await page.waitForTimeout(WARMUP_S * 1000);
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  const metrics = async () => Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value])) as Record<string, number>;
  const before = await metrics();
  const statsBefore = await page.evaluate(() => window.__moodroomDashboard!.stats());
  await page.evaluate(() => (window as unknown as { __bench: { start(): void } }).__bench.start());
  await page.waitForTimeout(SECONDS * 1000);
  const probe = await page.evaluate(() => (window as unknown as { __bench: { collect(): unknown } }).__bench.collect()) as ProbeResult;
  const statsAfter = await page.evaluate(() => window.__moodroomDashboard!.stats());
  const after = await metrics();
  // What was measured, for a human look (test-artifacts/ is gitignored).
  mkdirSync(artifactsDir, { recursive: true });
  await page.screenshot({ path: path.join(artifactsDir, `dashboard-bench-${mode.query ? 'immediate' : 'frame'}.png`), fullPage: true });
  await context.close();
  if (probe.longtaskError) problems.push(`longtask observer: ${probe.longtaskError}`);
  if (problems.length) process.stderr.write(`[bench] ${mode.name}: page said:\n  ${problems.slice(0, 10).join('\n  ')}\n`);
  return {
    mode: mode.name,
    samples: statsAfter.samplesApplied - statsBefore.samplesApplied,
    latency: probe.latencies,
    longtasks: probe.longtasks,
    frames: probe.frames,
    heapMb: (after.JSHeapUsedSize ?? NaN) / 2 ** 20,
    scriptMs: ((after.ScriptDuration ?? 0) - (before.ScriptDuration ?? 0)) * 1000,
    layoutMs: ((after.LayoutDuration ?? 0) - (before.LayoutDuration ?? 0)) * 1000,
    styleMs: ((after.RecalcStyleDuration ?? 0) - (before.RecalcStyleDuration ?? 0)) * 1000,
    renders: statsAfter.renders - statsBefore.renders,
  };
}

function printTable(rows: Row[]): void {
  const header = ['mode', 'samples', 'sample→DOM p50 ms', 'p95 ms', 'long tasks', 'long-task ms', 'frame p50 ms', 'frame p95 ms', 'JS heap MB', 'script ms/s', 'layout+style ms/s', 'React commits/s'];
  const lines = rows.map((r) => [
    r.mode,
    String(r.samples),
    fmt(quantile(r.latency, 0.5)),
    fmt(quantile(r.latency, 0.95)),
    String(r.longtasks.length),
    fmt(r.longtasks.reduce((a, b) => a + b, 0), 0),
    fmt(quantile(r.frames, 0.5)),
    fmt(quantile(r.frames, 0.95)),
    fmt(r.heapMb),
    fmt(r.scriptMs / SECONDS),
    fmt((r.layoutMs + r.styleMs) / SECONDS),
    fmt(r.renders / SECONDS),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const row = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  console.log(`\nLive dashboard render cost: ${PARTICIPANTS} participants × ${RATE} sample/s each, analyzerStatus every 2 s, ${SECONDS} s measured after ${WARMUP_S} s warm-up, headless Chromium ${browserVersion}\n`);
  console.log(row(header));
  console.log(`|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`);
  for (const l of lines) console.log(row(l));
  console.log('\nsample→DOM: fake analyzer stamps t = Date.now(), measured when the card\'s data-last-t changes (MutationObserver, before paint).');
}

const SESSION_ID = `bench-${Date.now().toString(36)}`;
const TOKEN = 'bench-facilitator-token';
let browserVersion = '';

async function main(): Promise<void> {
  if (!existsSync(chromiumPath)) throw new Error(`Chromium not found at ${chromiumPath} (apt-get install -y --no-install-recommends chromium, or set E2E_CHROMIUM)`);
  let fake: FakeAnalyzer | undefined;
  let dashboard: RunningServer | undefined;
  let browser: Browser | undefined;
  try {
    const dashboardPort = await freePort();
    fake = await startFakeAnalyzer({ sessionId: SESSION_ID, token: TOKEN, participants: PARTICIPANTS, rate: RATE, statusEveryMs: 2000, historyMs: 5 * 60_000, corsOrigin: `http://127.0.0.1:${dashboardPort}` });
    // startDashboard's child inherits this environment: the page is told where the analyzer is.
    process.env.ANALYZER_PUBLIC_URL = fake.url;
    dashboard = await startDashboard({ sfuPublicUrl: 'http://127.0.0.1:9', port: dashboardPort });
    browser = await chromium.launch({
      executablePath: chromiumPath,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--enable-precise-memory-info'],
    });
    browserVersion = browser.version();
    const base = `${dashboard.url}/session/${SESSION_ID}/dashboard`;
    const rows: Row[] = [];
    for (const mode of MODES) {
      process.stderr.write(`[bench] measuring ${mode.name} for ${SECONDS} s…\n`);
      rows.push(await measure(browser, base, mode));
    }
    printTable(rows);
  } finally {
    await browser?.close().catch(() => undefined);
    await dashboard?.stop();
    await fake?.stop();
  }
}

await main();
