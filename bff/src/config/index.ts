import os from 'node:os';
import path from 'node:path';
import type { z } from 'zod';
import { databaseSchema, envSchema, geocoderKind, type Env } from './env';
import type { Config } from './types';

export type { Env } from './env';
export type { Config, RateLimitConfig, StaffLockoutConfig } from './types';

const TIANDITU_ATTRIBUTION = '天地图';
/** TianDiTu's web-mercator WMTS (`_w` layers), KVP form, as Leaflet templates: `vec` roads and areas, `cva` their labels. */
const tiandituLayer = (layer: 'vec' | 'cva', key: string) =>
  `https://t{s}.tianditu.gov.cn/${layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=${layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=${key}`;

/** The one tile source (H5 map and console): an explicit template, else TianDiTu with its key, else none. */
function mapTilesOf(env: Env): Config['mapTiles'] {
  const url = env.MAP_TILE_URL ?? env.CONSOLE_TILE_URL;
  const attribution = env.MAP_TILE_ATTRIBUTION ?? env.CONSOLE_TILE_ATTRIBUTION;
  const subdomains = env.MAP_TILE_SUBDOMAINS ?? env.CONSOLE_TILE_SUBDOMAINS;
  const common = { maxZoom: env.MAP_TILE_MAX_ZOOM };
  if (url) return { ...common, url, labelUrl: env.MAP_TILE_LABEL_URL ?? null, attribution: attribution ?? '', subdomains: subdomains ?? '', coordSystem: env.MAP_TILE_COORD_SYSTEM };
  if (env.TIANDITU_KEY) {
    return {
      ...common,
      url: tiandituLayer('vec', env.TIANDITU_KEY),
      labelUrl: tiandituLayer('cva', env.TIANDITU_KEY),
      attribution: attribution ?? TIANDITU_ATTRIBUTION,
      subdomains: subdomains ?? '01234567',
      coordSystem: 'wgs84',
    };
  }
  return { ...common, url: null, labelUrl: null, attribution: attribution ?? '', subdomains: subdomains ?? '', coordSystem: env.MAP_TILE_COORD_SYSTEM };
}

/** Development's stand-in key and SecretKey: the real adapter signs its requests to the stand-in as it would to Tencent. */
export const DEV_TENCENT_MAP_KEY = 'DEVKY-CITYL-OOPGE-OCODE-RSTAN-DIN00';
export const DEV_TENCENT_MAP_SK = 'devTencentMapSecretKey0000000000';

function databaseOf(env: z.infer<typeof databaseSchema>): Config['database'] {
  return env.DATABASE_URL ? { kind: 'postgres', url: env.DATABASE_URL } : { kind: 'pglite', dataDir: path.resolve(env.DATA_DIR, 'pglite') };
}

/** Only where the database is, for operator commands (staff:create) that need nothing else. */
export function databaseConfigFrom(source: NodeJS.ProcessEnv): Config['database'] {
  const parsed = databaseSchema.safeParse(Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== '')));
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  return databaseOf(parsed.data);
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Dev-only secret so `npm start` works with nothing set; production refuses to boot without JWT_SECRET. */
const DEV_JWT_SECRET = 'cityloop-dev-only-secret-never-use-in-production';
/** WeChat's documented tourist appid (测试号), used by the dev stand-in only. */
const DEV_WECHAT_APPID = 'wx0000000000000000';

function geocoderOf(env: Env): Config['geocoder'] {
  const kind = geocoderKind(env);
  if (kind === 'off') return { kind };
  const common = { timeoutMs: env.GEOCODER_TIMEOUT_MS, cacheSize: env.GEOCODER_CACHE_SIZE };
  // The dev stand-in's URL is known only once main.ts has started it.
  if (kind === 'dev') return { kind, baseUrl: '', key: DEV_TENCENT_MAP_KEY, secretKey: DEV_TENCENT_MAP_SK, ...common };
  return { kind, baseUrl: env.TENCENT_MAP_BASE_URL, key: env.TENCENT_MAP_KEY!, secretKey: env.TENCENT_MAP_SK, ...common };
}

