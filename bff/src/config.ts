import type { NotificationTopic } from './features/notifications/notifications';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { PAYOUT_WORKING_DAYS, RATING_RULES } from '@cityloop/shared';

/**
 * Every setting comes from the environment and is validated once at boot.
 * `.env.example` at the repository root documents each key; keep the two in step.
 */
const booleanFlag = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
/** A Leaflet tile URL template: {z}/{x}/{y}, {s} for a subdomain. */
const tileTemplate = z
  .string()
  .regex(/^https?:\/\/[^/?#\s]+[^\s]*$/, 'must be an http(s) URL template')
  .refine((t) => ['{z}', '{x}', '{y}'].every((p) => t.includes(p)), 'must contain {z}, {x} and {y}');
const tileAttribution = z.string().max(300);
const tileSubdomains = z.string().regex(/^[A-Za-z0-9]{0,16}$/, 'must be letters or digits, one per subdomain (01234567)');

const databaseSchema = z.object({
  DATA_DIR: z.string().min(1).default(path.resolve(__dirname, '../../.data')),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
});

const envSchema = z
  .object({
    // No default: dev defaults (public JWT secret, dev logins, simulators) apply only when development is chosen.
    NODE_ENV: z.enum(['development', 'production', 'test'], { error: 'must be set to development, test or production (npm start sets development)' }),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    HOST: z.string().min(1).default('0.0.0.0'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    ...databaseSchema.shape,
    JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    JWT_TTL_SECONDS: z.coerce.number().int().min(60).max(24 * 3600).default(2 * 3600),
    WECHAT_MODE: z.enum(['real', 'dev']).default('dev'),
    WECHAT_APPID: z.string().regex(/^wx[0-9a-f]{16}$/, 'must look like wx followed by 16 hex characters').optional(),
    WECHAT_SECRET: z.string().min(16).optional(),
    WECHAT_API_BASE: z.url().default('https://api.weixin.qq.com'),
    WECHAT_TIMEOUT_MS: z.coerce.number().int().min(100).max(30_000).default(5000),
    WECHAT_TEMPLATE_STALL_CHANGE: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be a subscribe-message template id').optional(),
    WECHAT_TEMPLATE_REPORT_STATUS: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be a subscribe-message template id').optional(),
    WECHAT_MINIPROGRAM_STATE: z.enum(['developer', 'trial', 'formal']).default('formal'),
    NOTIFY_INTERVAL_MS: z.coerce.number().int().min(200).max(600_000).default(5000),
    SEED_STALL_SPOTS: booleanFlag.default(true),
    PUBLIC_BASE_URL: z.url().optional(),
    CASE_SYSTEM_URL: z.url().optional(),
    CASE_SYSTEM_API_KEY: z.string().min(8).optional(),
    CASE_SYSTEM_JURISDICTION: z.string().max(100).optional(),
    CASE_SYSTEM_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5000),
    CASE_WEBHOOK_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
    CASE_DELIVERY_INTERVAL_MS: z.coerce.number().int().min(100).max(600_000).default(2000),
    CASE_POLL_INTERVAL_MS: z.coerce.number().int().min(1000).max(3_600_000).default(60_000),
    CASE_POLL_AFTER_SECONDS: z.coerce.number().int().min(10).max(86_400).default(300),
    REPORTER_IDENTITY_TO_CASE_SYSTEM: booleanFlag.default(false),
    // Open311 dialect of the city's endpoint (see README "Connecting a city's platform").
    CASE_SYSTEM_FORMAT: z.enum(['json', 'xml']).default('json'),
    CASE_SYSTEM_EXTENSIONS: z.enum(['declared', 'always', 'never']).default('declared'),
    CASE_SYSTEM_ATTRIBUTES: z
      .string()
      .optional()
      .transform((text, ctx) => {
        if (!text?.trim()) return {};
        try {
          const value = JSON.parse(text) as unknown;
          if (typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every((v) => typeof v === 'string')) return value as Record<string, string>;
        } catch {
          // reported below
        }
        ctx.addIssue({ code: 'custom', message: 'must be a JSON object of attribute code to text value, e.g. {"channel":"cityloop"}' });
        return z.NEVER;
      }),
    CASE_SYSTEM_UPDATES_FEED: z.enum(['auto', 'on', 'off']).default('auto'),
    PHOTO_STORAGE: z.enum(['local', 's3']).default('local'),
    S3_ENDPOINT: z.url().optional(),
    S3_BUCKET: z.string().min(3).max(63).optional(),
    S3_REGION: z.string().min(1).default('ap-guangzhou'),
    S3_ACCESS_KEY_ID: z.string().min(1).optional(),
    S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
    S3_FORCE_PATH_STYLE: booleanFlag.default(false),
    S3_PREFIX: z.string().max(100).default('photos/'),
    PHOTO_URL_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    CORS_ORIGINS: z.string().default(''),
    H5_DIR: z.string().default(path.resolve(__dirname, '../../miniapp/dist/h5')),
    CONSOLE_DIR: z.string().default(path.resolve(__dirname, '../console/dist')),
    // One tile source for the H5 map and the console's maps; CONSOLE_TILE_* are the older names of MAP_TILE_*.
    MAP_TILE_URL: tileTemplate.optional(),
    MAP_TILE_LABEL_URL: tileTemplate.optional(),
    MAP_TILE_ATTRIBUTION: tileAttribution.optional(),
    MAP_TILE_SUBDOMAINS: tileSubdomains.optional(),
    MAP_TILE_MAX_ZOOM: z.coerce.number().int().min(1).max(22).default(18),
    MAP_TILE_COORD_SYSTEM: z.enum(['wgs84', 'gcj02']).default('wgs84'),
    TIANDITU_KEY: z.string().regex(/^[0-9a-f]{32}$/i, 'must be a TianDiTu key (32 hex characters)').optional(),
    CONSOLE_TILE_URL: tileTemplate.optional(),
    CONSOLE_TILE_ATTRIBUTION: tileAttribution.optional(),
    CONSOLE_TILE_SUBDOMAINS: tileSubdomains.optional(),
    GEOCODER: z.enum(['tencent', 'dev', 'off']).optional(),
    TENCENT_MAP_KEY: z.string().regex(/^[A-Z0-9]{5}(-[A-Z0-9]{5}){5}$/, 'must be a Tencent Location Service key (XXXXX-XXXXX-XXXXX-XXXXX-XXXXX-XXXXX)').optional(),
    TENCENT_MAP_SK: z.string().regex(/^[A-Za-z0-9]{16,64}$/, 'must be the SecretKey shown beside the key (16-64 letters and digits)').optional(),
    TENCENT_MAP_BASE_URL: z.url().default('https://apis.map.qq.com'),
    GEOCODER_TIMEOUT_MS: z.coerce.number().int().min(100).max(30_000).default(3000),
    GEOCODER_CACHE_SIZE: z.coerce.number().int().min(100).max(1_000_000).default(10_000),
    RATE_LIMIT_GEOCODE_PER_MINUTE: z.coerce.number().int().min(1).max(10_000).default(30),
    RATE_LIMIT_MAP_READS_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(120),
    PAYOUT_MANUAL_WORKING_DAYS: z.coerce.number().int().min(0).max(60).default(PAYOUT_WORKING_DAYS.manual),
    PAYOUT_WECHATPAY_WORKING_DAYS: z.coerce.number().int().min(0).max(60).default(PAYOUT_WORKING_DAYS.wechatpay),
    TRUST_PROXY: booleanFlag.default(false),
    TRUST_PROXY_HOPS: z.coerce.number().int().min(1).max(10).default(1),
    RATE_LIMIT_WRITES_PER_MINUTE: z.coerce.number().int().min(1).max(10_000).default(30),
    RATE_LIMIT_WECHAT_LOGINS_PER_MINUTE: z.coerce.number().int().min(1).max(10_000).default(20),
    RATE_LIMIT_STAFF_LOGINS_PER_MINUTE: z.coerce.number().int().min(1).max(10_000).default(10),
    STAFF_LOCKOUT_THRESHOLD: z.coerce.number().int().min(3).max(50).default(5),
    STAFF_LOCKOUT_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(15),
    RATE_LIMIT_PUBLIC_READS_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(300),
    PHOTO_CONCURRENCY: z.coerce.number().int().min(1).max(64).optional(),
    PHOTO_QUEUE_MAX_WAITING: z.coerce.number().int().min(0).max(1000).default(20),
    DEV_STAFF_PASSWORD: z.string().min(12, 'must be at least 12 characters').optional(),
    RATING_WINDOW_DAYS: z.coerce.number().int().min(1).max(90).default(RATING_RULES.windowDays),
    RATING_FOLLOW_UP_DAYS: z.coerce.number().int().min(1).max(90).default(RATING_RULES.followUpDays),
    RATING_REMINDER_AFTER_DAYS: z.coerce.number().int().min(1).max(30).default(RATING_RULES.reminderAfterDays),
    FIXED_QUESTION_AFTER_DAYS: z.coerce.number().int().min(1).max(365).default(RATING_RULES.fixedQuestionAfterDays),
    PAYOUT_METHOD: z.enum(['manual', 'wechatpay']).default('manual'),
    PAYOUT_INTERVAL_MS: z.coerce.number().int().min(200).max(3_600_000).default(10_000),
    WECHATPAY_BASE_URL: z.url().default('https://api.mch.weixin.qq.com'),
    WECHATPAY_MCH_ID: z.string().regex(/^\d{8,12}$/, 'must be the merchant id (digits)').optional(),
    WECHATPAY_MERCHANT_SERIAL_NO: z.string().regex(/^[0-9A-Fa-f]{8,64}$/, 'must be the certificate serial number (hex)').optional(),
    WECHATPAY_MERCHANT_PRIVATE_KEY_FILE: z.string().min(1).optional(),
    WECHATPAY_PLATFORM_SERIAL: z.string().min(8).max(128).optional(),
    WECHATPAY_PLATFORM_PUBLIC_KEY_FILE: z.string().min(1).optional(),
    WECHATPAY_API_V3_KEY: z.string().length(32, 'must be exactly 32 characters').optional(),
    WECHATPAY_TRANSFER_SCENE_ID: z.string().regex(/^\d{4}$/).default('1000'),
    WECHATPAY_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === 'production') {
      if (!env.JWT_SECRET) ctx.addIssue({ code: 'custom', path: ['JWT_SECRET'], message: 'is required in production' });
      if (env.WECHAT_MODE === 'dev') {
        ctx.addIssue({ code: 'custom', path: ['WECHAT_MODE'], message: 'dev WeChat refuses to run with NODE_ENV=production' });
      }
      if (env.GEOCODER === 'dev') ctx.addIssue({ code: 'custom', path: ['GEOCODER'], message: 'the dev geocoder refuses to run with NODE_ENV=production (tencent or off)' });
      if (env.DEV_STAFF_PASSWORD) ctx.addIssue({ code: 'custom', path: ['DEV_STAFF_PASSWORD'], message: 'the dev staff account refuses to exist in production; use npm run staff:create' });
      for (const key of ['CASE_SYSTEM_URL', 'CASE_SYSTEM_API_KEY', 'CASE_WEBHOOK_SECRET', 'PHOTO_URL_SECRET', 'PUBLIC_BASE_URL'] as const) {
        if (!env[key]) ctx.addIssue({ code: 'custom', path: [key], message: 'is required in production' });
      }
    }
    if (env.JWT_SECRET && env.PHOTO_URL_SECRET && env.JWT_SECRET === env.PHOTO_URL_SECRET) {
      // One leaked link key must not also mint login tokens.
      ctx.addIssue({ code: 'custom', path: ['PHOTO_URL_SECRET'], message: 'must differ from JWT_SECRET' });
    }
    if (env.PHOTO_STORAGE === 's3') {
      for (const key of ['S3_ENDPOINT', 'S3_BUCKET', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY'] as const) {
        if (!env[key]) ctx.addIssue({ code: 'custom', path: [key], message: 'is required when PHOTO_STORAGE=s3' });
      }
    }
    if (env.PAYOUT_METHOD === 'wechatpay') {
      for (const key of ['WECHATPAY_MCH_ID', 'WECHATPAY_MERCHANT_SERIAL_NO', 'WECHATPAY_MERCHANT_PRIVATE_KEY_FILE', 'WECHATPAY_PLATFORM_SERIAL', 'WECHATPAY_PLATFORM_PUBLIC_KEY_FILE', 'WECHATPAY_API_V3_KEY'] as const) {
        if (!env[key]) ctx.addIssue({ code: 'custom', path: [key], message: 'is required when PAYOUT_METHOD=wechatpay' });
      }
      if (env.WECHAT_MODE !== 'real') ctx.addIssue({ code: 'custom', path: ['PAYOUT_METHOD'], message: 'wechatpay needs WECHAT_MODE=real (payouts go to real openids)' });
    }
    if (geocoderKind(env) === 'tencent' && !env.TENCENT_MAP_KEY) {
      ctx.addIssue({ code: 'custom', path: ['TENCENT_MAP_KEY'], message: env.GEOCODER ? 'is required when GEOCODER=tencent' : 'is required in production (or set GEOCODER=off to go without addresses)' });
    }
    for (const [alias, key] of [['CONSOLE_TILE_URL', 'MAP_TILE_URL'], ['CONSOLE_TILE_ATTRIBUTION', 'MAP_TILE_ATTRIBUTION'], ['CONSOLE_TILE_SUBDOMAINS', 'MAP_TILE_SUBDOMAINS']] as const) {
      if (env[alias] !== undefined && env[key] !== undefined && env[alias] !== env[key]) ctx.addIssue({ code: 'custom', path: [alias], message: `is the older name of ${key}; set one of them` });
    }
    if (env.WECHAT_MODE === 'real') {
      if (!env.WECHAT_APPID) ctx.addIssue({ code: 'custom', path: ['WECHAT_APPID'], message: 'is required when WECHAT_MODE=real' });
      if (!env.WECHAT_SECRET) ctx.addIssue({ code: 'custom', path: ['WECHAT_SECRET'], message: 'is required when WECHAT_MODE=real' });
    }
  });

export type Env = z.infer<typeof envSchema>;

/** Unset means Tencent in production (a key is then required) and the local stand-in elsewhere. */
function geocoderKind(env: { NODE_ENV: string; GEOCODER?: 'tencent' | 'dev' | 'off' }): 'tencent' | 'dev' | 'off' {
  return env.GEOCODER ?? (env.NODE_ENV === 'production' ? 'tencent' : 'dev');
}

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
    return { ...common, url: tiandituLayer('vec', env.TIANDITU_KEY), labelUrl: tiandituLayer('cva', env.TIANDITU_KEY), attribution: attribution ?? TIANDITU_ATTRIBUTION, subdomains: subdomains ?? '01234567', coordSystem: 'wgs84' };
  }
  return { ...common, url: null, labelUrl: null, attribution: attribution ?? '', subdomains: subdomains ?? '', coordSystem: env.MAP_TILE_COORD_SYSTEM };
}

