import http from 'node:http';
import { createApp, type MapTiles } from './app';
import { startGeocoderFakeServer, type GeocoderFakeServer } from './dev/geocoder-fake-server';
import { CachedGeocoder } from './ports/geocoding/cached-geocoder';
import type { Geocoder } from './ports/geocoding/geocoder';
import { TencentGeocoder } from './ports/geocoding/tencent-geocoder';
import { SerialJob } from './jobs/serial-job';
import { ConfigError, loadConfig } from './config';
import { openDatabase } from './db/client';
import { startWechatFakeServer, type WechatFakeServer } from './dev/wechat-fake-server';
import { NotificationDispatcher } from './features/notifications/notification-dispatcher';
import { seedStallSpots } from './features/stalls/seed';
import { stallsRepository } from './features/stalls/stalls.repository';
import { staffRepository } from './features/staff/staff.repository';
import { createStaffAccount } from './features/staff/staff.usecases';
import { WechatSubscribeMessenger } from './ports/notify/subscribe-messenger';
import { CaseDeliveryDispatcher, pollOpenCases } from './features/reports/case-delivery';
import { PhotoUrlSigner } from './features/photos/photo-urls';
import { Open311CaseSystem } from './ports/case-system/open311-case-system';
import { startCaseSimulator, type CaseSimulator } from './dev/case-simulator/simulator';
import { startTileFakeServer, type TileFakeServer } from './dev/tile-fake-server';
import { LocalPhotoStorage } from './ports/storage/photo-storage';
import { S3PhotoStorage } from './ports/storage/s3-photo-storage';
import { createLogger } from './logger';
import { WechatHttpAuth } from './ports/wechat/wechat-auth';
import fs from 'node:fs';
import { WechatPayPayout } from './ports/payout/wechatpay-payout';
import { expireUnclaimedRewards } from './features/rewards/rewards.usecases';
import { PayoutDispatcher } from './features/rewards/payout-dispatcher';
import { loadRewardRules } from './features/rewards/reward-rules';
import { sendRatingNudges } from './features/ratings/ratings.usecases';
/** An address does not move; a day bounds how long a renamed road or a new landmark takes to show. */
const GEOCODE_CACHE_TTL_MS = 24 * 3_600_000;
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
  const backfilled = await stallsRepository(database.db).fillMissingOpenHours();
  if (backfilled) logger.info({ backfilled }, 'wrote open-hours rows for stall spots without them');
  if (config.seedStallSpots) {
    const seeded = await seedStallSpots(database.db);
    if (seeded) logger.info({ seeded }, 'seeded stall spots');
  }

  if (config.devStaffPassword) {
    // loadConfig refuses this in production; here for demos and the e2e test.
    const staff = staffRepository(database.db);
    if (!(await staff.findByUsername('dev-admin'))) await createStaffAccount({ staff }, { username: 'dev-admin', displayName: '开发管理员', password: config.devStaffPassword, role: 'admin' });
    logger.warn('DEV_STAFF_PASSWORD set: staff account dev-admin exists (development only)');
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


  // WeChat Pay needs real keys; there is no dev fallback (the manual method is the default).
  const payoutProvider =
    config.payout.method === 'wechatpay'
      ? new WechatPayPayout({
          baseUrl: config.payout.baseUrl,
          mchId: config.payout.mchId,
          appId: config.wechat.appId,
          merchantSerialNo: config.payout.merchantSerialNo,
          merchantPrivateKeyPem: fs.readFileSync(config.payout.merchantPrivateKeyFile, 'utf8'),
          platformSerial: config.payout.platformSerial,
          platformPublicKeyPem: fs.readFileSync(config.payout.platformPublicKeyFile, 'utf8'),
          apiV3Key: config.payout.apiV3Key,
          notifyUrl: `${config.publicBaseUrl}/api/v1/hooks/wechatpay/transfer`,
          transferSceneId: config.payout.transferSceneId,
          timeoutMs: config.payout.timeoutMs,
        })
      : undefined;
  // The maps (H5 and console): the configured tile source, or in development a local stand-in (no internet needed).
  let tileFake: TileFakeServer | undefined;
  let mapTiles: MapTiles = { ...config.mapTiles };
  if (!mapTiles.url && config.env !== 'production') {
    tileFake = await startTileFakeServer({ port: process.env.TILE_FAKE_PORT ? Number(process.env.TILE_FAKE_PORT) : 0 });
    mapTiles = { ...mapTiles, url: tileFake.template, labelUrl: null, subdomains: '', attribution: mapTiles.attribution || '本地测试底图', coordSystem: 'wgs84' };
    logger.warn({ tileUrl: mapTiles.url }, 'MAP_TILE_URL and TIANDITU_KEY unset: the maps use the local tile stand-in');
  } else if (!mapTiles.url) {
    logger.warn('MAP_TILE_URL and TIANDITU_KEY unset: the maps show no base map (the tile stand-in never runs in production)');
  }

  // Reverse geocoding: Tencent's WebService, or in development the real adapter against a local stand-in
  // speaking its protocol (key check and signature included). Cached either way.
  let geocoderFake: GeocoderFakeServer | undefined;
  let geocoder: Geocoder | undefined;
  if (config.geocoder.kind !== 'off') {
    let baseUrl = config.geocoder.baseUrl;
    if (config.geocoder.kind === 'dev') {
      // loadConfig refuses GEOCODER=dev in production; this is the belt to those braces.
      if (config.env === 'production') throw new Error('the dev geocoder must not run in production');
      geocoderFake = await startGeocoderFakeServer({ key: config.geocoder.key, secretKey: config.geocoder.secretKey });
      baseUrl = geocoderFake.url;
      logger.warn({ geocoderBase: baseUrl }, 'GEOCODER=dev: addresses come from the local geocoder stand-in (Chenggong, Kunming)');
    }
    const tencent = new TencentGeocoder({
      baseUrl,
      key: config.geocoder.key,
      secretKey: config.geocoder.secretKey,
      timeoutMs: config.geocoder.timeoutMs,
      onUpstreamError: (info) => logger.error(info, 'Tencent reverse geocoding failed'),
    });
    geocoder = new CachedGeocoder(tencent, { maxEntries: config.geocoder.cacheSize, ttlMs: GEOCODE_CACHE_TTL_MS, now: () => Date.now() });
  } else {
    logger.warn('GEOCODER=off: no addresses from the map pin; residents type them');
  }
  const ratingRules = { windowDays: config.ratings.windowDays, followUpDays: config.ratings.followUpDays, fixedQuestionAfterDays: config.ratings.fixedQuestionAfterDays };

  const app = createApp({
    database,
    wechat,
    logger,
    jwt: config.jwt,
    corsOrigins: config.corsOrigins,
    corsAllowLocalhost: config.env !== 'production',
    rateLimit: config.rateLimit,
    h5Dir: config.h5Dir,
    consoleDir: config.consoleDir,
    mapTiles,
    geocoder,
    payoutWorkingDays: config.payoutWorkingDays,
    trustProxy: config.trustProxy,
    trustProxyHops: config.trustProxyHops,
    staffLockout: config.staffLockout,
    version,
    photoStorage:
      config.photos.storage.kind === 's3'
        ? new S3PhotoStorage({ ...config.photos.storage, timeoutMs: 10_000 })
        : new LocalPhotoStorage(config.photos.dir),
    photoUrlSecret: config.photos.urlSecret,
    photoQueue: config.photos.queue,
    caseWebhookSecret: config.caseSystem.webhookSecret,
    ratingRules,
    payout: payoutProvider ? { method: 'wechatpay', provider: payoutProvider } : { method: 'manual' },
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

  // Without CASE_SYSTEM_URL (development only; production requires it) the case-system simulator runs as
  // its own HTTP server beside the BFF, speaking Open311 and pushing signed updates to our webhook.
  let simulator: CaseSimulator | undefined;
  let caseSystemUrl = config.caseSystem.url;
  if (!caseSystemUrl) {
    if (config.env === 'production') throw new Error('the case-system simulator must not run in production');
    simulator = await startCaseSimulator({
      port: Number(process.env.CASE_SIM_PORT ?? (port ? port + 100 : 0)),
      apiKey: config.caseSystem.apiKey,
      webhook: { url: `http://127.0.0.1:${port}/api/v1/hooks/case-system`, secret: config.caseSystem.webhookSecret },
      autoAdvanceMs: process.env.CASE_SIM_AUTO_ADVANCE_MS ? Number(process.env.CASE_SIM_AUTO_ADVANCE_MS) : undefined,
    });
    caseSystemUrl = simulator.url;
    logger.warn({ caseSystemUrl }, 'CASE_SYSTEM_URL unset: using the case-system simulator (operator endpoints under /operator)');
  }
  const caseSystem = new Open311CaseSystem({ baseUrl: caseSystemUrl, apiKey: config.caseSystem.apiKey, jurisdictionId: config.caseSystem.jurisdictionId, timeoutMs: config.caseSystem.timeoutMs });
  const delivery = new CaseDeliveryDispatcher({
    db: database.db,
    caseSystem,
    signer: new PhotoUrlSigner(config.photos.urlSecret),
    // Links must name the port actually bound (PORT=0 picks one) unless a public origin is configured.
    publicBaseUrl: process.env.PUBLIC_BASE_URL ? config.publicBaseUrl : `http://127.0.0.1:${port}`,
    shareReporterIdentity: config.caseSystem.shareReporterIdentity,
    logger,
    now: () => new Date(),
  });
  delivery.start(config.caseSystem.deliveryIntervalMs);
  // Pushed updates are the fast path; this pull catches any the case system failed to push.
  const poller = new SerialJob(
    'case polling',
    () => pollOpenCases({ db: database.db, caseSystem, logger }, { olderThanSeconds: config.caseSystem.pollAfterSeconds, batch: 50 }),
    logger,
  );
  poller.start(config.caseSystem.pollIntervalMs);

  const payouts = payoutProvider ? new PayoutDispatcher({ db: database.db, provider: payoutProvider, logger }) : undefined;
  payouts?.start(config.payout.intervalMs);
  // Hourly housekeeping: expire unclaimed rewards, send the one rating reminder and "is it fixed?".
  const housekeeping = new SerialJob(
    'rewards and ratings housekeeping',
    async () => {
      const expired = await expireUnclaimedRewards(database.db, await loadRewardRules(database.db));
      const nudges = await sendRatingNudges({ db: database.db, now: () => new Date(), ratingRules, reminderAfterDays: config.ratings.reminderAfterDays, logger });
      if (expired.users || nudges.reminders || nudges.fixedQuestions) logger.info({ expired, nudges }, 'housekeeping');
      return expired.users;
    },
    logger,
  );
  housekeeping.start(3_600_000);
  housekeeping.run().catch((err) => logger.error({ err }, 'housekeeping failed'));

  logger.info(
    { port, database: database.driver, wechat: config.wechat.mode, caseSystem: simulator ? 'simulator' : 'open311', payout: config.payout.method, readyMs: Math.round(performance.now() - startedAt) },
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
    await Promise.all([dispatcher.stop(), delivery.stop(), poller.stop(), housekeeping.stop(), payouts?.stop()]);
    await wechatFake?.close();
    await tileFake?.close();
    await geocoderFake?.close();
    await simulator?.close();
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
