// Nearest-20 stall-spot queries: queries/s and p99 for 100 and 100,000 spots on a PostgreSQL server,
// with the GiST index on ll_to_earth() and without it. Uses the BFF's own repository query.
// BENCH_PG_ADMIN_URL (default postgres://postgres@127.0.0.1:5432/test) must be able to create databases.
import { createRequire } from 'node:module';
import pg from 'pg';

const require = createRequire(import.meta.url);
const { openDatabase } = require('../dist/db/client.js');
const { stallsRepository } = require('../dist/features/stalls/stalls.repository.js');
const { sql } = require('drizzle-orm');

const adminUrl = process.env.BENCH_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const dbName = `cityloop_bench_${process.pid}`;
const QUERIES = Number(process.env.BENCH_QUERIES ?? 2000);

const admin = new pg.Client({ connectionString: adminUrl });
try {
  await admin.connect();
} catch (err) {
  console.log(`stall-spot bench skipped: no PostgreSQL server at ${adminUrl} (${err.message})`);
  process.exit(0);
}
await admin.query(`create database ${dbName}`);
const url = new URL(adminUrl);
url.pathname = `/${dbName}`;
const handle = await openDatabase({ kind: 'postgres', url: url.toString() });
const repo = stallsRepository(handle.db);

// Kunming-sized area: 0.6° × 0.6° (~65 km square).
const centre = { lat: 24.85, lng: 102.85 };
const randomPoint = () => ({ lat: centre.lat + (Math.random() - 0.5) * 0.6, lng: centre.lng + (Math.random() - 0.5) * 0.6 });

async function fill(count) {
  await handle.db.execute(sql`truncate stall_spots cascade`);
  await handle.db.execute(sql`
    insert into stall_spots (code, name, kind, district, address, lat, lng, capacity, goods, schedule)
    select 'B-' || g, '摊点' || g, 'stall_cluster', '测试区', '测试路 ' || g || ' 号',
      ${centre.lat} + (random() - 0.5) * 0.6, ${centre.lng} + (random() - 0.5) * 0.6, 20,
      array['snacks', 'produce'], '{"weekly":[{"days":[1,2,3,4,5,6,7],"windows":[{"open":"06:00","close":"22:00"}]}]}'::jsonb
    from generate_series(1, ${count}) g`);
  await handle.db.execute(sql`analyze stall_spots`);
}

async function measure(queries) {
  for (let i = 0; i < 50; i += 1) await repo.nearby({ ...randomPoint(), radiusM: 50_000, limit: 20 }); // warm-up
  const times = [];
  const started = performance.now();
  for (let i = 0; i < queries; i += 1) {
    const t0 = performance.now();
    const { rows } = await repo.nearby({ ...randomPoint(), radiusM: 50_000, limit: 20 });
    times.push(performance.now() - t0);
    if (rows.length === 0) throw new Error('empty result');
  }
  const total = (performance.now() - started) / 1000;
  times.sort((a, b) => a - b);
  return { qps: queries / total, p50: times[Math.floor(times.length * 0.5)], p99: times[Math.floor(times.length * 0.99)] };
}

const fmt = (r) => `${r.qps.toFixed(0).padStart(6)} q/s   p50 ${r.p50.toFixed(2).padStart(7)} ms   p99 ${r.p99.toFixed(2).padStart(7)} ms`;
console.log(`\nNearest-20 stall spots (radius 50 km) on PostgreSQL ${(await admin.query('show server_version')).rows[0].server_version}, one connection, sequential queries`);
try {
  for (const count of [100, 100_000]) {
    await fill(count);
    const indexed = await measure(QUERIES);
    await handle.db.execute(sql`drop index stall_spots_earth_idx`);
    const plain = await measure(count > 1000 ? Math.min(QUERIES, 200) : QUERIES);
    await handle.db.execute(sql`create index stall_spots_earth_idx on stall_spots using gist (ll_to_earth(lat, lng))`);
    console.log(`${String(count).padStart(7)} spots  with GiST index ${fmt(indexed)}`);
    console.log(`${String(count).padStart(7)} spots  without index  ${fmt(plain)}   → index is ${(indexed.qps / plain.qps).toFixed(1)}× the throughput`);
  }
} finally {
  await handle.close();
  await admin.query(`drop database if exists ${dbName} with (force)`);
  await admin.end();
}
