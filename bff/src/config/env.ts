import path from 'node:path';
import { z } from 'zod';
import { LIMITS, PAYOUT_WORKING_DAYS, RATING_RULES, staffPasswordTooShort } from '@cityloop/shared';

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

export const databaseSchema = z.object({
  DATA_DIR: z.string().min(1).default(path.resolve(__dirname, '../../../.data')),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
});

export const envSchema = z
  .object({
    // No default: dev defaults (public JWT secret, dev logins, simulators) apply only when development is chosen.
    NODE_ENV: z.enum(['development', 'production', 'test'], { error: 'must be set to development, test or production (npm start sets development)' }),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    HOST: z.string().min(1).default('0.0.0.0'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    ...databaseSchema.shape,
    JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    JWT_TTL_SECONDS: z.coerce
      .number()
      .int()
      .min(60)
      .max(24 * 3600)
      .default(2 * 3600),
    WECHAT_MODE: z.enum(['real', 'dev']).default('dev'),
    WECHAT_APPID: z
      .string()
      .regex(/^wx[0-9a-f]{16}$/, 'must look like wx followed by 16 hex characters')
      .optional(),
    WECHAT_SECRET: z.string().min(16).optional(),
    WECHAT_API_BASE: z.url().default('https://api.weixin.qq.com'),
    WECHAT_TIMEOUT_MS: z.coerce.number().int().min(100).max(30_000).default(5000),
    WECHAT_TEMPLATE_STALL_CHANGE: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be a subscribe-message template id')
      .optional(),
    WECHAT_TEMPLATE_REPORT_STATUS: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be a subscribe-message template id')
      .optional(),
    WECHAT_MINIPROGRAM_STATE: z.enum(['developer', 'trial', 'formal']).default('formal'),
    NOTIFY_INTERVAL_MS: z.coerce.number().int().min(200).max(600_000).default(5000),
    SEED_STALL_SPOTS: booleanFlag.default(true),
    PUBLIC_BASE_URL: z.url().optional(),
    // Development stand-ins' ports (0 or unset: PORT + 100 for the case simulator, any free port for tiles).
    CASE_SIM_PORT: z.coerce.number().int().min(0).max(65535).optional(),
    CASE_SIM_AUTO_ADVANCE_MS: z.coerce.number().int().min(50).max(86_400_000).optional(),
    TILE_FAKE_PORT: z.coerce.number().int().min(0).max(65535).default(0),
    // Several instances: limits shared through Redis; without it they are per process.
    REDIS_URL: z
      .string()
      .regex(/^rediss?:\/\/\S+$/, 'must be a redis:// or rediss:// URL')
      .optional(),
    REDIS_KEY_PREFIX: z
      .string()
      .regex(/^[A-Za-z0-9:_-]{0,40}$/, 'must be up to 40 letters, digits, colons, dashes or underscores')
      .default('cityloop:'),
    HOUSEKEEPING_INTERVAL_MS: z.coerce.number().int().min(1000).max(86_400_000).default(3_600_000),
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
    H5_DIR: z.string().default(path.resolve(__dirname, '../../../miniapp/dist/h5')),
    CONSOLE_DIR: z.string().default(path.resolve(__dirname, '../../console/dist')),
    // One tile source for the H5 map and the console's maps; CONSOLE_TILE_* are the older names of MAP_TILE_*.
    MAP_TILE_URL: tileTemplate.optional(),
    MAP_TILE_LABEL_URL: tileTemplate.optional(),
    MAP_TILE_ATTRIBUTION: tileAttribution.optional(),
    MAP_TILE_SUBDOMAINS: tileSubdomains.optional(),
    MAP_TILE_MAX_ZOOM: z.coerce.number().int().min(1).max(22).default(18),
    MAP_TILE_COORD_SYSTEM: z.enum(['wgs84', 'gcj02']).default('wgs84'),
    TIANDITU_KEY: z
      .string()
      .regex(/^[0-9a-f]{32}$/i, 'must be a TianDiTu key (32 hex characters)')
      .optional(),
    CONSOLE_TILE_URL: tileTemplate.optional(),
    CONSOLE_TILE_ATTRIBUTION: tileAttribution.optional(),
    CONSOLE_TILE_SUBDOMAINS: tileSubdomains.optional(),
    GEOCODER: z.enum(['tencent', 'dev', 'off']).optional(),
    TENCENT_MAP_KEY: z
      .string()
      .regex(/^[A-Z0-9]{5}(-[A-Z0-9]{5}){5}$/, 'must be a Tencent Location Service key (XXXXX-XXXXX-XXXXX-XXXXX-XXXXX-XXXXX)')
      .optional(),
    TENCENT_MAP_SK: z
      .string()
      .regex(/^[A-Za-z0-9]{16,64}$/, 'must be the SecretKey shown beside the key (16-64 letters and digits)')
      .optional(),
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
    STAFF_LOCKOUT_MINUTES: z.coerce
      .number()
      .int()
      .min(1)
      .max(24 * 60)
      .default(15),
    RATE_LIMIT_PUBLIC_READS_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(300),
    PHOTO_CONCURRENCY: z.coerce.number().int().min(1).max(64).optional(),
    PHOTO_QUEUE_MAX_WAITING: z.coerce.number().int().min(0).max(1000).default(20),
    DEV_STAFF_PASSWORD: z
      .string()
      .refine((v) => !staffPasswordTooShort(v), `must be at least ${LIMITS.staffPasswordMinLength} characters`)
      .optional(),
    RATING_WINDOW_DAYS: z.coerce.number().int().min(1).max(90).default(RATING_RULES.windowDays),
    RATING_FOLLOW_UP_DAYS: z.coerce.number().int().min(1).max(90).default(RATING_RULES.followUpDays),
    RATING_REMINDER_AFTER_DAYS: z.coerce.number().int().min(1).max(30).default(RATING_RULES.reminderAfterDays),
    FIXED_QUESTION_AFTER_DAYS: z.coerce.number().int().min(1).max(365).default(RATING_RULES.fixedQuestionAfterDays),
    PAYOUT_METHOD: z.enum(['manual', 'wechatpay']).default('manual'),
    PAYOUT_INTERVAL_MS: z.coerce.number().int().min(200).max(3_600_000).default(10_000),
    WECHATPAY_BASE_URL: z.url().default('https://api.mch.weixin.qq.com'),
    WECHATPAY_MCH_ID: z
      .string()
      .regex(/^\d{8,12}$/, 'must be the merchant id (digits)')
      .optional(),
    WECHATPAY_MERCHANT_SERIAL_NO: z
      .string()
      .regex(/^[0-9A-Fa-f]{8,64}$/, 'must be the certificate serial number (hex)')
      .optional(),
    WECHATPAY_MERCHANT_PRIVATE_KEY_FILE: z.string().min(1).optional(),
    WECHATPAY_PLATFORM_SERIAL: z.string().min(8).max(128).optional(),
    WECHATPAY_PLATFORM_PUBLIC_KEY_FILE: z.string().min(1).optional(),
    WECHATPAY_API_V3_KEY: z.string().length(32, 'must be exactly 32 characters').optional(),
    WECHATPAY_TRANSFER_SCENE_ID: z
      .string()
      .regex(/^\d{4}$/)
      .default('1000'),
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
    if (env.REDIS_URL && env.PHOTO_STORAGE !== 's3') {
      // Photos written to one machine's disk are missing on the others behind the same balancer.
      ctx.addIssue({ code: 'custom', path: ['PHOTO_STORAGE'], message: 'must be s3 when REDIS_URL is set (several instances share no disk)' });
    }
    if (env.PHOTO_STORAGE === 's3') {
      for (const key of ['S3_ENDPOINT', 'S3_BUCKET', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY'] as const) {
        if (!env[key]) ctx.addIssue({ code: 'custom', path: [key], message: 'is required when PHOTO_STORAGE=s3' });
      }
    }
    if (env.PAYOUT_METHOD === 'wechatpay') {
      for (const key of [
        'WECHATPAY_MCH_ID',
        'WECHATPAY_MERCHANT_SERIAL_NO',
        'WECHATPAY_MERCHANT_PRIVATE_KEY_FILE',
        'WECHATPAY_PLATFORM_SERIAL',
        'WECHATPAY_PLATFORM_PUBLIC_KEY_FILE',
        'WECHATPAY_API_V3_KEY',
      ] as const) {
        if (!env[key]) ctx.addIssue({ code: 'custom', path: [key], message: 'is required when PAYOUT_METHOD=wechatpay' });
      }
      if (env.WECHAT_MODE !== 'real') ctx.addIssue({ code: 'custom', path: ['PAYOUT_METHOD'], message: 'wechatpay needs WECHAT_MODE=real (payouts go to real openids)' });
    }
    if (geocoderKind(env) === 'tencent' && !env.TENCENT_MAP_KEY) {
      ctx.addIssue({
        code: 'custom',
        path: ['TENCENT_MAP_KEY'],
        message: env.GEOCODER ? 'is required when GEOCODER=tencent' : 'is required in production (or set GEOCODER=off to go without addresses)',
      });
    }
    for (const [alias, key] of [
      ['CONSOLE_TILE_URL', 'MAP_TILE_URL'],
      ['CONSOLE_TILE_ATTRIBUTION', 'MAP_TILE_ATTRIBUTION'],
      ['CONSOLE_TILE_SUBDOMAINS', 'MAP_TILE_SUBDOMAINS'],
    ] as const) {
      if (env[alias] !== undefined && env[key] !== undefined && env[alias] !== env[key]) ctx.addIssue({ code: 'custom', path: [alias], message: `is the older name of ${key}; set one of them` });
    }
    if (env.WECHAT_MODE === 'real') {
      if (!env.WECHAT_APPID) ctx.addIssue({ code: 'custom', path: ['WECHAT_APPID'], message: 'is required when WECHAT_MODE=real' });
      if (!env.WECHAT_SECRET) ctx.addIssue({ code: 'custom', path: ['WECHAT_SECRET'], message: 'is required when WECHAT_MODE=real' });
    }
  });

export type Env = z.infer<typeof envSchema>;

/** Unset means Tencent in production (a key is then required) and the local stand-in elsewhere. */
export function geocoderKind(env: { NODE_ENV: string; GEOCODER?: 'tencent' | 'dev' | 'off' }): 'tencent' | 'dev' | 'off' {
  return env.GEOCODER ?? (env.NODE_ENV === 'production' ? 'tencent' : 'dev');
}
