// Several BFF instances on one PostgreSQL database and one Redis: the shared write limit holds, every
// report reaches the case system once, every status notice is sent once, and the housekeeping job runs
// once per period with three instances racing for it. Prints its figures; exits 1 on a failed check.
//   npm run test:scale            (builds bff/dist first)
//   SCALE_WITHOUT_REDIS=1 node tests/scale/multi-instance.mjs   the limit part only, limits in memory:
//                                 the "before" figure (each instance counts alone)
// Needs PostgreSQL (SCALE_POSTGRES_BASE_URL, default postgres://postgres@127.0.0.1:5432) and Redis
// (SCALE_REDIS_URL, default redis://127.0.0.1:6379). S3, WeChat and the case system are the
// repository's own stand-ins, one of each, shared by the instances as the real ones would be.
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(path.join(root, 'bff/package.json'));
const dist = (p) => require(path.join(root, 'bff/dist', p));
const pg = require('pg');
const sharp = require('sharp');
const Redis = require('ioredis');
const { startWechatFakeServer } = dist('dev/wechat-fake-server.js');
const { startS3FakeServer } = dist('dev/s3-fake-server.js');
const { startCaseSimulator } = dist('dev/case-simulator/simulator.js');

const INSTANCES = 3;
const WRITE_LIMIT = 10;
const LIMIT_WRITES = 30;
const REPORTS = 300;
const RESIDENTS = 100; // 3 reports each: 6 writes (photo + report), under the limit of 10
const EXPIRING_USERS = 40;
const HOUSEKEEPING_MS = 3000;
const started = Date.now();
const runId = `${Date.now().toString(36)}${process.pid}`;
const dbName = `cityloop_scale_${runId}`;
const pgBase = process.env.SCALE_POSTGRES_BASE_URL ?? 'postgres://postgres@127.0.0.1:5432';
const redisUrl = process.env.SCALE_REDIS_URL ?? 'redis://127.0.0.1:6379';
const keyPrefix = `scale${runId}:`;
const withoutRedis = process.env.SCALE_WITHOUT_REDIS === '1';
const databaseUrl = `${pgBase}/${dbName}`;
const adminEnv = { ...process.env, CI_POSTGRES_ADMIN_URL: process.env.CI_POSTGRES_ADMIN_URL ?? `${pgBase}/postgres` };

const secrets = { jwt: 'scale-test-jwt-secret-at-least-32-characters', photo: 'scale-test-photo-secret-at-least-32-chars', webhook: 'scale-test-webhook-secret', caseKey: 'scale-case-api-key' };
const wechatApp = { appId: 'wx5ca1e00000000001', secret: 'scale-test-wechat-secret' };
const s3Credentials = { accessKeyId: 'AKIDSCALETEST', secretAccessKey: 'scale-test-s3-secret', region: 'ap-guangzhou', bucket: 'cityloop-scale' };

const failures = [];
const figures = {};
function check(label, ok, detail) {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${label}${detail ? ` (${detail})` : ''}`);
  if (!ok) failures.push(label);
}
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
async function waitFor(label, probe, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${label}`);
    await sleep(200);
  }
}
async function freePort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}
/** Runs `fn` over `items`, `width` at a time. */
async function pool(items, width, fn) {
  const results = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await fn(items[i], i);
      }
    }),
  );
  return results;
}
async function api(base, route, { method, json, token, body, headers = {} } = {}) {
  const h = { ...headers };
  if (token) h.authorization = `Bearer ${token}`;
  if (json !== undefined) h['content-type'] = 'application/json';
  const res = await fetch(base + route, { method: method ?? (json !== undefined || body ? 'POST' : 'GET'), headers: h, body: json !== undefined ? JSON.stringify(json) : body });
  const text = await res.text();
  return { status: res.status, body: res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text };
}

