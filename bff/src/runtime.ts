import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import type { AddressInfo } from 'node:net';
import Redis from 'ioredis';
import { createApp, type AppDeps, type MapTiles } from './app';
import type { Config } from './config';
import { openDatabase, type DatabaseHandle } from './db/client';
import { watchedAccountSources, type WatchedAccountSources } from './features/auth/account-sources';
import { startCaseSimulator, type CaseSimulator, type CaseSimulatorOptions } from './dev/case-simulator/simulator';
import { startGeocoderFakeServer, type GeocoderFakeServer } from './dev/geocoder-fake-server';
import { startTileFakeServer, type TileFakeServer } from './dev/tile-fake-server';
import { startWechatFakeServer, type WechatFakeServer } from './dev/wechat-fake-server';
import { NotificationDispatcher } from './features/notifications/notification-dispatcher';
import { PhotoUrlSigner } from './features/photos/photo-urls';
import { sendRatingNudges } from './features/ratings/ratings.usecases';
import { CaseDeliveryDispatcher, pollOpenCases } from './features/reports/case-delivery';
import { PayoutDispatcher } from './features/rewards/payout-dispatcher';
import { loadRewardRules } from './features/rewards/reward-rules';
import { expireUnclaimedRewards } from './features/rewards/rewards.usecases';
import { seedStallSpots } from './features/stalls/seed';
import { stallsRepository } from './features/stalls/stalls.repository';
import { staffRepository } from './features/staff/staff.repository';
import { createStaffAccount } from './features/staff/staff.usecases';
import { memoryLimiters, redisLimiters } from './http/rate-limit';
import { PeriodicJob } from './jobs/periodic-job';
import { SerialJob } from './jobs/serial-job';
import { createLogger, type Logger } from './logger';
import { Open311CaseSystem } from './ports/case-system/open311-case-system';
import { CachedGeocoder } from './ports/geocoding/cached-geocoder';
import type { Geocoder } from './ports/geocoding/geocoder';
import { TencentGeocoder } from './ports/geocoding/tencent-geocoder';
import { WechatSubscribeMessenger } from './ports/notify/subscribe-messenger';
import type { PayoutProvider } from './ports/payout/payout';
import { WechatPayPayout } from './ports/payout/wechatpay-payout';
import { LocalPhotoStorage } from './ports/storage/photo-storage';
import { S3PhotoStorage } from './ports/storage/s3-photo-storage';
import { WechatHttpAuth } from './ports/wechat/wechat-auth';

/** An address does not move; a day bounds how long a renamed road or a new landmark takes to show. */
const GEOCODE_CACHE_TTL_MS = 24 * 3_600_000;

export interface RuntimeOptions {
  /** The one clock for the app, the use cases and the workers. */
  clock?: { now(): Date };
  /** Where log lines go (stdout when absent). */
  logDestination?: Parameters<typeof createLogger>[1];
  version?: string;
  /** Run the outboxes, polling and housekeeping on timers (main.ts); tests leave them off and drive them by hand. */
  startWorkers?: boolean;
  /** Test doubles and settings laid over what the config gives createApp. */
  app?: Partial<AppDeps>;
  /** A payment provider in place of the one the config describes. */
  payoutProvider?: PayoutProvider;
  /** The development case simulator's test-only knobs. */
  simulator?: Pick<CaseSimulatorOptions, 'casePrefix'> & { webhookSecret?: string; retryDelaysMs?: number[] };
}

export interface Runtime {
  config: Config;
  app: ReturnType<typeof createApp>;
  server: http.Server;
  /** http://host:port the server bound. */
  url: string;
  port: number;
  database: DatabaseHandle;
  /** The auth guards' account caches and the change feed that keeps them true. */
  accounts: WatchedAccountSources;
  logger: Logger;
  wechatFake?: WechatFakeServer;
  geocoderFake?: GeocoderFakeServer;
  tileFake?: TileFakeServer;
  simulator?: CaseSimulator;
  notifications: NotificationDispatcher;
  delivery: CaseDeliveryDispatcher;
  payouts?: PayoutDispatcher;
  /** Rewards expiry, the rating reminder and "is it fixed?": once per period across instances. */
  housekeeping: PeriodicJob<{ expired: { users: number; expiredFen: number }; nudges: Awaited<ReturnType<typeof sendRatingNudges>> }>;
  /** Pulls status for open cases not polled for `olderThanSeconds` (the configured age by default). */
  pollCases(opts?: { olderThanSeconds?: number; batch?: number }): Promise<number>;
  /** Stops accepting requests, lets the workers finish their run, then closes stand-ins, Redis and the database. */
  close(): Promise<void>;
}

