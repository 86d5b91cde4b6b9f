import type { NotificationTopic } from '../features/notifications/notifications';
import type { Env } from './env';

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

export interface Config {
  env: Env['NODE_ENV'];
  port: number;
  host: string;
  logLevel: Env['LOG_LEVEL'];
  /** loadConfig gives a directory or a server; an in-memory database is for tests. */
  database: { kind: 'pglite'; dataDir: string } | { kind: 'pglite-memory' } | { kind: 'postgres'; url: string };
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
  /** Origin the case system uses to fetch photo links, e.g. https://cityloop.example; null: the address the BFF bound (development). */
  publicBaseUrl: string | null;
  /** Shared state for several instances (rate limits); null: one instance, limits in memory. */
  redis: { url: string; keyPrefix: string } | null;
  /** Rewards expiry and rating reminders: one run per period across all instances. */
  housekeepingIntervalMs: number;
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
    /** Without a URL (development), the simulator runs on this port (null: PORT + 100) and may advance cases by itself. */
    simulator: { port: number | null; autoAdvanceMs?: number };
  };
  photos: {
    dir: string;
    urlSecret: string;
    /** Photos processed at once (default: one per core) and uploads that may wait for a slot. */
    queue: { concurrency: number; maxWaiting: number };
    storage: { kind: 'local' } | { kind: 's3'; endpoint: string; bucket: string; region: string; accessKeyId: string; secretAccessKey: string; forcePathStyle: boolean; prefix: string };
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
  /** The local tile stand-in, when there is no tile source outside production; null: none. */
  tileStandIn: { port: number } | null;
  /** Reverse geocoding: Tencent's WebService, the local stand-in (development), or none. */
  geocoder: { kind: 'off' } | { kind: 'dev' | 'tencent'; baseUrl: string; key: string; secretKey?: string; timeoutMs: number; cacheSize: number };
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