const children = [];
let wechat, s3, simulator, admin;
async function cleanup() {
  await Promise.all(
    children.map(
      (child) =>
        new Promise((resolve) => {
          if (child.exitCode !== null) return resolve();
          child.once('exit', resolve);
          child.kill('SIGTERM');
          setTimeout(() => child.kill('SIGKILL'), 8000).unref();
        }),
    ),
  );
  await simulator?.close();
  await wechat?.close();
  await s3?.close();
  await admin?.end().catch(() => undefined);
  spawnSync(process.execPath, [path.join(root, '.ci/pg-database.mjs'), 'drop', dbName], { stdio: 'ignore', env: adminEnv });
  const redis = new Redis(redisUrl, { lazyConnect: true });
  try {
    await redis.connect();
    const keys = await redis.keys(`${keyPrefix}*`);
    if (keys.length) await redis.del(...keys);
  } catch {
    // Keys expire within a minute anyway.
  } finally {
    redis.disconnect();
  }
}

async function main() {
  const created = spawnSync(process.execPath, [path.join(root, '.ci/pg-database.mjs'), 'create', dbName], { encoding: 'utf8', env: adminEnv });
  if (created.status !== 0) throw new Error(`cannot create database ${dbName}: ${created.stderr}`);

  wechat = await startWechatFakeServer(wechatApp);
  s3 = await startS3FakeServer(s3Credentials);
  const ports = await Promise.all(Array.from({ length: INSTANCES }, freePort));
  const bases = ports.map((p) => `http://127.0.0.1:${p}`);
  // One case system for all instances; it pushes updates to the first (a balancer would pick any).
  simulator = await startCaseSimulator({ apiKey: secrets.caseKey, casePrefix: `S${runId.slice(-5).toUpperCase()}`, webhook: { url: `${bases[0]}/api/v1/hooks/case-system`, secret: secrets.webhook } });

  // The schema, then rewards old enough to expire, written before any instance runs housekeeping.
  const { openDatabase } = dist('db/client.js');
  const migrated = await openDatabase({ kind: 'postgres', url: databaseUrl });
  await migrated.close();
  admin = new pg.Pool({ connectionString: databaseUrl, max: 4 });
  for (let i = 0; i < EXPIRING_USERS; i += 1) {
    const { rows } = await admin.query(`insert into users (openid) values ($1) returning id`, [`scale-expiring-${runId}-${i}`]);
    await admin.query(
      `insert into reward_ledger (user_id, seq, prev_seq, kind, amount_fen, prev_balance_fen, balance_fen, note, created_at)
      values ($1, 1, null, 'adjustment', 500, 0, 500, 'old', now() - interval '1000 days')`,
      [rows[0].id],
    );
  }

  const env = (port) => ({
    ...process.env,
    NODE_ENV: 'development',
    HOST: '127.0.0.1',
    PORT: String(port),
    LOG_LEVEL: 'warn',
    DATABASE_URL: databaseUrl,
    REDIS_URL: withoutRedis ? '' : redisUrl,
    REDIS_KEY_PREFIX: keyPrefix,
    JWT_SECRET: secrets.jwt,
    PHOTO_URL_SECRET: secrets.photo,
    PUBLIC_BASE_URL: bases[0],
    PHOTO_STORAGE: 's3',
    S3_ENDPOINT: s3.endpoint,
    S3_BUCKET: s3Credentials.bucket,
    S3_REGION: s3Credentials.region,
    S3_ACCESS_KEY_ID: s3Credentials.accessKeyId,
    S3_SECRET_ACCESS_KEY: s3Credentials.secretAccessKey,
    S3_FORCE_PATH_STYLE: 'true',
    WECHAT_MODE: 'real',
    WECHAT_APPID: wechatApp.appId,
    WECHAT_SECRET: wechatApp.secret,
    WECHAT_API_BASE: wechat.url,
    WECHAT_TEMPLATE_REPORT_STATUS: 'tmpl-report-status',
    WECHAT_TEMPLATE_STALL_CHANGE: 'tmpl-stall-change',
    CASE_SYSTEM_URL: simulator.url,
    CASE_SYSTEM_API_KEY: secrets.caseKey,
    CASE_WEBHOOK_SECRET: secrets.webhook,
    CASE_DELIVERY_INTERVAL_MS: '300',
    CASE_POLL_INTERVAL_MS: '2000',
    CASE_POLL_AFTER_SECONDS: '10',
    NOTIFY_INTERVAL_MS: '300',
    HOUSEKEEPING_INTERVAL_MS: String(HOUSEKEEPING_MS),
    RATE_LIMIT_WRITES_PER_MINUTE: String(WRITE_LIMIT),
    RATE_LIMIT_WECHAT_LOGINS_PER_MINUTE: '10000',
    GEOCODER: 'off',
    MAP_TILE_URL: 'https://tiles.example/{z}/{x}/{y}.png',
    SEED_STALL_SPOTS: 'false',
    PHOTO_CONCURRENCY: '2',
    PHOTO_QUEUE_MAX_WAITING: '200',
  });
  // All three at once: migrations (already applied) and the first housekeeping run race.
  for (const port of ports) {
    const child = spawn(process.execPath, [path.join(root, 'bff/dist/main.js')], { env: env(port), stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr.on('data', (d) => process.stderr.write(`[bff:${port}] ${d}`));
    children.push(child);
  }
  await Promise.all(bases.map((base) => waitFor(`${base} health`, async () => (await api(base, '/api/v1/health').catch(() => ({ status: 0 }))).status === 200, 60_000)));
  figures.bootSeconds = Math.round((Date.now() - started) / 100) / 10;

  const photo = async (seed) =>
    sharp({ create: { width: 64, height: 48, channels: 3, background: { r: seed % 256, g: (seed * 7) % 256, b: (seed * 13) % 256 } } })
      .jpeg()
      .toBuffer();
  const upload = async (base, token, data) => {
    const form = new FormData();
    form.append('file', new Blob([data], { type: 'image/jpeg' }), 'p.jpg');
    return api(base, '/api/v1/photos', { token, body: form });
  };
  const login = async (base, name) => (await api(base, '/api/v1/auth/wechat', { json: { code: `dev:${name}` } })).body.token;

  // 1. The shared limit: 30 writes from one resident, round-robin over the instances.
  const limited = await login(bases[0], `limit-${runId}`);
  const limitPhoto = await photo(1);
  const statuses = [];
  for (let i = 0; i < LIMIT_WRITES; i += 1) statuses.push((await upload(bases[i % INSTANCES], limited, limitPhoto)).status);
  const accepted = statuses.filter((s) => s === 201).length;
  figures.limit = { limitPerMinute: WRITE_LIMIT, writes: LIMIT_WRITES, accepted, refused429: statuses.filter((s) => s === 429).length, other: statuses.filter((s) => s !== 201 && s !== 429).length };
  if (withoutRedis) {
    console.log(`without Redis: ${accepted} of ${LIMIT_WRITES} writes accepted over ${INSTANCES} instances (limit ${WRITE_LIMIT} each)`);
    return;
  }
  check(`shared write limit: ${accepted} of ${LIMIT_WRITES} writes accepted over ${INSTANCES} instances`, accepted === WRITE_LIMIT && figures.limit.refused429 === LIMIT_WRITES - WRITE_LIMIT);

  // 2. 300 reports, round-robin: the photo through one instance, the report through the next.
  const submitStarted = Date.now();
  const residents = await pool(
    Array.from({ length: RESIDENTS }, (_, i) => i),
    10,
    (i) => login(bases[i % INSTANCES], `resident-${runId}-${i}`),
  );
  const reportIds = await pool(
    Array.from({ length: REPORTS }, (_, i) => i),
    12,
    async (i) => {
      const token = residents[i % RESIDENTS];
      const up = await upload(bases[i % INSTANCES], token, await photo(i + 10));
      if (up.status !== 201) throw new Error(`upload ${i}: ${up.status} ${JSON.stringify(up.body)}`);
      const body = {
        category: 'exposed_garbage',
        description: `多实例测试第 ${i} 号：路边堆了很多生活垃圾`,
        location: { lat: 22 + ((i * 37) % 1000) / 400, lng: 110 + ((i * 91) % 1000) / 400, coordSystem: 'wgs84' },
        address: `测试路 ${i} 号`,
        photoIds: [up.body.id],
      };
      const res = await api(bases[(i + 1) % INSTANCES], '/api/v1/reports?coordSystem=wgs84', { json: body, token, headers: { 'idempotency-key': `scale-${runId}-${i}` } });
      if (res.status !== 201) throw new Error(`report ${i}: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.report.id;
    },
  );
  figures.submitSeconds = Math.round((Date.now() - submitStarted) / 100) / 10;

  const deliveredBy = await waitFor(
    'every report delivered',
    async () => {
      const { rows } = await admin.query(`select count(*) filter (where case_id is not null)::int as delivered from reports where id = any($1::uuid[])`, [reportIds]);
      return rows[0].delivered === REPORTS ? Date.now() : false;
    },
    120_000,
  );
  figures.deliverySeconds = Math.round((deliveredBy - submitStarted) / 100) / 10;
  const outbox = (
    await admin.query(
      `select count(*)::int as jobs, sum(attempts)::int as attempts, count(*) filter (where status = 'done')::int as done from case_outbox where report_id = any($1::uuid[]) and kind = 'create'`,
      [reportIds],
    )
  ).rows[0];
  const casesByReport = new Map();
  for (const c of simulator.cases.values()) {
    const clientId = c.clientRequestId ?? c.attributes?.client_request_id;
    if (clientId) casesByReport.set(clientId, (casesByReport.get(clientId) ?? 0) + 1);
  }
  const ours = reportIds.map((id) => casesByReport.get(id) ?? 0);
  figures.delivery = {
    reports: REPORTS,
    outboxJobs: outbox.jobs,
    attempts: outbox.attempts,
    done: outbox.done,
    casesInCaseSystem: ours.filter((n) => n > 0).length,
    reportsWithTwoCases: ours.filter((n) => n > 1).length,
  };
  check(
    `each of ${REPORTS} reports delivered once`,
    outbox.jobs === REPORTS && outbox.done === REPORTS && outbox.attempts === REPORTS && ours.every((n) => n === 1),
    `outbox attempts ${outbox.attempts}, cases ${figures.delivery.casesInCaseSystem}`,
  );

  // 3. The case system registers every case; each pushed update becomes one notice, sent by whichever instance leases it.
  const caseIds = (await admin.query(`select id, case_id from reports where id = any($1::uuid[])`, [reportIds])).rows;
  const messagesBefore = wechat.messages.length;
  for (const row of caseIds) simulator.advance(row.case_id, 'register');
  await waitFor(
    'every status notice settled',
    async () => {
      const { rows } = await admin.query(`select count(*) filter (where status = 'pending')::int as pending, count(*)::int as total from notifications where topic = 'report_status_changed'`);
      // One notice on delivery (received), one on register (accepted), per report.
      return rows[0].total >= 2 * REPORTS && rows[0].pending === 0 && simulator.pendingDeliveries === 0;
    },
    120_000,
  );
  // Polling (every 2 s for cases older than 10 s) reads the same updates again: they must not notify twice.
  await sleep(12_000);
  await waitFor('notices settled after polling', async () => (await admin.query(`select count(*)::int as n from notifications where status = 'pending'`)).rows[0].n === 0, 30_000);
  // Every notice the WeChat stand-in accepted, by report and status: delivery (received) and register each give one.
  const ourReports = new Set(reportIds);
  const sent = wechat.messages.filter((m) => m.template_id === 'tmpl-report-status');
  const perNotice = new Map();
  for (const m of sent) {
    const id = /id=([0-9a-f-]{36})/.exec(m.page)?.[1];
    if (id && ourReports.has(id)) perNotice.set(`${id} ${m.data.phrase2?.value}`, (perNotice.get(`${id} ${m.data.phrase2?.value}`) ?? 0) + 1);
  }
  const noticeRows = (await admin.query(`select status, count(*)::int as n from notifications where topic = 'report_status_changed' group by status`)).rows;
  // A notice leased more than once was retried after a failed or timed-out send (WeChat's send has no idempotency key).
  const retriedRows = (await admin.query(`select page, data->>'phrase2' as phrase from notifications where topic = 'report_status_changed' and attempts > 1`)).rows;
  const retriedKeys = new Set(retriedRows.map((r) => `${/id=([0-9a-f-]{36})/.exec(r.page)?.[1]} ${r.phrase}`));
  const retried = retriedRows.length;
  const rowsSent = noticeRows.find((r) => r.status === 'sent')?.n ?? 0;
  const twice = [...perNotice.values()].filter((n) => n > 1).length;
  // Twice for a notice leased once would be the outbox failing; twice after a timed-out send is WeChat's
  // send having no idempotency key (the stand-in recorded it, the answer came too late): shown, not failed.
  const twiceLeasedOnce = [...perNotice].filter(([key, n]) => n > 1 && !retriedKeys.has(key)).length;
  const reportsNotified = new Set([...perNotice.keys()].map((k) => k.split(' ')[0])).size;
  figures.notices = {
    sentToWechat: sent.length,
    sentSinceRegister: wechat.messages.length - messagesBefore,
    distinctNotices: perNotice.size,
    noticesSentTwice: twice,
    noticesSentTwiceLeasedOnce: twiceLeasedOnce,
    noticesRetried: retried,
    reportsNotified,
    rows: Object.fromEntries(noticeRows.map((r) => [r.status, r.n])),
  };
  check(
    `each status notice sent once (${perNotice.size} notices for ${REPORTS} reports)`,
    twiceLeasedOnce === 0 && perNotice.size === rowsSent && reportsNotified === REPORTS && perNotice.size >= 2 * REPORTS,
    `sent ${sent.length}, rows sent ${rowsSent}, retried after a failed send ${retried}`,
  );

  // 4. Housekeeping: every period claimed by one instance; each old reward expired once.
  await sleep(HOUSEKEEPING_MS * 2);
  const runs = (await admin.query(`select period_start, instance, finished_at is not null as finished from job_runs where job = 'rewards and ratings housekeeping' order by period_start`)).rows;
  const expiries = (await admin.query(`select user_id, count(*)::int as n, sum(amount_fen)::int as fen from reward_ledger where kind = 'expiry' group by user_id`)).rows;
  const periods = new Set(runs.map((r) => r.period_start.toISOString()));
  figures.housekeeping = {
    periods: periods.size,
    runs: runs.length,
    finished: runs.filter((r) => r.finished).length,
    instancesThatRan: new Set(runs.map((r) => r.instance)).size,
    expiringUsers: EXPIRING_USERS,
    usersExpired: expiries.length,
    expiryEntries: expiries.reduce((s, r) => s + r.n, 0),
    expiredFen: expiries.reduce((s, r) => s + r.fen, 0),
  };
  check(`housekeeping ran once per period across ${INSTANCES} instances`, runs.length === periods.size && periods.size >= 2, `${periods.size} periods, ${runs.length} runs`);
  check(`each of ${EXPIRING_USERS} old rewards expired once`, expiries.length === EXPIRING_USERS && expiries.every((r) => r.n === 1 && r.fen === -500));

  // 5. Accounts behind tokens: each instance remembers them; a block written at the database (as
  // another instance or an operator would) must reach all of them through LISTEN/NOTIFY.
  const watcher = await login(bases[0], `account-${runId}`);
  const meOn = async (base) => (await api(base, '/api/v1/me', { token: watcher })).body.user;
  for (const base of bases) for (let i = 0; i < 3; i += 1) await meOn(base);
  const { id: watcherId } = await meOn(bases[0]);
  const blockedAt = performance.now();
  await admin.query(`update users set blocked_at = now() where id = $1`, [watcherId]);
  const seenAfterMs = await Promise.all(
    bases.map(async (base) => {
      const deadline = blockedAt + 5000;
      while (performance.now() < deadline) {
        if ((await meOn(base)).blocked) return Math.round(performance.now() - blockedAt);
      }
      return null;
    }),
  );
  figures.accountChange = { seenAfterMs };
  check(
    `a block written at the database reached all ${INSTANCES} instances' account caches`,
    seenAfterMs.every((ms) => ms !== null && ms < 1000),
    `${seenAfterMs.join(', ')} ms`,
  );

  figures.totalSeconds = Math.round((Date.now() - started) / 100) / 10;
  console.log(`figures ${JSON.stringify(figures)}`);
}

main()
  .catch((err) => {
    console.error(err);
    failures.push(String(err?.message ?? err));
  })
  .finally(async () => {
    await cleanup();
    if (failures.length) {
      console.error(`multi-instance: ${failures.length} check(s) failed`);
      process.exit(1);
    }
    console.log('multi-instance: all checks passed');
    process.exit(0);
  });
