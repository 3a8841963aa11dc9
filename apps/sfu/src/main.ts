import { configFromEnv, type SfuConfig } from './config.ts';
import { createLogger } from './logger.ts';
import { createSfu } from './sfu.ts';

let config: SfuConfig;
try {
  config = configFromEnv();
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
const log = createLogger(config.logLevel);

try {
  const sfu = await createSfu(config, log);
  await sfu.listen();
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    // A stuck close must not keep the process (and its port) alive.
    setTimeout(() => process.exit(1), 5000).unref();
    void sfu.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
} catch (error) {
  log.fatal({ err: error }, (error as Error).message);
  process.exit(1);
}
