// The heavy anonymous read from issue 11 through HTTP, on the BFF as deployed by default (embedded
// PGlite, which runs inside the BFF's event loop): GET /api/v1/stall-spots?openNow=true&limit=50 at
// the widest radius the API accepts, at 5,000 and 100,000 spots, sequential p50/p99, then the health
// check's latency while 20 connections run that query. Opening times are spread over the week so
// some queries land when most spots are closed (the case that used to scan 2,000 rows).
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { startBuiltBff } from './spawn-bff.mjs';

const require = createRequire(import.meta.url);
const { openDatabase, queryRows } = require('../dist/db/client.js');
const shared = require('@cityloop/shared');
const { sql } = require('drizzle-orm');

const SIZES = (process.env.BENCH_STALL_SIZES ?? '5000,100000').split(',').map(Number);
const QUERIES = Number(process.env.BENCH_STALL_QUERIES ?? 300);
const LOAD_SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const CONNECTIONS = 20;
const RADIUS = Number(process.env.BENCH_STALL_RADIUS ?? shared.STALL_LIMITS.maxRadiusMeters);
// BENCH_STALLS_PG_ADMIN_URL=postgres://postgres@127.0.0.1:5432/postgres runs the same on a PostgreSQL
// server (a fresh database per size, dropped after): the deployment for load, where queries no longer
// share the BFF's event loop.
const PG_ADMIN_URL = process.env.BENCH_STALLS_PG_ADMIN_URL;

// Kunming-sized area: 0.6° × 0.6° (~65 km square) around Chenggong.
const centre = { lat: 24.85, lng: 102.85 };
const SCHEDULES = [
  ['daily 06:00-22:00', 4],
  ['1-5 06:00-08:30,17:00-21:00', 2],
  ['6,7 18:00-02:00', 1],
  ['daily 18:00-02:00', 2],
  ['season 2026-06-01..2026-09-30; daily 09:00-17:00', 1],
].flatMap(([text, weight]) => Array.from({ length: weight }, () => shared.parseScheduleText(text).schedule));

const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];
// A random instant in the week of 2026-11-23 (Monday), Shanghai time.
const randomAt = () => new Date(Date.parse('2026-11-23T00:00:00+08:00') + Math.random() * 7 * 86_400_000).toISOString();
const randomPoint = () => ({ lat: centre.lat + (Math.random() - 0.5) * 0.3, lng: centre.lng + (Math.random() - 0.5) * 0.3 });
const listPath = () => {
  const p = randomPoint();
  return `/api/v1/stall-spots?lat=${p.lat.toFixed(5)}&lng=${p.lng.toFixed(5)}&coordSystem=wgs84&radius=${RADIUS}&openNow=true&limit=50&at=${encodeURIComponent(randomAt())}`;
};

async function pgAdmin(statement) {
  const { Client } = require('pg');
  const client = new Client({ connectionString: PG_ADMIN_URL });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}
const pgUrlFor = (name) => PG_ADMIN_URL.replace(/\/[^/]*$/, `/${name}`);

async function fill(dataDir, count, databaseUrl) {
  const handle = await openDatabase(databaseUrl ? { kind: 'postgres', url: databaseUrl } : { kind: 'pglite', dataDir: path.join(dataDir, 'pglite') });
  const tables = await queryRows(handle.db, sql`select 1 from information_schema.tables where table_name = 'stall_spot_open_hours'`);
  const templates = SCHEDULES.length;
  await handle.db.execute(sql`
    insert into stall_spots (code, name, kind, district, address, lat, lng, capacity, goods, schedule)
    select 'B-' || g, '摊点' || g, 'stall_cluster', '测试区', '测试路 ' || g || ' 号',
      ${centre.lat} + (random() - 0.5) * 0.6, ${centre.lng} + (random() - 0.5) * 0.6, 20, array['snacks', 'produce'],
      (${JSON.stringify(SCHEDULES)}::jsonb) -> (g % ${templates})
    from generate_series(1, ${count}) g`);
  if (tables.length) {
    // What the BFF writes with every spot (stall_spot_open_hours), here in bulk per schedule.
    for (let i = 0; i < templates; i += 1) {
      const { weeks, days } = shared.openHoursLiterals(SCHEDULES[i]);
      await handle.db.execute(sql`
        insert into stall_spot_open_hours (spot_id, lat, lng, week, days)
        select s.id, s.lat, s.lng, w::int4range, ${days}::int4multirange
        from stall_spots s, unnest(${`{${weeks.map((w) => `"${w}"`).join(',')}}`}::text[]) w
        where s.code like 'B-%' and s.schedule = ${JSON.stringify(SCHEDULES[i])}::jsonb`);
    }
    await handle.db.execute(sql`analyze stall_spot_open_hours`);
  }
  await handle.db.execute(sql`analyze stall_spots`);
  await handle.close();
}

