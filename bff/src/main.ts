import http from 'node:http';
import { createApp } from './app';
import { ConfigError, loadConfig } from './config';
import { openDatabase } from './db/client';
import { startWechatFakeServer, type WechatFakeServer } from './dev/wechat-fake-server';
import { NotificationDispatcher } from './features/notifications/notifications';
import { seedStallSpots } from './features/stalls/seed';
import { WechatSubscribeMessenger } from './ports/notify/subscribe-messenger';
import { createLogger } from './logger';
import { WechatHttpAuth } from './ports/wechat/wechat-auth';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { version } = require('../package.json') as { version: string };

/** The process: read config, open the database, wire adapters, listen, and shut down cleanly. */
async function main() {
  const startedAt = performance.now();
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\nSee .env.example for every setting.\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);

  const database = await openDatabase(config.database);
  if (config.seedStallSpots) {
    const seeded = await seedStallSpots(database.db);
    if (seeded) logger.info({ seeded }, 'seeded stall spots');
  }

  let wechatFake: WechatFakeServer | undefined;
  let wechatBase = config.wechat.apiBase;
  if (config.wechat.mode === 'dev') {
    // loadConfig already refuses dev mode with NODE_ENV=production; this is the belt to those braces.
    if (config.env === 'production') throw new Error('dev WeChat must not run in production');
    wechatFake = await startWechatFakeServer({ appId: config.wechat.appId, secret: config.wechat.secret });
    wechatBase = wechatFake.url;
    logger.warn({ wechatBase }, 'WECHAT_MODE=dev: logins use the local WeChat stand-in (codes like dev:alice)');
  }
  const wechat = new WechatHttpAuth({
    ...config.wechat,
    apiBase: wechatBase,
    onUpstreamError: (info) => logger.error(info, 'WeChat jscode2session failed'),
  });

  const dispatcher = new NotificationDispatcher({
    db: database.db,
    messenger: new WechatSubscribeMessenger({ ...config.wechat, apiBase: wechatBase }),
    templates: config.wechat.templates,
    logger,
  });
  dispatcher.start(config.notifyIntervalMs);

  const app = createApp({
    database,
    wechat,
    logger,
    jwt: config.jwt,
    corsOrigins: config.corsOrigins,
    corsAllowLocalhost: config.env !== 'production',
    rateLimit: config.rateLimit,
    h5Dir: config.h5Dir,
    trustProxy: config.trustProxy,
    version,
  });

  const server = http.createServer(app.callback());
  server.requestTimeout = 30_000;
  server.headersTimeout = 15_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, resolve);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  logger.info(
    { port, database: database.driver, wechat: config.wechat.mode, readyMs: Math.round(performance.now() - startedAt) },
    `CityLoop BFF ready on http://localhost:${port}`,
  );

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await dispatcher.stop();
    await wechatFake?.close();
    await database.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((err) => {
  process.stderr.write(`CityLoop BFF failed to start: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
