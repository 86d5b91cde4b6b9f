import { ConfigError, loadConfig, type Config } from './config';
import { createRuntime } from './runtime';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { version } = require('../package.json') as { version: string };

/** The process: read config, build and start the runtime, and shut down cleanly on a signal. */
async function main() {
  const startedAt = performance.now();
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\nSee .env.example for every setting.\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  const runtime = await createRuntime(config, { version });
  const { logger } = runtime;
  logger.info(
    {
      port: runtime.port,
      database: runtime.database.driver,
      wechat: config.wechat.mode,
      caseSystem: runtime.simulator ? 'simulator' : 'open311',
      payout: config.payout.method,
      limits: config.redis ? 'redis' : 'memory',
      readyMs: Math.round(performance.now() - startedAt),
    },
    `CityLoop BFF ready on http://localhost:${runtime.port}`,
  );

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    await runtime.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((err) => {
  process.stderr.write(`CityLoop BFF failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
