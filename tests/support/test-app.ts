import type { StaffRole } from '@cityloop/shared';
import { Writable } from 'node:stream';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { AppDeps } from '../../bff/src/app';
import { loadConfig, type Config } from '../../bff/src/config';
import { openDatabase, type DatabaseHandle } from '../../bff/src/db/client';
import type { CaseSimulator } from '../../bff/src/dev/case-simulator/simulator';
import type { GeocoderFakeServer } from '../../bff/src/dev/geocoder-fake-server';
import type { WechatFakeServer } from '../../bff/src/dev/wechat-fake-server';
import type { NotificationDispatcher } from '../../bff/src/features/notifications/notification-dispatcher';
import type { CaseDeliveryDispatcher } from '../../bff/src/features/reports/case-delivery';
import type { PayoutDispatcher } from '../../bff/src/features/rewards/payout-dispatcher';
import { staffRepository } from '../../bff/src/features/staff/staff.repository';
import { createStaffAccount } from '../../bff/src/features/staff/staff.usecases';
import { createRuntime, type Runtime } from '../../bff/src/runtime';
import type { TestClock } from './clock';

export const TEST_JWT_SECRET = 'test-secret-that-is-at-least-32-characters-long';
export const TEST_WEBHOOK_SECRET = 'test-case-webhook-secret';
export const TEST_CASE_API_KEY = 'test-case-system-key';
export const TEST_TENCENT_MAP_KEY = 'TESTK-EYCIT-YLOOP-GEOCO-DERST-AND00';
export const TEST_TENCENT_MAP_SK = 'testTencentMapSecretKey000000000';
const PHOTO_URL_SECRET = 'test-photo-url-secret-at-least-32-characters';
const APP_ID = 'wx1234567890abcdef';
const APP_SECRET = 'test-wechat-app-secret';

export interface TestApp {
  baseUrl: string;
  /** The Koa app itself, for suites that enumerate its routes. */
  app: Runtime['app'];
  database: DatabaseHandle;
  wechat: WechatFakeServer;
  /** The Tencent geocoder stand-in the app's (cached) real adapter talks to, signed with TEST_TENCENT_MAP_SK. */
  geocoderFake: GeocoderFakeServer;
  /** Everything the BFF logged, one JSON line per entry. */
  logs: string[];
  /** Sends due subscribe messages now (main.ts runs it on a timer). */
  notifications: NotificationDispatcher;
  /** Creates a staff account (an admin unless a role is named) and returns a logged-in staff token. */
  staffToken(role?: StaffRole): Promise<string>;
  /** The case-system simulator (Open311 + signed webhooks to this BFF), when started with `caseSystem: true`. */
  simulator: CaseSimulator;
  /** Delivers queued reports now (main.ts runs it on a timer). */
  delivery: CaseDeliveryDispatcher;
  /** Pays WeChat Pay claims now, when started with a wechatpay provider (main.ts runs it on a timer). */
  payouts?: PayoutDispatcher;
  /** Rewards expiry and rating nudges, once per period (main.ts runs it on a timer). */
  housekeeping: Runtime['housekeeping'];
  /** Polls open cases now, as the fallback timer does. */
  pollCases(): Promise<number>;
  photoDir: string;
  /** The clock passed as `clock`, if any. */
  clock?: TestClock;
  /** The auth guards' account caches and their change feed (LISTEN/NOTIFY). */
  accounts: Runtime['accounts'];
  close(): Promise<void>;
}

export type TestAppOptions = Omit<Partial<AppDeps>, 'rateLimit'> & {
  rateLimit?: Partial<AppDeps['rateLimit']>;
  wechatTimeoutMs?: number;
  seed?: boolean;
  caseSystem?: boolean;
  caseSystemTimeoutMs?: number;
  shareReporterIdentity?: boolean;
  simulatorWebhookSecret?: string;
  /** Moves time for the app, the use cases and the workers (tests advance it instead of rewriting rows). */
  clock?: TestClock;
};

