import { loadAnalyzerConfig } from './config.ts';
import { startAnalyzer } from './app.ts';
import { loadFaceDeps } from './vision-deps.ts';
import { ingestFromSfu } from './live/sfu-ingest.ts';
import { ingestRoster } from './live/roster-ingest.ts';
import { connectToSfu } from './sfu-link/index.ts';
import { createAnalyzerLog } from './logger.ts';

/**
 * `npm start -w apps/analyzer`: reads the environment, loads the face models (packages/vision) and
 * the windowed model, serves /healthz, /metrics and the /dashboard socket.io namespace until
 * SIGINT/SIGTERM, then shuts down cleanly (pending samples are written first).
 */
const config = loadAnalyzerConfig();
const log = createAnalyzerLog(config.ANALYZER_LOG_LEVEL);

const analyzer = await startAnalyzer(config, loadFaceDeps({ ...(config.ANALYZER_VISION_MODELS_DIR ? { modelsDir: config.ANALYZER_VISION_MODELS_DIR } : {}) }), { log });
const link = config.ANALYZER_SERVICE_TOKEN ? connectToSfu({ url: config.ANALYZER_SFU_URL, token: config.ANALYZER_SERVICE_TOKEN, onLog: log }) : null;
// Roster first: its events arrive before the cameras', so names are known when analysis starts.
const roster = link ? ingestRoster(link, analyzer.service, log) : null;
const ingest = link ? ingestFromSfu(link, analyzer.service, { maxFps: config.ANALYZER_FPS, onLog: log }) : null;
if (link) {
  link.state$.subscribe((state) => log(`SFU link ${config.ANALYZER_SFU_URL}: ${state.status}${'reason' in state ? ` (${state.reason})` : ''}${'message' in state ? ` (${state.code}: ${state.message})` : ''}`));
} else {
  log('ANALYZER_SERVICE_TOKEN is not set: live analysis of calls is off (set the same token on the SFU and the analyzer)');
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`${signal}: shutting down`);
    ingest?.unsubscribe();
    roster?.unsubscribe();
    link?.close();
    analyzer.close().then(
      () => process.exit(0),
      (err: unknown) => {
        log(`shutdown failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
        process.exit(1);
      },
    );
  });
}