/**
 * Builds the whole BFF from its config: database, adapters (or development stand-ins), the app
 * listening on config.host:config.port, and the background workers. main.ts and the tests both use it.
 */
export async function createRuntime(config: Config, options: RuntimeOptions = {}): Promise<Runtime> {
  const logger = createLogger(config.logLevel, options.logDestination);
  const now = options.clock ? () => options.clock!.now() : () => new Date();
  const closers: Array<() => Promise<unknown>> = [];
  const closeAll = async () => {
    for (const close of closers.splice(0).reverse()) await close().catch((err) => logger.error({ err }, 'closing failed'));
  };
  try {
    const database = await openDatabase(config.database);
    closers.push(() => database.close());
    await prepareDatabase(database, config, logger);

    const wechatFake = config.wechat.mode === 'dev' ? await devOnly(config, 'WECHAT_MODE=dev', () => startWechatFakeServer({ appId: config.wechat.appId, secret: config.wechat.secret })) : undefined;
    if (wechatFake) closers.push(() => wechatFake.close());
    const wechatBase = wechatFake?.url ?? config.wechat.apiBase;
    if (wechatFake) logger.warn({ wechatBase }, 'WECHAT_MODE=dev: logins use the local WeChat stand-in (codes like dev:alice)');

    const tileFake = config.tileStandIn ? await devOnly(config, 'the tile stand-in', () => startTileFakeServer({ port: config.tileStandIn!.port })) : undefined;
    if (tileFake) closers.push(() => tileFake.close());
    const mapTiles = mapTilesFor(config, tileFake, logger);

    const { geocoder, geocoderFake } = await geocoderFor(config, logger);
    if (geocoderFake) closers.push(() => geocoderFake.close());

    const payoutProvider = options.payoutProvider ?? payoutProviderFor(config);
    const redis = config.redis ? connectRedis(config.redis.url, logger) : undefined;
    if (redis) closers.push(() => redis.quit().catch(() => redis.disconnect()));

    const accounts = await watchedAccountSources(database, logger);
    closers.push(() => accounts.close());
    const app = createApp({
      database,
      accounts,
      wechat: new WechatHttpAuth({ ...config.wechat, apiBase: wechatBase, onUpstreamError: (info) => logger.error(info, 'WeChat jscode2session failed') }),
      logger,
      jwt: config.jwt,
      corsOrigins: config.corsOrigins,
      corsAllowLocalhost: config.env !== 'production',
      rateLimit: config.rateLimit,
      limiters: redis && config.redis ? redisLimiters(redis, config.redis.keyPrefix) : memoryLimiters,
      h5Dir: config.h5Dir,
      consoleDir: config.consoleDir,
      mapTiles,
      geocoder,
      payoutWorkingDays: config.payoutWorkingDays,
      trustProxy: config.trustProxy,
      trustProxyHops: config.trustProxyHops,
      staffLockout: config.staffLockout,
      version: options.version,
      now,
      photoStorage: config.photos.storage.kind === 's3' ? new S3PhotoStorage({ ...config.photos.storage, timeoutMs: 10_000 }) : new LocalPhotoStorage(config.photos.dir),
      photoUrlSecret: config.photos.urlSecret,
      photoQueue: config.photos.queue,
      caseWebhookSecret: config.caseSystem.webhookSecret,
      ratingRules: { windowDays: config.ratings.windowDays, followUpDays: config.ratings.followUpDays, fixedQuestionAfterDays: config.ratings.fixedQuestionAfterDays },
      payout: payoutProvider ? { method: 'wechatpay', provider: payoutProvider } : { method: 'manual' },
      ...options.app,
    });

    const server = http.createServer(app.callback());
    server.requestTimeout = 30_000;
    server.headersTimeout = 15_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, resolve);
    });
    closers.push(
      () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
        }),
    );
    const { port } = server.address() as AddressInfo;
    const url = `http://127.0.0.1:${port}`;

    // Without CASE_SYSTEM_URL (development only; production requires it) the case-system simulator runs as
    // its own HTTP server beside the BFF, speaking Open311 and pushing signed updates to our webhook.
    const simulator = config.caseSystem.url
      ? undefined
      : await devOnly(config, 'the case-system simulator', () =>
          startCaseSimulator({
            port: config.caseSystem.simulator.port ?? (config.port ? port + 100 : 0),
            apiKey: config.caseSystem.apiKey,
            casePrefix: options.simulator?.casePrefix,
            webhook: { url: `${url}/api/v1/hooks/case-system`, secret: options.simulator?.webhookSecret ?? config.caseSystem.webhookSecret, retryDelaysMs: options.simulator?.retryDelaysMs },
            autoAdvanceMs: config.caseSystem.simulator.autoAdvanceMs,
          }),
        );
    if (simulator) {
      closers.push(() => simulator.close());
      logger.warn({ caseSystemUrl: simulator.url }, 'CASE_SYSTEM_URL unset: using the case-system simulator (operator endpoints under /operator)');
    }
    const caseSystem = new Open311CaseSystem({
      baseUrl: simulator?.url ?? config.caseSystem.url!,
      apiKey: config.caseSystem.apiKey,
      jurisdictionId: config.caseSystem.jurisdictionId,
      timeoutMs: config.caseSystem.timeoutMs,
      format: config.caseSystem.format,
      extensions: config.caseSystem.extensions,
      attributeValues: config.caseSystem.attributeValues,
      updatesFeed: config.caseSystem.updatesFeed,
    });

    const { db } = database;
    const notifications = new NotificationDispatcher({ db, messenger: new WechatSubscribeMessenger({ ...config.wechat, apiBase: wechatBase }), templates: config.wechat.templates, logger });
    const delivery = new CaseDeliveryDispatcher({
      db,
      caseSystem,
      signer: new PhotoUrlSigner(config.photos.urlSecret),
      // Links must name the port actually bound (PORT=0 picks one) unless a public origin is configured.
      publicBaseUrl: config.publicBaseUrl ?? url,
      shareReporterIdentity: config.caseSystem.shareReporterIdentity,
      logger,
      now,
    });
    const pollCases = (opts: { olderThanSeconds?: number; batch?: number } = {}) =>
      pollOpenCases({ db, caseSystem, logger, now }, { olderThanSeconds: opts.olderThanSeconds ?? config.caseSystem.pollAfterSeconds, batch: opts.batch ?? 50 });
    // Pushed updates are the fast path; this pull catches any the case system failed to push.
    const poller = new SerialJob('case polling', () => pollCases(), logger);
    const payouts = payoutProvider ? new PayoutDispatcher({ db, provider: payoutProvider, logger, now }) : undefined;
    const ratingRules = { windowDays: config.ratings.windowDays, followUpDays: config.ratings.followUpDays, fixedQuestionAfterDays: config.ratings.fixedQuestionAfterDays };
    const housekeeping = new PeriodicJob({ db, logger, now, instance: `${os.hostname()}:${process.pid}` }, 'rewards and ratings housekeeping', config.housekeepingIntervalMs, async () => {
      const expired = await expireUnclaimedRewards(db, await loadRewardRules(db), now());
      const nudges = await sendRatingNudges({ db, now, ratingRules, reminderAfterDays: config.ratings.reminderAfterDays, logger });
      if (expired.users || nudges.reminders || nudges.fixedQuestions) logger.info({ expired, nudges }, 'housekeeping');
      return { expired, nudges };
    });
    // Stopped before the server closes, so an in-flight run finishes against an open database.
    closers.push(() => Promise.all([notifications.stop(), delivery.stop(), poller.stop(), housekeeping.stop(), payouts?.stop()]));

    if (options.startWorkers ?? true) {
      notifications.start(config.notifyIntervalMs);
      delivery.start(config.caseSystem.deliveryIntervalMs);
      poller.start(config.caseSystem.pollIntervalMs);
      payouts?.start(config.payout.intervalMs);
      housekeeping.start();
      housekeeping.runOnce().catch((err) => logger.error({ err }, 'housekeeping failed'));
    }

    return {
      config,
      app,
      server,
      url,
      port,
      database,
      accounts,
      logger,
      wechatFake,
      geocoderFake,
      tileFake,
      simulator,
      notifications,
      delivery,
      payouts,
      housekeeping,
      pollCases,
      close: closeAll,
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}

