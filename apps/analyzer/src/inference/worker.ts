import { parentPort, workerData } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import type { WindowRunner, WindowRunnerFactoryModule } from '../ports.ts';
import type { FromWorker, ToWorker, WorkerInit } from './worker-protocol.ts';

/**
 * An inference worker thread: loads the factory module named in workerData, builds its own
 * WindowRunner (its own ONNX session), then runs batches as the scheduler sends them.
 */
const port = parentPort;
if (!port) throw new Error('inference worker must run in a worker thread');
const post = (msg: FromWorker) => port.postMessage(msg);
const init = workerData as WorkerInit;

let runner: WindowRunner;
try {
  const specifier = /^[a-z]+:/i.test(init.factoryModule) ? init.factoryModule : pathToFileURL(init.factoryModule).href;
  const mod = (await import(specifier)) as Partial<WindowRunnerFactoryModule>;
  if (typeof mod.createWindowRunner !== 'function') throw new Error(`${init.factoryModule} does not export createWindowRunner(options)`);
  runner = await mod.createWindowRunner(init.factoryOptions);
  post({ type: 'ready', info: runner.info });
} catch (err) {
  post({ type: 'fatal', message: err instanceof Error ? err.message : String(err) });
  process.exit(1);
}

port.on('message', async (msg: ToWorker) => {
  if (msg.type === 'close') {
    await runner.close?.();
    post({ type: 'closed' });
    port.close();
    return;
  }
  const started = performance.now();
  try {
    const probs = await runner.run(msg.windows);
    if (probs.length !== msg.windows.length) throw new Error(`runner returned ${probs.length} results for ${msg.windows.length} windows`);
    post({ type: 'result', id: msg.id, probs, inferenceMs: performance.now() - started });
  } catch (err) {
    post({ type: 'error', id: msg.id, message: err instanceof Error ? err.message : String(err) });
  }
});
