import cors from '@koa/cors';
import Router from '@koa/router';
import Koa from 'koa';
import { API_PREFIX, RATING_RULES, type CoordSystem, type MapConfigDto, type RatingRulesConfig } from '@cityloop/shared';
import { ratingRoutes } from './features/ratings/ratings.routes';
import { PAYOUT_CALLBACK_PATH, payoutCallbackRoutes, rewardRoutes } from './features/rewards/rewards.routes';
import { DEFAULT_PAYOUT_WORKING_DAYS, type PayoutWorkingDays } from './features/rewards/rewards.presenter';
import { geoRoutes } from './features/geo/geo.routes';
import type { Geocoder } from './ports/geocoding/geocoder';
import type { PayoutProvider } from './ports/payout/payout';
import type { DatabaseHandle } from './db/client';
import { accountSources, type AccountSources } from './features/auth/account-sources';
import { authRoutes } from './features/auth/auth.routes';
import { TokenService } from './features/auth/tokens';
import { usersRepository } from './features/auth/users.repository';
import { figuresRoutes } from './features/figures/figures.routes';
import { residentAdminRoutes } from './features/residents/residents.routes';
import { auditRoutes } from './features/audit/audit.routes';
import { dashboardRoutes } from './features/dashboard/dashboard.routes';
import { staffReportRoutes } from './features/staff-reports/staff-reports.routes';
import { openApiRoutes } from './openapi/openapi.routes';
import { privacyRoutes } from './features/privacy/privacy.routes';
import { healthRoutes } from './features/health/health.routes';
import { staffRepository } from './features/staff/staff.repository';
import { staffRoutes } from './features/staff/staff.routes';
import { PhotoUrlSigner } from './features/photos/photo-urls';
import { photoRoutes } from './features/photos/photos.routes';
import { CASE_WEBHOOK_PATH, caseWebhookRoutes, reportRoutes } from './features/reports/reports.routes';
import { myStallRoutes, stallRoutes, staffStallRoutes } from './features/stalls/stalls.routes';
import { authOf, refuseBlocked, requireResident, staffGuardFor } from './http/auth';
import { consoleStatic } from './http/console-static';
import { h5Static } from './http/h5-static';
import { errorHandler, jsonBody, requestContext, securityHeaders } from './http/middleware';
import { clientIp } from './http/client-ip';
import { memoryLimiters, rateLimit, type LimiterFactory } from './http/rate-limit';
import { WorkQueue } from './jobs/work-queue';
import type { Logger } from './logger';
import type { RateLimitConfig, StaffLockoutConfig } from './config';
import type { PhotoStorage } from './ports/storage/photo-storage';
import type { WechatAuth } from './ports/wechat/wechat-auth';

export interface AppDeps {
  database: DatabaseHandle;
  /** The auth guards' account caches, fed by the database's change feed; absent: every request reads the database. */
  accounts?: AccountSources;
  wechat: WechatAuth;
  logger: Logger;
  jwt: { secret: string; ttlSeconds: number };
  corsOrigins: string[];
  /** Allow any http://localhost:* / 127.0.0.1 origin (Taro's H5 dev server); never in production. */
  corsAllowLocalhost: boolean;
  rateLimit: RateLimitConfig;
  /** Where limit counters live: process memory (default) or Redis, shared by every instance. */
  limiters?: LimiterFactory;
  staffLockout?: StaffLockoutConfig;
  h5Dir?: string;
  /** The staff console's build, served at /console/ (bff/src/http/console-static.ts). */
  consoleDir?: string;
  /**
   * The one tile source for the H5 map (GET /map/config) and the console's maps (/console/config.json):
   * Leaflet templates with {z}/{x}/{y} ({s} for subdomains). No url: no base map.
   */
  mapTiles?: MapTiles;
  /** Reverse geocoding (the address under the pin); absent: GET /geo/reverse answers 503 and reports keep the typed address. */
  geocoder?: Geocoder;
  /** Working days within which a claim should be paid, by method (the claim's expectedBy). */
  payoutWorkingDays?: PayoutWorkingDays;
  trustProxy?: boolean;
  /** Trusted proxies in front of the BFF; the client address is the entry the outermost of them added. */
  trustProxyHops?: number;
  version?: string;
  /** The clock, injectable so schedule-dependent answers can be tested at chosen instants. */
  now?: () => Date;
  photoStorage: PhotoStorage;
  /** Signs photo links (derive it from, but keep it apart from, the JWT secret). */
  photoUrlSecret: string;
  /** Shared with the case system to sign pushed updates. */
  caseWebhookSecret: string;
  /** Rating window, follow-up deadline and "is it fixed?" delay; the shared defaults when absent. */
  ratingRules?: RatingRulesConfig;
  /** How claims are paid: manual CSV batches (default) or WeChat Pay transfers through the provider. */
  payout?: { method: 'manual' } | { method: 'wechatpay'; provider: PayoutProvider };
  /** Photos read and processed at once, and uploads allowed to wait for a slot (then 503). */
  photoQueue: { concurrency: number; maxWaiting: number };
}

