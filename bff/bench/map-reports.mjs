// The map's open reports around the pin (GET /reports/nearby without a category): the repository query
// at random points in a city where years of reports have piled up (BENCH_MAP_REPORTS, default 200,000,
// of which BENCH_MAP_OPEN_SHARE are still open), with the partial GiST index on open reports and, in a
// rolled-back transaction, without it (only the all-reports index left). Figures, not assertions.
// DATABASE_URL names a PostgreSQL database set aside for it (seeded once, reused); without it, in-memory PGlite.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { openDatabase, queryRows } = require('../dist/db/client.js');
const { reportsRepository } = require('../dist/features/reports/reports.repository.js');
const { sql } = require('drizzle-orm');

const TOTAL = Number(process.env.BENCH_MAP_REPORTS ?? 200_000);
const OPEN_SHARE = Number(process.env.BENCH_MAP_OPEN_SHARE ?? 0.1);
const QUERIES = Number(process.env.BENCH_MAP_QUERIES ?? 400);
// A 20 × 20 km city centred on Chenggong (WGS-84).
const CENTRE = { lat: 24.86, lng: 102.84 };
const SPAN = 0.18;

const database = await openDatabase(process.env.DATABASE_URL ? { kind: 'postgres', url: process.env.DATABASE_URL } : { kind: 'pglite-memory' });
const { db } = database;
const [{ n }] = await queryRows(db, sql`select count(*)::int as n from reports where description = 'bench-map'`);
if (n < TOTAL) {
  const [user] = await queryRows(db, sql`insert into users (openid) values (${`bench-map-${Date.now()}`}) returning id`);
  const started = performance.now();
  for (let done = n; done < TOTAL; done += 20_000) {
    const batch = Math.min(20_000, TOTAL - done);
    await db.execute(sql`
      insert into reports (user_id, category, service_code, description, lat, lng, address, status, idempotency_key, request_hash, created_at)
      select ${user.id}, (array['exposed_garbage','street_light','illegal_parking','street_vending','manhole_cover'])[1 + (g % 5)], 'SJ-0101', 'bench-map',
             ${CENTRE.lat - SPAN / 2} + random() * ${SPAN}, ${CENTRE.lng - SPAN / 2} + random() * ${SPAN}, '测试路 ' || g || ' 号',
             case when random() < ${OPEN_SHARE} then (array['received','accepted','dispatched','handled'])[1 + (g % 4)] else (array['closed','closed','closed','rejected','duplicate'])[1 + (g % 5)] end,
             'bench-' || ${done} || '-' || g, 'bench', now() - (random() * interval '1000 days')
      from generate_series(1, ${batch}) g`);
  }
  await db.execute(sql`analyze reports`);
  console.log(`seeded ${TOTAL - n} reports in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
const [{ open, total }] = await queryRows(db, sql`select count(*) filter (where status not in ('closed','rejected','duplicate'))::int as open, count(*)::int as total from reports`);

const point = () => ({ lat: CENTRE.lat + (Math.random() - 0.5) * SPAN * 0.8, lng: CENTRE.lng + (Math.random() - 0.5) * SPAN * 0.8 });
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];

async function measure(handle, label) {
  const repo = reportsRepository(handle);
  for (let i = 0; i < 30; i += 1) await repo.nearbyOpen({ ...point(), radiusM: 1000, limit: 50, viewerId: '00000000-0000-4000-8000-000000000000' });
  const times = [];
  let rows = 0;
  for (let i = 0; i < QUERIES; i += 1) {
    const t0 = performance.now();
    rows += (await repo.nearbyOpen({ ...point(), radiusM: 1000, limit: 50, viewerId: '00000000-0000-4000-8000-000000000000' })).length;
    times.push(performance.now() - t0);
  }
  const here = point();
  const plan = await queryRows(
    handle,
    sql`explain (analyze, buffers) select r.id from reports r
    where r.status in ('submitted', 'received', 'accepted', 'dispatched', 'handled', 'reopened')
      and earth_box(ll_to_earth(${here.lat}, ${here.lng}), 1000) @> ll_to_earth(r.lat, r.lng)
      and earth_distance(ll_to_earth(r.lat, r.lng), ll_to_earth(${here.lat}, ${here.lng})) <= 1000
    order by ll_to_earth(r.lat, r.lng) <-> ll_to_earth(${here.lat}, ${here.lng}) limit 50`,
  );
  const lines = plan.map((r) => r['QUERY PLAN']);
  const index = lines.map((l) => /(?:Index Scan using|Bitmap Index Scan on) (\w+)/.exec(l)?.[1]).find(Boolean) ?? 'no index scan';
  const buffers = lines.map((l) => /Buffers: shared hit=(\d+)(?: read=(\d+))?/.exec(l)).find(Boolean);
  console.log(
    `${label.padEnd(34)} p50 ${pct(times, 0.5).toFixed(2)} ms   p99 ${pct(times, 0.99).toFixed(2)} ms   ${(rows / QUERIES).toFixed(1)} rows/query   plan: ${index}, ${buffers ? Number(buffers[1]) + Number(buffers[2] ?? 0) : '?'} buffers`,
  );
}

console.log(`\nmap reports bench — ${database.driver}, ${total} reports (${open} open), 1 km around random points in a 20 km city, ${QUERIES} queries`);
await measure(db, 'with the open-reports index');
await db
  .transaction(async (tx) => {
    await tx.execute(sql`drop index reports_open_earth_idx`);
    await measure(tx, 'without it (all-reports index only)');
    throw new Error('rollback');
  })
  .catch((err) => {
    if (err.message !== 'rollback') throw err;
  });
await database.close();