/** The settings a test BFF runs with: loadConfig over a test environment, as main.ts reads its own. */
function testConfig(overrides: TestAppOptions, dataDir: string, url: string | undefined): Config {
  const config = loadConfig({
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'info',
    DATA_DIR: dataDir,
    SEED_STALL_SPOTS: overrides.seed ? 'true' : 'false',
    JWT_SECRET: TEST_JWT_SECRET,
    JWT_TTL_SECONDS: '600',
    WECHAT_MODE: 'dev',
    WECHAT_APPID: APP_ID,
    WECHAT_SECRET: APP_SECRET,
    WECHAT_TIMEOUT_MS: String(overrides.wechatTimeoutMs ?? 1500),
    WECHAT_TEMPLATE_STALL_CHANGE: 'tmpl-stall-change',
    WECHAT_TEMPLATE_REPORT_STATUS: 'tmpl-report-status',
    // Without the simulator, a case system nobody listens on: deliveries wait, as when it is down.
    CASE_SYSTEM_URL: overrides.caseSystem ? undefined : 'http://127.0.0.1:9',
    CASE_SYSTEM_API_KEY: TEST_CASE_API_KEY,
    CASE_SYSTEM_TIMEOUT_MS: String(overrides.caseSystemTimeoutMs ?? 2000),
    CASE_WEBHOOK_SECRET: TEST_WEBHOOK_SECRET,
    REPORTER_IDENTITY_TO_CASE_SYSTEM: overrides.shareReporterIdentity ? 'true' : 'false',
    PHOTO_URL_SECRET,
    // Generous unless a suite sets its own (each limit is tested where it matters).
    PHOTO_CONCURRENCY: '2',
    PHOTO_QUEUE_MAX_WAITING: '20',
    CORS_ORIGINS: 'https://h5.cityloop.example',
    GEOCODER: 'dev',
    GEOCODER_CACHE_SIZE: '1000',
  });
  return {
    ...config,
    database: url ? { kind: 'postgres', url } : { kind: 'pglite-memory' },
    // As main.ts wires GEOCODER=dev: the real adapter, signing, against the stand-in, behind the cache.
    geocoder: { ...config.geocoder, key: TEST_TENCENT_MAP_KEY, secretKey: TEST_TENCENT_MAP_SK } as Config['geocoder'],
    tileStandIn: null,
    rateLimit: { ...config.rateLimit, writesPerMinute: 1000, wechatLoginsPerMinute: 1000, staffLoginsPerMinute: 1000, publicReadsPerMinute: 10_000, ...overrides.rateLimit },
  };
}

let serverDatabases = 0;

/** Runs one statement on its own connection (CREATE/DROP DATABASE cannot run in a pool's transaction). */
async function runOn(url: string, statement: string, params: unknown[] = []) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(statement, params);
  } finally {
    await client.end();
  }
}

/**
 * The migrated template the per-app databases are copied from (a file copy, ~10× faster than running
 * the migrations for each app). Made once per base database, under an advisory lock so that parallel
 * Jest workers make it once; an app still migrates its copy, so a template older than the migrations
 * folder costs time, not correctness.
 */
async function templateDatabase(baseUrl: string, base: string): Promise<string> {
  const name = `${base}_template`;
  const client = new pg.Client({ connectionString: baseUrl });
  await client.connect();
  try {
    await client.query('select pg_advisory_lock(hashtext($1))', [name]);
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (!rowCount) {
      await client.query(`create database ${name}`);
      const url = new URL(baseUrl);
      url.pathname = `/${name}`;
      const handle = await openDatabase({ kind: 'postgres', url: url.toString() });
      await handle.close();
    }
  } finally {
    await client.query('select pg_advisory_unlock(hashtext($1))', [name]).catch(() => undefined);
    await client.end();
  }
  return name;
}

/**
 * On the PostgreSQL server each test app gets a database of its own, as on PGlite it gets its own
 * memory: the workers a suite drives (poll, drain, expiry) see that suite's rows only, and a batch of
 * 10 in one suite cannot be filled by another suite's leftovers. Named after the base database, so
 * `.ci/pg-database.mjs drop` finds strays; dropped on close.
 */
async function createServerDatabase(baseUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const url = new URL(baseUrl);
  const base = (url.pathname.slice(1) || 'cityloop_test').toLowerCase();
  const name = `${base}_app${process.pid}_${++serverDatabases}`;
  if (!/^[a-z0-9_]{1,63}$/.test(name)) throw new Error(`TEST_DATABASE_URL gives a database name that cannot be extended: ${name}`);
  const template = await templateDatabase(baseUrl, base);
  await runOn(baseUrl, `create database ${name} template ${template}`);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => runOn(baseUrl, `drop database if exists ${name} with (force)`).then(() => undefined) };
}

/**
 * Opens a fresh database (in-memory PGlite, or the PostgreSQL server in TEST_DATABASE_URL) and starts
 * the BFF on an ephemeral 127.0.0.1 port through createRuntime, exactly as main.ts does, with its
 * development stand-ins (WeChat, geocoder and, with `caseSystem: true`, the case simulator). The
 * workers do not tick: suites drive them (`delivery.drain()`, `notifications.drain()`…).
 */
