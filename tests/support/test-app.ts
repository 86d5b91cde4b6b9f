import http from 'node:http';
import type { StaffRole } from '@cityloop/shared';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { createApp, type AppDeps } from '../../bff/src/app';
import { openDatabase, type DatabaseHandle } from '../../bff/src/db/client';
import { startWechatFakeServer, type WechatFakeServer } from '../../bff/src/dev/wechat-fake-server';
import { createLogger } from '../../bff/src/logger';
import { WechatHttpAuth } from '../../bff/src/ports/wechat/wechat-auth';
import { NotificationDispatcher } from '../../bff/src/features/notifications/notification-dispatcher';
import { seedStallSpots } from '../../bff/src/features/stalls/seed';
import { staffRepository } from '../../bff/src/features/staff/staff.repository';
import { createStaffAccount } from '../../bff/src/features/staff/staff.usecases';
import { WechatSubscribeMessenger } from '../../bff/src/ports/notify/subscribe-messenger';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startCaseSimulator, type CaseSimulator } from '../../bff/src/dev/case-simulator/simulator';
import { PhotoUrlSigner } from '../../bff/src/features/photos/photo-urls';
import { CaseDeliveryDispatcher, pollOpenCases } from '../../bff/src/features/reports/case-delivery';
import { Open311CaseSystem } from '../../bff/src/ports/case-system/open311-case-system';
import { LocalPhotoStorage } from '../../bff/src/ports/storage/photo-storage';
import { startGeocoderFakeServer, type GeocoderFakeServer } from '../../bff/src/dev/geocoder-fake-server';
import { CachedGeocoder } from '../../bff/src/ports/geocoding/cached-geocoder';
import { TencentGeocoder } from '../../bff/src/ports/geocoding/tencent-geocoder';
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
  app: ReturnType<typeof createApp>;
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
  /** Polls open cases now, as the fallback timer does. */
  pollCases(): Promise<number>;
  photoDir: string;
  /** The clock passed as `clock`, if any. */
  clock?: TestClock;
  close(): Promise<void>;
}

/**
 * Opens a fresh database (in-memory PGlite, or the PostgreSQL server in TEST_DATABASE_URL), starts the
 * WeChat stand-in and the BFF on ephemeral 127.0.0.1 ports, wired exactly as main.ts wires them.
 */
