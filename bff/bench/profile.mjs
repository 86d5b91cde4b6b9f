// `node bff/bench/profile.mjs [path]` (after `npm run build:bff`): loads one authenticated GET
// (default /api/v1/me) on the built BFF started with --cpu-prof, then prints the throughput, the CPU
// each request cost the BFF (and, with DATABASE_URL, the PostgreSQL backends), the statements each
// request sent, and where the BFF's CPU went by package and by function (self time). Figures only.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { startBuiltBff } from './spawn-bff.mjs';

const target = process.argv[2] ?? '/api/v1/me';
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const profDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cityloop-prof-'));
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cityloop-prof-data-'));
const databaseUrl = process.env.DATABASE_URL ?? '';
const bff = await startBuiltBff({ DATA_DIR: dataDir, LOG_LEVEL: 'warn', DATABASE_URL: databaseUrl }, ['--cpu-prof', `--cpu-prof-dir=${profDir}`]);
const login = await (await fetch(`${bff.base}/api/v1/auth/wechat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: 'dev:profile' }) })).json();
const load = () =>
  new Promise((resolve, reject) =>
    autocannon({ url: bff.base + target, connections: 10, duration: SECONDS, headers: { authorization: `Bearer ${login.token}` } }, (e, r) => (e ? reject(e) : resolve(r))),
  );

/** CPU time (ms) a process has used, from /proc (Linux). */
const cpuMs = (pid) => {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * (1000 / 100);
  } catch {
    return 0;
  }
};
let admin;
let dbName;
if (databaseUrl) {
  dbName = new URL(databaseUrl).pathname.slice(1);
  admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
}
const backends = async () => (admin ? (await admin.query('select pid from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [dbName])).rows.map((r) => r.pid) : []);
const commits = async () => (admin ? Number((await admin.query('select xact_commit from pg_stat_database where datname = $1', [dbName])).rows[0].xact_commit) : 0);

await load(); // warm-up: JIT, caches, pool
const pids = await backends();
const before = { bff: cpuMs(bff.pid), pg: pids.reduce((a, p) => a + cpuMs(p), 0), commits: await commits() };
const result = await load();
const after = { bff: cpuMs(bff.pid), pg: pids.reduce((a, p) => a + cpuMs(p), 0), commits: await commits() };
await admin?.end();
await bff.stop();

const n = result.requests.total;
console.log(`${target}: ${Math.round(result.requests.average)} req/s, p99 ${result.latency.p99} ms, errors ${result.errors + result.non2xx}`);
console.log(`CPU per request: BFF ${Math.round(((after.bff - before.bff) * 1000) / n)} µs` + (admin ? `, PostgreSQL backends ${Math.round(((after.pg - before.pg) * 1000) / n)} µs` : ''));
if (admin) console.log(`statements (transactions) per request: ${((after.commits - before.commits - 1) / n).toFixed(3)}`);

// The profile covers start-up, the warm-up and the measured run; start-up is a small share.
const file = fs.readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
const profile = JSON.parse(fs.readFileSync(path.join(profDir, file), 'utf8'));
const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
const selfUs = new Map();
let total = 0;
profile.samples.forEach((id, i) => {
  const dt = profile.timeDeltas[i] ?? 0;
  selfUs.set(id, (selfUs.get(id) ?? 0) + dt);
  total += dt;
});
const byPackage = new Map();
const byFunction = new Map();
for (const [id, us] of selfUs) {
  const { functionName, url, lineNumber } = nodes.get(id).callFrame;
  const pkg = url.includes('node_modules/')
    ? url.replace(/.*node_modules\/((@[^/]+\/)?[^/]+).*/, '$1')
    : url.startsWith('node:')
      ? 'node:' + url.slice(5).split('/')[0]
      : url.includes('/bff/dist/')
        ? 'CityLoop'
        : functionName || '(native)';
  byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us);
  const name = `${functionName || '(anonymous)'} ${url.replace(/.*node_modules\//, '').replace(/.*\/bff\/dist\//, 'bff/dist/')}${url ? ':' + (lineNumber + 1) : ''}`;
  byFunction.set(name, (byFunction.get(name) ?? 0) + us);
}
const top = (map, count) =>
  [...map]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, us]) => `  ${((100 * us) / total).toFixed(1).padStart(5)} %  ${name}`)
    .join('\n');
console.log(`\nBFF CPU by package (self time, ${Math.round(total / 1000)} ms profiled):\n${top(byPackage, 15)}`);
console.log(`\nby function:\n${top(byFunction, 20)}`);
fs.rmSync(profDir, { recursive: true, force: true });
fs.rmSync(dataDir, { recursive: true, force: true });