export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  // Empty strings in .env files mean "not set".
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.') || '(env)'}: ${issue.message}`));
  }
  const env = parsed.data;
  return {
    env: env.NODE_ENV,
    port: env.PORT,
    host: env.HOST,
    logLevel: env.LOG_LEVEL,
    database: databaseOf(env),
    jwt: { secret: env.JWT_SECRET ?? DEV_JWT_SECRET, ttlSeconds: env.JWT_TTL_SECONDS },
    wechat: {
      mode: env.WECHAT_MODE,
      appId: env.WECHAT_APPID ?? DEV_WECHAT_APPID,
      secret: env.WECHAT_SECRET ?? 'dev-wechat-secret',
      apiBase: env.WECHAT_API_BASE,
      timeoutMs: env.WECHAT_TIMEOUT_MS,
      miniprogramState: env.WECHAT_MODE === 'dev' ? 'developer' : env.WECHAT_MINIPROGRAM_STATE,
      templates: {
        stall_spot_changed: env.WECHAT_TEMPLATE_STALL_CHANGE ?? (env.WECHAT_MODE === 'dev' ? 'dev-stall-change' : undefined),
        report_status_changed: env.WECHAT_TEMPLATE_REPORT_STATUS ?? (env.WECHAT_MODE === 'dev' ? 'dev-report-status' : undefined),
        report_rating_reminder: env.WECHAT_TEMPLATE_REPORT_STATUS ?? (env.WECHAT_MODE === 'dev' ? 'dev-report-status' : undefined),
        report_fixed_question: env.WECHAT_TEMPLATE_REPORT_STATUS ?? (env.WECHAT_MODE === 'dev' ? 'dev-report-status' : undefined),
      },
    },
    notifyIntervalMs: env.NOTIFY_INTERVAL_MS,
    seedStallSpots: env.SEED_STALL_SPOTS,
    publicBaseUrl: env.PUBLIC_BASE_URL ? env.PUBLIC_BASE_URL.replace(/\/$/, '') : null,
    redis: env.REDIS_URL ? { url: env.REDIS_URL, keyPrefix: env.REDIS_KEY_PREFIX } : null,
    housekeepingIntervalMs: env.HOUSEKEEPING_INTERVAL_MS,
    caseSystem: {
      url: env.CASE_SYSTEM_URL ?? null,
      apiKey: env.CASE_SYSTEM_API_KEY ?? 'dev-case-system-key',
      jurisdictionId: env.CASE_SYSTEM_JURISDICTION,
      timeoutMs: env.CASE_SYSTEM_TIMEOUT_MS,
      webhookSecret: env.CASE_WEBHOOK_SECRET ?? 'dev-case-webhook-secret',
      deliveryIntervalMs: env.CASE_DELIVERY_INTERVAL_MS,
      pollIntervalMs: env.CASE_POLL_INTERVAL_MS,
      pollAfterSeconds: env.CASE_POLL_AFTER_SECONDS,
      shareReporterIdentity: env.REPORTER_IDENTITY_TO_CASE_SYSTEM,
      format: env.CASE_SYSTEM_FORMAT,
      extensions: env.CASE_SYSTEM_EXTENSIONS,
      attributeValues: env.CASE_SYSTEM_ATTRIBUTES,
      updatesFeed: env.CASE_SYSTEM_UPDATES_FEED,
      simulator: { port: env.CASE_SIM_PORT ?? null, autoAdvanceMs: env.CASE_SIM_AUTO_ADVANCE_MS },
    },
    photos: {
      dir: path.resolve(env.DATA_DIR, 'photos'),
      urlSecret: env.PHOTO_URL_SECRET ?? `${env.JWT_SECRET ?? DEV_JWT_SECRET}:photo-links`,
      queue: { concurrency: env.PHOTO_CONCURRENCY ?? os.availableParallelism(), maxWaiting: env.PHOTO_QUEUE_MAX_WAITING },
      storage:
        env.PHOTO_STORAGE === 's3'
          ? {
              kind: 's3',
              endpoint: env.S3_ENDPOINT!,
              bucket: env.S3_BUCKET!,
              region: env.S3_REGION,
              accessKeyId: env.S3_ACCESS_KEY_ID!,
              secretAccessKey: env.S3_SECRET_ACCESS_KEY!,
              forcePathStyle: env.S3_FORCE_PATH_STYLE,
              prefix: env.S3_PREFIX,
            }
          : { kind: 'local' },
    },
    corsOrigins: env.CORS_ORIGINS.split(',')
      .map((o) => o.trim())
      .filter(Boolean),
    h5Dir: path.resolve(env.H5_DIR),
    consoleDir: path.resolve(env.CONSOLE_DIR),
    mapTiles: mapTilesOf(env),
    tileStandIn: env.NODE_ENV !== 'production' && !mapTilesOf(env).url ? { port: env.TILE_FAKE_PORT } : null,
    geocoder: geocoderOf(env),
    payoutWorkingDays: { manual: env.PAYOUT_MANUAL_WORKING_DAYS, wechatpay: env.PAYOUT_WECHATPAY_WORKING_DAYS },
    trustProxy: env.TRUST_PROXY,
    trustProxyHops: env.TRUST_PROXY_HOPS,
    staffLockout: { threshold: env.STAFF_LOCKOUT_THRESHOLD, minutes: env.STAFF_LOCKOUT_MINUTES },
    devStaffPassword: env.DEV_STAFF_PASSWORD ?? null,
    ratings: { windowDays: env.RATING_WINDOW_DAYS, followUpDays: env.RATING_FOLLOW_UP_DAYS, reminderAfterDays: env.RATING_REMINDER_AFTER_DAYS, fixedQuestionAfterDays: env.FIXED_QUESTION_AFTER_DAYS },
    payout:
      env.PAYOUT_METHOD === 'wechatpay'
        ? {
            method: 'wechatpay',
            intervalMs: env.PAYOUT_INTERVAL_MS,
            baseUrl: env.WECHATPAY_BASE_URL,
            mchId: env.WECHATPAY_MCH_ID!,
            merchantSerialNo: env.WECHATPAY_MERCHANT_SERIAL_NO!,
            merchantPrivateKeyFile: env.WECHATPAY_MERCHANT_PRIVATE_KEY_FILE!,
            platformSerial: env.WECHATPAY_PLATFORM_SERIAL!,
            platformPublicKeyFile: env.WECHATPAY_PLATFORM_PUBLIC_KEY_FILE!,
            apiV3Key: env.WECHATPAY_API_V3_KEY!,
            transferSceneId: env.WECHATPAY_TRANSFER_SCENE_ID,
            timeoutMs: env.WECHATPAY_TIMEOUT_MS,
          }
        : { method: 'manual', intervalMs: env.PAYOUT_INTERVAL_MS },
    rateLimit: {
      writesPerMinute: env.RATE_LIMIT_WRITES_PER_MINUTE,
      wechatLoginsPerMinute: env.RATE_LIMIT_WECHAT_LOGINS_PER_MINUTE,
      staffLoginsPerMinute: env.RATE_LIMIT_STAFF_LOGINS_PER_MINUTE,
      publicReadsPerMinute: env.RATE_LIMIT_PUBLIC_READS_PER_MINUTE,
      geocodesPerMinute: env.RATE_LIMIT_GEOCODE_PER_MINUTE,
      mapReadsPerMinute: env.RATE_LIMIT_MAP_READS_PER_MINUTE,
    },
  };
}