/** Schema, backfills, the seeded stall spots and the development staff account. */
async function prepareDatabase(database: DatabaseHandle, config: Config, logger: Logger) {
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
}

/** loadConfig already refuses development stand-ins in production; this is the belt to those braces. */
function devOnly<T>(config: Config, what: string, start: () => Promise<T>): Promise<T> {
  if (config.env === 'production') throw new Error(`${what} must not run in production`);
  return start();
}

/** The maps (H5 and console): the configured tile source, or in development a local stand-in (no internet needed). */
function mapTilesFor(config: Config, tileFake: TileFakeServer | undefined, logger: Logger): MapTiles {
  const tiles: MapTiles = { ...config.mapTiles };
  if (tileFake) {
    logger.warn({ tileUrl: tileFake.template }, 'MAP_TILE_URL and TIANDITU_KEY unset: the maps use the local tile stand-in');
    return { ...tiles, url: tileFake.template, labelUrl: null, subdomains: '', attribution: tiles.attribution || '本地测试底图', coordSystem: 'wgs84' };
  }
  if (!tiles.url && config.env === 'production') logger.warn('MAP_TILE_URL and TIANDITU_KEY unset: the maps show no base map (the tile stand-in never runs in production)');
  return tiles;
}

/**
 * Reverse geocoding: Tencent's WebService, or in development the real adapter against a local stand-in
 * speaking its protocol (key check and signature included). Cached either way.
 */