export async function startTestApp(overrides: TestAppOptions = {}): Promise<TestApp> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cityloop-test-'));
  const serverDatabase = process.env.TEST_DATABASE_URL ? await createServerDatabase(process.env.TEST_DATABASE_URL) : undefined;
  const config = testConfig(overrides, dataDir, serverDatabase?.url);
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      logs.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  const {
    rateLimit: _rateLimit,
    wechatTimeoutMs: _w,
    seed: _s,
    caseSystem: _c,
    caseSystemTimeoutMs: _t,
    shareReporterIdentity: _r,
    simulatorWebhookSecret,
    clock,
    now: appNow,
    payout,
    ...appOverrides
  } = overrides;
  const now = clock?.now ?? appNow;
  const runtime = await createRuntime(config, {
    logDestination: sink,
    version: 'test',
    startWorkers: false,
    clock: now ? { now } : undefined,
    payoutProvider: payout?.method === 'wechatpay' ? payout.provider : undefined,
    simulator: { casePrefix: `T${Math.random().toString(36).slice(2, 7).toUpperCase()}`, webhookSecret: simulatorWebhookSecret, retryDelaysMs: [50, 200] },
    // No static builds unless a suite names one.
    app: { h5Dir: undefined, consoleDir: undefined, ...appOverrides },
  }).catch(async (err: unknown) => {
    await serverDatabase?.drop();
    throw err;
  });
  const baseUrl = runtime.url;
  const { database } = runtime;
  return {
    baseUrl,
    app: runtime.app,
    database,
    wechat: runtime.wechatFake!,
    geocoderFake: runtime.geocoderFake!,
    logs,
    notifications: runtime.notifications,
    simulator: runtime.simulator as CaseSimulator,
    delivery: runtime.delivery,
    payouts: runtime.payouts,
    housekeeping: runtime.housekeeping,
    photoDir: config.photos.dir,
    clock,
    accounts: runtime.accounts,
    pollCases: () => runtime.pollCases({ olderThanSeconds: 0, batch: 100 }),
    async staffToken(role: StaffRole = 'admin') {
      const username = uniqueName('staff').toLowerCase();
      const password = 'staff-password-for-tests';
      await createStaffAccount({ staff: staffRepository(database.db) }, { username, displayName: '测试员', password, role });
      const res = await api(baseUrl, '/api/v1/staff/auth/login', { json: { username, password } });
      return res.body.token as string;
    },
    async close() {
      runtime.server.closeAllConnections();
      await runtime.close();
      await serverDatabase?.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

/** fetch() with JSON in and out; `body` is parsed JSON when the answer is JSON, else text. */
export async function api<T = any>(
  baseUrl: string,
  path: string,
  init: { method?: string; json?: unknown; token?: string; headers?: Record<string, string>; rawBody?: string | Buffer } = {},
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  let body: string | Buffer | undefined = init.rawBody;
  if (init.json !== undefined) {
    headers['content-type'] ??= 'application/json';
    body = JSON.stringify(init.json);
  }
  const res = await fetch(baseUrl + path, { method: init.method ?? (body === undefined ? 'GET' : 'POST'), headers, body: body as BodyInit | undefined });
  const text = await res.text();
  const parsed = res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text;
  return { status: res.status, headers: res.headers, body: parsed as T };
}

export async function loginResident(baseUrl: string, name: string): Promise<{ token: string; userId: string }> {
  const res = await api(baseUrl, '/api/v1/auth/wechat', { json: { code: `dev:${name}` } });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { token: res.body.token, userId: res.body.user.id };
}

/** Waits for a condition by polling, with a deadline; for asynchronous effects such as webhooks, not for timing. */
export async function waitFor<T>(probe: () => Promise<T | undefined | false>, timeoutMs = 10_000, label = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${label}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Uploads a photo file the way Taro.uploadFile does (multipart, field "file"). */
export async function uploadPhoto(baseUrl: string, token: string, data: Buffer, filename = 'photo.jpg', type = 'image/jpeg') {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(data)], { type }), filename);
  const res = await fetch(`${baseUrl}/api/v1/photos`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
  const text = await res.text();
  return { status: res.status, body: res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text };
}

/** Real camera files kept in the repository (tests/fixtures/photos, see its README for the licence). */
export const PHOTOS_DIR = path.resolve(__dirname, '../fixtures/photos');

/** A name no other test (or earlier run against a shared server database) has used. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
}

/** Creates a stall spot through the staff API (stallSpotInput with `overrides`); expects 201. */
export async function createStallSpot(baseUrl: string, staffToken: string, overrides: Record<string, unknown> = {}) {
  const body = stallSpotInput(overrides);
  const res = await api(baseUrl, '/api/v1/staff/stall-spots', { json: body, token: staffToken });
  if (res.status !== 201) throw new Error(`creating a stall spot answered ${res.status}: ${JSON.stringify(res.body)}`);
  return { spot: res.body.spot, body };
}

/**
 * A valid body for POST /staff/stall-spots, placed at random far from the seeded cities (so nearest-first
 * queries elsewhere never meet it), open every evening across midnight; `overrides` replaces fields.
 */
export function stallSpotInput(overrides: Record<string, unknown> = {}) {
  const lat = 30 + Math.random() * 5;
  const lng = 85 + Math.random() * 5;
  return {
    code: uniqueName('T')
      .replace(/[^A-Za-z0-9_-]/g, '')
      .slice(0, 40),
    name: '测试夜市',
    kind: 'night_market',
    district: '测试区',
    street: '测试街道',
    address: '测试路 1 号',
    location: { lat, lng, coordSystem: 'wgs84', approximate: false },
    radiusMeters: 100,
    capacity: 40,
    goods: ['snacks', 'produce'],
    facilities: ['power'],
    rules: '不得占用盲道',
    manager: { name: '王经理', phone: '0871-12345678' },
    schedule: { weekly: [{ days: [1, 2, 3, 4, 5, 6, 7], windows: [{ open: '18:00', close: '02:00' }] }] },
    ...overrides,
  };
}