export interface MapTiles {
  url?: string | null;
  labelUrl?: string | null;
  attribution?: string;
  subdomains?: string;
  maxZoom?: number;
  coordSystem?: CoordSystem;
}

/** What GET /map/config answers for these tiles. */
export function mapConfigOf(tiles: MapTiles | undefined): MapConfigDto {
  return {
    tileUrl: tiles?.url ?? null,
    labelUrl: tiles?.labelUrl ?? null,
    tileSubdomains: tiles?.subdomains ?? '',
    tileAttribution: tiles?.attribution ?? '',
    maxZoom: tiles?.maxZoom ?? 18,
    coordSystem: tiles?.coordSystem ?? 'wgs84',
  };
}

export const DEFAULT_STAFF_LOCKOUT: StaffLockoutConfig = { threshold: 5, minutes: 15 };

export const DEFAULT_RATING_RULES: RatingRulesConfig = {
  windowDays: RATING_RULES.windowDays,
  followUpDays: RATING_RULES.followUpDays,
  fixedQuestionAfterDays: RATING_RULES.fixedQuestionAfterDays,
};

/** Routes that read their own raw body (file uploads) instead of JSON. */
const RAW_BODY_PATHS = [`${API_PREFIX}/staff/stall-spots/import`, `${API_PREFIX}${CASE_WEBHOOK_PATH}`, `${API_PREFIX}${PAYOUT_CALLBACK_PATH}`];