async function geocoderFor(config: Config, logger: Logger): Promise<{ geocoder?: Geocoder; geocoderFake?: GeocoderFakeServer }> {
  const settings = config.geocoder;
  if (settings.kind === 'off') {
    logger.warn('GEOCODER=off: no addresses from the map pin; residents type them');
    return {};
  }
  let baseUrl = settings.baseUrl;
  let geocoderFake: GeocoderFakeServer | undefined;
  if (settings.kind === 'dev') {
    geocoderFake = await devOnly(config, 'the dev geocoder', () => startGeocoderFakeServer({ key: settings.key, secretKey: settings.secretKey }));
    baseUrl = geocoderFake.url;
    logger.warn({ geocoderBase: baseUrl }, 'GEOCODER=dev: addresses come from the local geocoder stand-in (Chenggong, Kunming)');
  }
  const tencent = new TencentGeocoder({
    baseUrl,
    key: settings.key,
    secretKey: settings.secretKey,
    timeoutMs: settings.timeoutMs,
    onUpstreamError: (info) => logger.error(info, 'Tencent reverse geocoding failed'),
  });
  return { geocoder: new CachedGeocoder(tencent, { maxEntries: settings.cacheSize, ttlMs: GEOCODE_CACHE_TTL_MS, now: () => Date.now() }), geocoderFake };
}

/** WeChat Pay needs real keys; there is no dev fallback (the manual method is the default). */
function payoutProviderFor(config: Config): PayoutProvider | undefined {
  const payout = config.payout;
  if (payout.method !== 'wechatpay') return undefined;
  return new WechatPayPayout({
    baseUrl: payout.baseUrl,
    mchId: payout.mchId,
    appId: config.wechat.appId,
    merchantSerialNo: payout.merchantSerialNo,
    merchantPrivateKeyPem: fs.readFileSync(payout.merchantPrivateKeyFile, 'utf8'),
    platformSerial: payout.platformSerial,
    platformPublicKeyPem: fs.readFileSync(payout.platformPublicKeyFile, 'utf8'),
    apiV3Key: payout.apiV3Key,
    notifyUrl: `${config.publicBaseUrl ?? `http://127.0.0.1:${config.port}`}/api/v1/hooks/wechatpay/transfer`,
    transferSceneId: payout.transferSceneId,
    timeoutMs: payout.timeoutMs,
  });
}

/**
 * Redis for shared limits. Commands fail at once while disconnected (no offline queue), so the
 * limiters fall back to memory instead of holding requests; ioredis keeps reconnecting meanwhile.
 */
function connectRedis(url: string, logger: Logger): Redis {
  const redis = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2000, retryStrategy: (times) => Math.min(times * 200, 5000) });
  let lastWarning = 0;
  redis.on('error', (err) => {
    // A down Redis reports every reconnect attempt; one line a minute says enough.
    if (Date.now() - lastWarning < 60_000) return;
    lastWarning = Date.now();
    logger.warn({ error: err.message }, 'Redis unreachable: limits fall back to per-instance memory');
  });
  redis.on('ready', () => logger.info('Redis connected: limits shared across instances'));
  return redis;
}
