// `npm run bench`: prints figures, asserts nothing. Starts the built BFF as a child process (embedded
// PGlite in a throwaway folder, or DATABASE_URL) and loads it from this process with autocannon.
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { freePort, startBuiltBff } from './spawn-bff.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const DURATION = Number(process.env.BENCH_SECONDS ?? 8);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);

async function startBff(dataDir) {
  const { base, readyMs, stop } = await startBuiltBff({
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    RATE_LIMIT_WRITES_PER_MINUTE: '10000',
    RATE_LIMIT_WECHAT_LOGINS_PER_MINUTE: '1000',
    DATABASE_URL: process.env.DATABASE_URL ?? '',
  });
  return { baseUrl: base, readyMs, stop };
}

const fmt = (r) =>
  `${Math.round(r.requests.average).toString().padStart(6)} req/s   p50 ${String(r.latency.p50).padStart(3)} ms   p99 ${String(r.latency.p99).padStart(3)} ms   errors ${r.errors + r.non2xx}`;

console.log(`CityLoop BFF bench — node ${process.version}, ${os.cpus().length} cores, ${CONNECTIONS} connections × ${DURATION}s per target\n`);

// Start-up: a fresh data folder (creates the cluster and runs migrations), then the same folder again.
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cityloop-bench-'));
const fresh = await startBff(dataDir);
await fresh.stop();
const bff = await startBff(dataDir);
const driver = process.env.DATABASE_URL ? 'PostgreSQL server' : 'embedded PGlite';
console.log(`start-up to ready (${driver}): fresh data folder ${Math.round(fresh.readyMs)} ms, existing folder ${Math.round(bff.readyMs)} ms\n`);

const login = await (await fetch(`${bff.baseUrl}/api/v1/auth/wechat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: 'dev:bench' }) })).json();

const helloPort = await freePort();
const hello = fork(path.join(here, 'hello-koa.mjs'), { env: { ...process.env, PORT: String(helloPort) } });
await new Promise((r) => hello.once('message', r));

// The ratios to bare Koa are taken in interleaved slices (hello, health, me; hello, health, me…):
// on a shared machine the baseline itself moved from 15,000 to 38,000 req/s between runs minutes
// apart, so targets measured one after the other compare different machines.
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);
const slice = (url, headers) =>
  new Promise((resolve, reject) => {
    autocannon({ url, connections: CONNECTIONS, duration: Math.max(1, DURATION / ROUNDS), headers }, (err, result) => (err ? reject(err) : resolve(result)));
  });
const targets = {
  hello: [`http://127.0.0.1:${helloPort}/`, {}],
  health: [`${bff.baseUrl}/api/v1/health`, {}],
  me: [`${bff.baseUrl}/api/v1/me`, { authorization: `Bearer ${login.token}` }],
};
const slices = { hello: [], health: [], me: [] };
for (let round = 0; round < ROUNDS; round += 1) for (const [name, [url, headers]] of Object.entries(targets)) slices[name].push(await slice(url, headers));
/** One result from a target's slices: requests over the time, worst p99, every error. */
const combined = (list) => ({
  requests: { average: list.reduce((a, r) => a + r.requests.total, 0) / list.reduce((a, r) => a + r.duration, 0) },
  latency: { p50: Math.max(...list.map((r) => r.latency.p50)), p99: Math.max(...list.map((r) => r.latency.p99)) },
  errors: list.reduce((a, r) => a + r.errors, 0),
  non2xx: list.reduce((a, r) => a + r.non2xx, 0),
});
const helloResult = combined(slices.hello);
const healthResult = combined(slices.health);
const meResult = combined(slices.me);
const perRound = (name) => slices[name].map((r, i) => (r.requests.average / slices.hello[i].requests.average).toFixed(2)).join(' ');
// Report submissions, spread over residents so that the per-resident write limit (10,000 a minute
// here) is not what is measured; the case-system simulator takes the deliveries alongside.
const reporters = [];
for (let i = 0; i < 20; i += 1) {
  const res = await fetch(`${bff.baseUrl}/api/v1/auth/wechat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: `dev:bench-reporter-${i}` }) });
  // 21 logins from one address pass the default limit of 20 a minute: a refused login would show as 401s below.
  if (!res.ok) throw new Error(`bench login ${i} answered ${res.status}`);
  reporters.push((await res.json()).token);
}
let submission = 0;
const reportsResult = await new Promise((resolve, reject) =>
  autocannon(
    {
      url: `${bff.baseUrl}/api/v1/reports`,
      connections: CONNECTIONS,
      duration: DURATION,
      method: 'POST',
      requests: [
        {
          setupRequest: (req) => ({
            ...req,
            headers: { 'content-type': 'application/json', authorization: `Bearer ${reporters[submission++ % reporters.length]}`, 'idempotency-key': randomUUID() },
            body: JSON.stringify({
              category: 'night_construction_noise',
              description: '工地夜里十二点还在施工，噪音很大',
              location: { lat: 24.85 + Math.random() / 100, lng: 102.85 + Math.random() / 100, coordSystem: 'gcj02' },
              address: '呈贡区测试路',
              photoIds: [],
            }),
          }),
        },
      ],
    },
    (err, result) => (err ? reject(err) : resolve(result)),
  ),
);
hello.kill('SIGTERM');
await bff.stop();
fs.rmSync(dataDir, { recursive: true, force: true });

console.log(`bare Koa hello-world   ${fmt(helloResult)}`);
console.log(`GET /api/v1/health     ${fmt(healthResult)}   (${(healthResult.requests.average / helloResult.requests.average).toFixed(2)}× hello-world throughput)`);
console.log(`GET /api/v1/me         ${fmt(meResult)}   (${(meResult.requests.average / helloResult.requests.average).toFixed(2)}× hello-world throughput)`);
console.log(`  per round, × the hello-world slice before it: health ${perRound('health')}; me ${perRound('me')}`);
console.log(`POST /api/v1/reports   ${fmt(reportsResult)}   statuses ${JSON.stringify(Object.fromEntries(Object.entries(reportsResult.statusCodeStats ?? {}).map(([k, v]) => [k, v.count])))}`);

// Mini-program sizes, if built.
const weapp = path.join(root, 'miniapp/dist/weapp');
if (fs.existsSync(path.join(weapp, 'app.json'))) {
  console.log('');
  const { execFileSync } = await import('node:child_process');
  process.stdout.write(execFileSync(process.execPath, [path.join(root, '.ci/check-weapp-size.mjs')], { cwd: root }));
} else {
  console.log('\nweapp sizes: not built (run `npm run build:weapp`)');
}