const startBff = (dataDir, databaseUrl) => startBuiltBff({ DATA_DIR: dataDir, DATABASE_URL: databaseUrl ?? '', SEED_STALL_SPOTS: 'false', RATE_LIMIT_PUBLIC_READS_PER_MINUTE: '1000000' });

async function timed(url) {
  const t0 = performance.now();
  const res = await fetch(url);
  const body = await res.json();
  return { ms: performance.now() - t0, status: res.status, body };
}

console.log(`\nGET /api/v1/stall-spots?radius=${RADIUS}&openNow=true&limit=50 through HTTP, ${PG_ADMIN_URL ? 'PostgreSQL server' : 'embedded PGlite'}, ${os.cpus().length} cores`);
for (const count of SIZES) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cityloop-bench-stalls-'));
  const dbName = `cityloop_bench_stalls_${count}_${process.pid}`;
  const databaseUrl = PG_ADMIN_URL ? pgUrlFor(dbName) : undefined;
  if (PG_ADMIN_URL) await pgAdmin(`create database ${dbName}`);
  try {
    await fill(dataDir, count, databaseUrl);
    const bff = await startBff(dataDir, databaseUrl);
    for (let i = 0; i < 20; i += 1) await timed(bff.base + listPath()); // warm-up
    const times = [];
    let items = 0;
    let failures = 0;
    for (let i = 0; i < QUERIES; i += 1) {
      const r = await timed(bff.base + listPath());
      times.push(r.ms);
      if (r.status !== 200) failures += 1;
      else items += r.body.items.length;
    }
    const idleHealth = [];
    for (let i = 0; i < 100; i += 1) idleHealth.push((await timed(`${bff.base}/api/v1/health`)).ms);

    // 20 connections of the query, and one more client checking health in a loop meanwhile.
    let loading = true;
    const health = [];
    const prober = (async () => {
      while (loading) health.push((await timed(`${bff.base}/api/v1/health`)).ms);
    })();
    const load = await new Promise((resolve, reject) =>
      autocannon(
        {
          url: bff.base,
          connections: CONNECTIONS,
          duration: LOAD_SECONDS,
          requests: [{ setupRequest: (req) => ({ ...req, path: listPath() }) }],
        },
        (err, r) => (err ? reject(err) : resolve(r)),
      ),
    );
    loading = false;
    await prober;
    await bff.stop();
    const total = count;
    console.log(
      `${String(total).padStart(7)} spots  sequential ×${QUERIES}: p50 ${pct(times, 0.5).toFixed(1)} ms   p99 ${pct(times, 0.99).toFixed(1)} ms   max ${Math.max(...times).toFixed(1)} ms   (${(items / QUERIES).toFixed(1)} open spots per page, ${failures} non-200)`,
    );
    console.log(`${''.padStart(13)}${CONNECTIONS} connections: ${Math.round(load.requests.average)} req/s   p50 ${load.latency.p50} ms   p99 ${load.latency.p99} ms   non-2xx ${load.non2xx}`);
    console.log(
      `${''.padStart(13)}GET /health: idle p50 ${pct(idleHealth, 0.5).toFixed(1)} ms p99 ${pct(idleHealth, 0.99).toFixed(1)} ms;  under load p50 ${pct(health, 0.5).toFixed(1)} ms p99 ${pct(health, 0.99).toFixed(1)} ms (${health.length} checks)`,
    );
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
    if (PG_ADMIN_URL) await pgAdmin(`drop database if exists ${dbName} with (force)`);
  }
}