export async function startTestApp(
  overrides: Omit<Partial<AppDeps>, 'rateLimit'> & { rateLimit?: Partial<AppDeps['rateLimit']>; clock?: TestClock; wechatTimeoutMs?: number; seed?: boolean; caseSystem?: boolean; caseSystemTimeoutMs?: number; shareReporterIdentity?: boolean; simulatorWebhookSecret?: string } = {},
): Promise<TestApp> {
  // A test clock, when given, is the app's `now` (and the dispatchers'), so tests move time through it.
  if (overrides.clock) overrides = { ...overrides, now: overrides.clock.now };
  const url = process.env.TEST_DATABASE_URL;
  const database = await openDatabase(url ? { kind: 'postgres', url } : { kind: 'pglite-memory' });
  if (overrides.seed) await seedStallSpots(database.db);
  const wechat = await startWechatFakeServer({ appId: APP_ID, secret: APP_SECRET });
  const geocoderFake = await startGeocoderFakeServer({ key: TEST_TENCENT_MAP_KEY, secretKey: TEST_TENCENT_MAP_SK });
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      logs.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  const logger = createLogger('info', sink);
  const photoDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cityloop-photos-'));
  const app = createApp({
    photoStorage: new LocalPhotoStorage(photoDir),
    photoUrlSecret: PHOTO_URL_SECRET,
    caseWebhookSecret: TEST_WEBHOOK_SECRET,
    database,
    wechat: new WechatHttpAuth({ apiBase: wechat.url, appId: APP_ID, secret: APP_SECRET, timeoutMs: overrides.wechatTimeoutMs ?? 1500 }),
    logger,
    jwt: { secret: TEST_JWT_SECRET, ttlSeconds: 600 },
    corsOrigins: ['https://h5.cityloop.example'],
    corsAllowLocalhost: true,
    // Generous unless a suite sets its own (each limit is tested where it matters).
    photoQueue: { concurrency: 2, maxWaiting: 20 },
    version: 'test',
    // As main.ts wires GEOCODER=dev: the real adapter, signing, against the stand-in, behind the cache.
    geocoder: new CachedGeocoder(
      new TencentGeocoder({ baseUrl: geocoderFake.url, key: TEST_TENCENT_MAP_KEY, secretKey: TEST_TENCENT_MAP_SK, timeoutMs: 1500, onUpstreamError: (info) => logger.error(info, 'Tencent reverse geocoding failed') }),
      { maxEntries: 1000, ttlMs: 3_600_000, now: () => Date.now() },
    ),
    ...overrides,
    rateLimit: { writesPerMinute: 1000, wechatLoginsPerMinute: 1000, staffLoginsPerMinute: 1000, publicReadsPerMinute: 10_000, ...overrides.rateLimit },
  });
  const server = http.createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;
  const notifications = new NotificationDispatcher({
    db: database.db,
    messenger: new WechatSubscribeMessenger({ apiBase: wechat.url, appId: APP_ID, secret: APP_SECRET, timeoutMs: 1500, miniprogramState: 'developer' }),
    templates: { stall_spot_changed: 'tmpl-stall-change', report_status_changed: 'tmpl-report-status', report_rating_reminder: 'tmpl-report-status', report_fixed_question: 'tmpl-report-status' },
    logger,
  });
  const simulator = overrides.caseSystem
    ? await startCaseSimulator({ apiKey: TEST_CASE_API_KEY, casePrefix: `T${Math.random().toString(36).slice(2, 7).toUpperCase()}`, webhook: { url: `${baseUrl}/api/v1/hooks/case-system`, secret: overrides.simulatorWebhookSecret ?? TEST_WEBHOOK_SECRET, retryDelaysMs: [50, 200] } })
    : (undefined as unknown as CaseSimulator);
  const caseSystem = new Open311CaseSystem({ baseUrl: simulator?.url ?? 'http://127.0.0.1:9', apiKey: TEST_CASE_API_KEY, timeoutMs: overrides.caseSystemTimeoutMs ?? 2000 });
  const delivery = new CaseDeliveryDispatcher({
    db: database.db,
    caseSystem,
    signer: new PhotoUrlSigner(PHOTO_URL_SECRET),
    publicBaseUrl: baseUrl,
    shareReporterIdentity: overrides.shareReporterIdentity ?? false,
    logger,
    now: overrides.now ?? (() => new Date()),
  });
  return {
    baseUrl,
    app,
    database,
    wechat,
    geocoderFake,
    logs,
    notifications,
    simulator,
    delivery,
    photoDir,
    clock: overrides.clock,
    pollCases: () => pollOpenCases({ db: database.db, caseSystem, logger }, { olderThanSeconds: 0, batch: 100 }),
    async staffToken(role: StaffRole = 'admin') {
      const username = uniqueName('staff').toLowerCase();
      const password = 'staff-password-for-tests';
      await createStaffAccount({ staff: staffRepository(database.db) }, { username, displayName: '测试员', password, role });
      const res = await api(baseUrl, '/api/v1/staff/auth/login', { json: { username, password } });
      return res.body.token as string;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await wechat.close();
      await geocoderFake.close();
      await simulator?.close();
      await delivery.stop();
      await database.close().catch(() => undefined);
      fs.rmSync(photoDir, { recursive: true, force: true });
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

/**
 * A valid body for POST /staff/stall-spots, placed at random far from the seeded cities (so nearest-first
 * queries elsewhere never meet it), open every evening across midnight; `overrides` replaces fields.
 */
export function stallSpotInput(overrides: Record<string, unknown> = {}) {
  const lat = 30 + Math.random() * 5;
  const lng = 85 + Math.random() * 5;
  return {
    code: uniqueName('T').replace(/[^A-Za-z0-9_-]/g, '').slice(0, 40),
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