/** Development's stand-in key and SecretKey: the real adapter signs its requests to the stand-in as it would to Tencent. */
export const DEV_TENCENT_MAP_KEY = 'DEVKY-CITYL-OOPGE-OCODE-RSTAN-DIN00';
export const DEV_TENCENT_MAP_SK = 'devTencentMapSecretKey0000000000';

/** Per-minute limits, each with its own counter: resident writes per user, logins per client address. */
export interface RateLimitConfig {
  writesPerMinute: number;
  wechatLoginsPerMinute: number;
  staffLoginsPerMinute: number;
  /** Anonymous reads (stall spots, the scorecard), per client address. */
  publicReadsPerMinute: number;
  /** Reverse geocoding (the address under the pin), per resident; each miss costs Tencent quota. */
  geocodesPerMinute?: number;
  /** Open reports around the pin on the map (a spatial query), per resident. */
  mapReadsPerMinute?: number;
}

/** After `threshold` consecutive failed logins an account is locked for `minutes`, whatever address they came from. */
export interface StaffLockoutConfig {
  threshold: number;
  minutes: number;
}


function databaseOf(env: z.infer<typeof databaseSchema>): Config['database'] {
  return env.DATABASE_URL ? { kind: 'postgres', url: env.DATABASE_URL } : { kind: 'pglite', dataDir: path.resolve(env.DATA_DIR, 'pglite') };
}

