#!/usr/bin/env node
// Post-install checks: each native piece the product needs actually loads and runs here.
// Add a check by appending to `checks` ({ name, run }): `run` returns a short version/status
// string or throws an Error whose message says what to do next.
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const root = path.resolve(import.meta.dirname, '../..');

/** Imports a package the way the given workspace resolves it. */
async function importFrom(workspace, pkg) {
  const resolved = createRequire(path.join(root, workspace, 'package.json')).resolve(pkg);
  return import(pathToFileURL(resolved).href);
}

const checks = [
  {
    name: 'mediasoup worker (apps/sfu)',
    async run() {
      let mediasoup;
      try {
        mediasoup = await importFrom('apps/sfu', 'mediasoup');
      } catch (error) {
        throw new Error(`mediasoup is not installed (${error.message}); run: npm run setup`);
      }
      let worker;
      try {
        worker = await mediasoup.createWorker({ logLevel: 'error' });
        const router = await worker.createRouter({ mediaCodecs: [{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 }] });
        router.close();
      } catch (error) {
        throw new Error(
          `mediasoup ${mediasoup.version} cannot start its worker (${mediasoup.workerBin}): ${error.message}. ` +
            'Run: bash scripts/setup/mediasoup-worker.sh --install "$(bash scripts/setup/mediasoup-worker.sh)" ' +
            '(it builds the worker offline when needed; see apps/sfu/README.md).',
        );
      } finally {
        worker?.close();
      }
      return `mediasoup ${mediasoup.version}, worker ${path.relative(root, mediasoup.workerBin) || mediasoup.workerBin}`;
    },
  },
];

let failed = 0;
console.log(`node ${process.version} (${process.platform}-${process.arch})`);
for (const check of checks) {
  const started = Date.now();
  try {
    const detail = await check.run();
    console.log(`  ok    ${check.name}: ${detail} (${Date.now() - started} ms)`);
  } catch (error) {
    failed++;
    console.error(`  FAIL  ${check.name}: ${error.message}`);
  }
}
if (failed > 0) {
  console.error(`${failed} of ${checks.length} install checks failed: fix the issues above, then run: node scripts/setup/check-install.mjs`);
  process.exit(1);
}
console.log(`all ${checks.length} install checks passed`);