/** Builds the Koa app from its dependencies. It does not listen: main.ts and the tests do. */
export function createApp(deps: AppDeps): Koa {
  // X-Forwarded-For is written by the client first and appended to by each proxy: only the last
  // `hops` entries are ours to trust, so Koa reads just those and ctx.ip is the leftmost of them.
  const app = new Koa({ proxy: deps.trustProxy ?? false, maxIpsCount: deps.trustProxy ? (deps.trustProxyHops ?? 1) : 0 });
  // Errors are logged once, by errorHandler; Koa's default stderr printer would log them twice.
  app.silent = true;

  const tokens = new TokenService(deps.jwt.secret, deps.jwt.ttlSeconds);
  const users = usersRepository(deps.database.db);
  const staff = staffRepository(deps.database.db);
  const limiter = deps.limiters ?? memoryLimiters;
  const wechatLoginLimiter = limiter('wechat-login', deps.rateLimit.wechatLoginsPerMinute);
  const staffLoginLimiter = limiter('staff-login', deps.rateLimit.staffLoginsPerMinute);
  const writeLimiter = limiter('write', deps.rateLimit.writesPerMinute);
  // Accounts behind tokens: remembered while the database's change feed is live (runtime.ts), else
  // read afresh on every request; reads arriving together share one statement.
  const accounts = deps.accounts ?? accountSources(deps.database.db, { live: false });
  const staffGuard = staffGuardFor(tokens, accounts.staff, () => {
    // A staff write may have changed any account; staff writes are few, so forget them all here.
    accounts.staff.forgetAll();
    accounts.residents.forgetAll();
  });
  const residentGuard = requireResident(tokens, accounts.residents);
  const now = deps.now ?? (() => new Date());
  const stallDeps = { db: deps.database.db, now, logger: deps.logger };
  const signer = new PhotoUrlSigner(deps.photoUrlSecret);
  // Every resident write: refuse blocked users, then count against the per-user write limit.
  const writeGuards = [refuseBlocked(), rateLimit(writeLimiter, (ctx) => `write:${authOf(ctx).subject}`)];
  const ratingRules = deps.ratingRules ?? DEFAULT_RATING_RULES;
  const reportDeps = { db: deps.database.db, signer, now, ratingRules, geocoder: deps.geocoder };
  // Per resident, each with its own budget: the address under the pin spends Tencent quota on every
  // cache miss; the map's open reports are a spatial query repeated as the pin moves.
  const geocodeGuard = rateLimit(limiter('geocode', deps.rateLimit.geocodesPerMinute ?? 30), (ctx) => `geocode:${authOf(ctx).subject}`);
  const mapReadGuard = rateLimit(limiter('map', deps.rateLimit.mapReadsPerMinute ?? 120), (ctx) => `map:${authOf(ctx).subject}`);
  const mapConfig = mapConfigOf(deps.mapTiles);
  const payout = deps.payout ?? { method: 'manual' as const };
  const payoutProvider = payout.method === 'wechatpay' ? payout.provider : undefined;
  // Public reads have their own per-IP budget, apart from residents' writes.
  const publicReadLimiter = limiter('public-read', deps.rateLimit.publicReadsPerMinute);
  const publicReadGuard = rateLimit(publicReadLimiter, (ctx) => `read:${clientIp(ctx)}`);
  const photoQueue = new WorkQueue(deps.photoQueue.concurrency, deps.photoQueue.maxWaiting);

  const api = new Router({ prefix: API_PREFIX });
  api.use(jsonBody({ rawBodyPaths: RAW_BODY_PATHS }));
  for (const feature of [
    healthRoutes({ database: deps.database, version: deps.version ?? '0.0.0', photoQueue }),
    openApiRoutes({ version: deps.version ?? '0.0.0' }),
    authRoutes({ wechat: deps.wechat, users, tokens, loginLimiter: wechatLoginLimiter, residentGuard }),
    staffRoutes({ staff, tokens, db: deps.database.db, now, lockout: deps.staffLockout ?? DEFAULT_STAFF_LOCKOUT, loginLimiter: staffLoginLimiter, staffGuard }),
    stallRoutes({ ...stallDeps, tokens, residentGuard, writeGuards, publicReadGuard }),
    myStallRoutes({ ...stallDeps, residentGuard }),
    staffStallRoutes({ ...stallDeps, staffGuard }),
    photoRoutes({ ...reportDeps, storage: deps.photoStorage, residentGuard, writeGuards, photoQueue }),
    // Before reportRoutes: /staff/reports/map-points must not be read as /staff/reports/:id.
    staffReportRoutes({ db: deps.database.db, staffGuard }),
    reportRoutes({ ...reportDeps, residentGuard, staffGuard, writeGuards, mapReadGuard }),
    geoRoutes({ geocoder: deps.geocoder, mapConfig, residentGuard, geocodeGuard, publicReadGuard }),
    caseWebhookRoutes({ ...reportDeps, webhookSecret: deps.caseWebhookSecret }),
    ratingRoutes({ db: deps.database.db, now, ratingRules, residentGuard, staffGuard, writeGuards }),
    rewardRoutes({
      db: deps.database.db,
      now,
      residentGuard,
      staffGuard,
      writeGuards,
      payoutMethod: payout.method,
      payoutProvider,
      payoutWorkingDays: deps.payoutWorkingDays ?? DEFAULT_PAYOUT_WORKING_DAYS,
    }),
    payoutCallbackRoutes({ db: deps.database.db, provider: payoutProvider, now }),
    figuresRoutes({ db: deps.database.db, staffGuard, now, publicReadGuard }),
    residentAdminRoutes({ db: deps.database.db, staffGuard }),
    dashboardRoutes({ db: deps.database.db, now, staffGuard }),
    auditRoutes({ db: deps.database.db, staffGuard }),
    privacyRoutes({ ...reportDeps, storage: deps.photoStorage, logger: deps.logger, residentGuard, writeGuards }),
  ]) {
    // The feature's layers are copied into `api`, whose one allowedMethods (below) answers 405 and
    // OPTIONS for all of them; one per feature would put 22 more middleware on every request.
    api.use(feature.routes());
  }

  app.use(requestContext(deps.logger));
  app.use(errorHandler());
  app.use(securityHeaders());
  app.use(
    cors({
      origin: (ctx) => {
        const origin = ctx.get('origin');
        if (deps.corsOrigins.includes(origin)) return origin;
        if (deps.corsAllowLocalhost && /^http:\/\/(localhost|127\.0\.0\.1)(:\d+)?$/.test(origin)) return origin;
        return '';
      },
      allowHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'X-Request-Id'],
      exposeHeaders: ['X-Request-Id', 'Retry-After'],
      maxAge: 600,
    }),
  );
  app.use(api.routes());
  app.use(api.allowedMethods({ throw: true }));
  if (deps.consoleDir) app.use(consoleStatic({ dir: deps.consoleDir, tiles: mapConfig }));
  if (deps.h5Dir) app.use(h5Static(deps.h5Dir));
  return app;
}