/** Only where the database is, for operator commands (staff:create) that need nothing else. */
export function databaseConfigFrom(source: NodeJS.ProcessEnv): Config['database'] {
  const parsed = databaseSchema.safeParse(Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== '')));
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  return databaseOf(parsed.data);
}

export interface Config {
  env: Env['NODE_ENV'];
  port: number;
  host: string;
  logLevel: Env['LOG_LEVEL'];
  database: { kind: 'pglite'; dataDir: string } | { kind: 'postgres'; url: string };
  jwt: { secret: string; ttlSeconds: number };
  wechat: {
    mode: 'real' | 'dev';
    appId: string;
    secret: string;
    apiBase: string;
    timeoutMs: number;
    miniprogramState: 'developer' | 'trial' | 'formal';
    /** Subscribe-message template ids by topic; a topic without one is not notified. */
    templates: Record<NotificationTopic, string | undefined>;
  };
  notifyIntervalMs: number;
  seedStallSpots: boolean;
  /** Origin the case system uses to fetch photo links, e.g. https://cityloop.example. */
  publicBaseUrl: string;
  caseSystem: {
    /** null in development: npm start runs the simulator and passes its URL. */
    url: string | null;
    apiKey: string;
    jurisdictionId?: string;
    timeoutMs: number;
    webhookSecret: string;
    deliveryIntervalMs: number;
    pollIntervalMs: number;
    pollAfterSeconds: number;
    shareReporterIdentity: boolean;
    /** Open311 dialect: xml or json; our attributes where declared, always or never; a city's fixed attribute values; servicerequestupdates. */
    format: 'json' | 'xml';
    extensions: 'declared' | 'always' | 'never';
    attributeValues: Record<string, string>;
    updatesFeed: 'auto' | 'on' | 'off';
  };
  photos: {
    dir: string;
    urlSecret: string;
    /** Photos processed at once (default: one per core) and uploads that may wait for a slot. */
    queue: { concurrency: number; maxWaiting: number };
    storage:
      | { kind: 'local' }
      | { kind: 's3'; endpoint: string; bucket: string; region: string; accessKeyId: string; secretAccessKey: string; forcePathStyle: boolean; prefix: string };
  };
  corsOrigins: string[];
  h5Dir: string;
  /** The staff console's build, served at /console/. */
  consoleDir: string;
  /**
   * The one tile source for the H5 map (GET /map/config) and the console's maps. Without a URL,
   * development starts a local tile stand-in; production shows no base map.
   */
  mapTiles: { url: string | null; labelUrl: string | null; attribution: string; subdomains: string; maxZoom: number; coordSystem: 'wgs84' | 'gcj02' };
  /** Reverse geocoding: Tencent's WebService, the local stand-in (development), or none. */
  geocoder:
    | { kind: 'off' }
    | { kind: 'dev' | 'tencent'; baseUrl: string; key: string; secretKey?: string; timeoutMs: number; cacheSize: number };
  /** Working days (Mon–Fri, Asia/Shanghai) within which a claim should be paid, by payout method. */
  payoutWorkingDays: { manual: number; wechatpay: number };
  /** Behind a reverse proxy: read the client address from X-Forwarded-For, counting `hops` trusted proxies from the right. */
  trustProxy: boolean;
  trustProxyHops: number;
  rateLimit: RateLimitConfig;
  staffLockout: StaffLockoutConfig;
  /** Development only: ensures a staff account `dev-admin` with this password (demos and the e2e test). */
  devStaffPassword: string | null;
  ratings: { windowDays: number; followUpDays: number; reminderAfterDays: number; fixedQuestionAfterDays: number };
  payout:
    | { method: 'manual'; intervalMs: number }
    | {
        method: 'wechatpay';
        intervalMs: number;
        baseUrl: string;
        mchId: string;
        merchantSerialNo: string;
        merchantPrivateKeyFile: string;
        platformSerial: string;
        platformPublicKeyFile: string;
        apiV3Key: string;
        transferSceneId: string;
        timeoutMs: number;
      };
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
    publicBaseUrl: (env.PUBLIC_BASE_URL ?? `http://127.0.0.1:${env.PORT}`).replace(/\/$/, ''),
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
    corsOrigins: env.CORS_ORIGINS.split(',').map((o) => o.trim()).filter(Boolean),
    h5Dir: path.resolve(env.H5_DIR),
    consoleDir: path.resolve(env.CONSOLE_DIR),
    mapTiles: mapTilesOf(env),
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
