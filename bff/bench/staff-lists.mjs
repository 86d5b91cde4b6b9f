// Staff console lists at scale: 1,000,000 reports (with reward decisions and ratings) and 200,000
// audit entries on a PostgreSQL server, then p50/p99 through the built BFF of the staff report list
// (first page, filtered pages, a deep cursor page, case-number search, the map points), the
// dashboard and the audit log. Figures, not assertions; the target is p99 ≤ 100 ms per list.
//
// DATABASE_URL must name a PostgreSQL server database set aside for benchmarks (PGlite cannot hold a
// million reports sensibly). The seed stays there (a marker row says it completed), so the next run
// goes straight to measuring; a half-done seed is cleared and redone.
import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { serveBenchApp } from './serve-app.mjs';

const require = createRequire(import.meta.url);
const url = process.env.DATABASE_URL;
if (!url) {
  console.log('staff-lists bench skipped: set DATABASE_URL to a PostgreSQL server database set aside for benchmarks (1,000,000 reports are seeded there once)');
  process.exit(0);
}

const { openDatabase } = require('../dist/db/client.js');

if (process.argv[2] === '--serve') {
  await serveBenchApp(url, 'staff');
} else {
  await main();
}

async function main() {
  const autocannon = require('autocannon');
  const { sql } = require('drizzle-orm');
  const { REPORT_CATEGORIES } = require('@cityloop/shared');
  const { queryRows } = require('../dist/db/client.js');
  const { encodeCursor } = require('../dist/http/paging.js');
  const { staffRepository } = require('../dist/features/staff/staff.repository.js');
  const { createStaffAccount } = require('../dist/features/staff/staff.usecases.js');

  const REPORTS = 1_000_000;
  const AUDIT = 200_000;
  const CHUNK = 100_000;
  const USERS = 1000;
  const MARKER = `bench-staff-lists-seeded-${REPORTS}`;
  const STREETS = Array.from({ length: 30 }, (_, i) => `示范街道${String(i + 1).padStart(2, '0')}`);
  const DURATION = Number(process.env.BENCH_SECONDS ?? 8);
  const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 4);

  const handle = await openDatabase({ kind: 'postgres', url }); // applies the migrations
  const db = handle.db;
  const [{ server_version: version }] = await queryRows(db, sql`show server_version`);
  console.log(`\nStaff lists bench — PostgreSQL ${version}, node ${process.version}, ${os.cpus().length} cores`);

  // 1. Seed (once).
  const seeded = (await queryRows(db, sql`select 1 from users where openid = ${MARKER}`)).length > 0;
  if (seeded) {
    console.log(`seed: already there (marker ${MARKER}), skipped`);
  } else {
    const started = performance.now();
    const benchUsers = sql`(select id from users where openid like 'bench-staff-user-%')`;
    const benchReports = sql`(select id from reports where user_id in ${benchUsers})`;
    const leftover = await queryRows(db, sql`select count(*)::int as n from reports where user_id in ${benchUsers}`);
    if (leftover[0].n > 0) {
      console.log(`seed: clearing ${leftover[0].n} reports of an unfinished seed`);
      await db.execute(sql`delete from report_ratings where report_id in ${benchReports}`);
      await db.execute(sql`delete from reward_decisions where report_id in ${benchReports}`);
      await db.execute(sql`delete from reports where user_id in ${benchUsers}`);
    }
    await db.execute(sql`delete from audit_log where action = 'bench.seed'`);
    await db.execute(sql`insert into users (openid) select 'bench-staff-user-' || g from generate_series(1, ${USERS}) g on conflict (openid) do nothing`);
    const text = (xs) =>
      sql`array[${sql.join(
        xs.map((x) => sql`${x}`),
        sql`, `,
      )}]::text[]`;
    const categories = text(REPORT_CATEGORIES.map((c) => c.code));
    const serviceCodes = text(REPORT_CATEGORIES.map((c) => c.serviceCode));
    for (let lo = 1; lo <= REPORTS; lo += CHUNK) {
      const hi = Math.min(REPORTS, lo + CHUNK - 1);
      const t0 = performance.now();
      // Status mix as the figures bench: mostly closed, 2% not yet delivered. About 60% get a reward
      // decision (0.5% held), 30% of closed ones a rating (15% of those 差评).
      await db.execute(sql`
        with us as (select array_agg(id order by openid) as ids from users where openid like 'bench-staff-user-%'),
        src as (
          select g, random() as u, random() as y,
            now() - interval '365 days' + (g - 1 + random()) / ${REPORTS} * interval '365 days' as created
          from generate_series(${lo}::int, ${hi}::int) g
        ),
        ins as (
          insert into reports (user_id, category, service_code, description, lat, lng, address, street, status, case_id,
            idempotency_key, request_hash, created_at, updated_at)
          select us.ids[1 + g % ${USERS}], (${categories})[1 + g % ${REPORT_CATEGORIES.length}], (${serviceCodes})[1 + g % ${REPORT_CATEGORIES.length}],
            '基准测试举报，请勿处理', 24.85 + (random() - 0.5) * 0.6, 102.85 + (random() - 0.5) * 0.6, '基准测试地址',
            case when y < 0.03 then null else (${text(STREETS)})[1 + (g * 7) % ${STREETS.length}] end,
            case when u < 0.02 then 'submitted' when u < 0.06 then 'received' when u < 0.12 then 'rejected' when u < 0.16 then 'duplicate'
                 when u < 0.19 then 'accepted' when u < 0.27 then 'dispatched' when u < 0.34 then 'handled' when u < 0.37 then 'reopened'
                 else 'closed' end,
            case when u < 0.02 then null else 'SL-' || g end,
            'bench-staff-' || g, 'bench', created, created + (random() * 10) * interval '1 day'
          from src cross join us
          returning id, user_id, status, created_at
        ),
        dec as (
          insert into reward_decisions (report_id, user_id, outcome, amount_fen, reason, decided_at)
          select id, user_id, o, case when o = 'none' then 0 else 200 end, case o when 'held' then 'review_photo_old' when 'none' then 'rejected' else 'registered' end, created_at + interval '1 day'
          from (select ins.*, case when x < 0.005 then 'held' when x < 0.01 then 'reversed' when x < 0.10 then 'none' else 'accrued' end as o
                from (select ins.*, random() as x, random() as p from ins where status not in ('submitted', 'received')) ins where p < 0.7) d
          returning 1
        ),
        rat as (
          insert into report_ratings (report_id, user_id, round, level, comment, created_at)
          select id, user_id, 1, case when x < 0.15 then 'dissatisfied' else 'satisfied' end, case when x < 0.15 then '处理不及时' end, created_at + interval '3 days'
          from (select ins.*, random() as x, random() as p from ins where status = 'closed') r where p < 0.3
          returning 1
        )
        select (select count(*) from dec) + (select count(*) from rat) as n`);
      console.log(`seed: ${hi.toLocaleString('en')} / ${REPORTS.toLocaleString('en')} reports (chunk ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    }
    await db.execute(sql`
      insert into audit_log (actor_kind, actor_id, action, entity_type, entity_id, details, created_at)
      select 'staff', (array[gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), gen_random_uuid()])[1 + g % 5],
        (array['bench.seed', 'user.block', 'reward.review', 'stall_spot.update', 'staff.update'])[1 + g % 5], 'report', 'bench-' || g, '{}'::jsonb,
        now() - interval '365 days' + g::float / ${AUDIT} * interval '365 days'
      from generate_series(1, ${AUDIT}) g`);
    await db.execute(sql`insert into users (openid) values (${MARKER})`);
    console.log(`seed: done in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  }
  const a0 = performance.now();
  for (const table of ['reports', 'reward_decisions', 'report_ratings', 'audit_log']) await db.execute(sql.raw(`analyze ${table}`));
  const [counts] = await queryRows(
    db,
    sql`select (select count(*) from reports)::int as reports, (select count(*) from reward_decisions)::int as decisions, (select count(*) from report_ratings)::int as ratings, (select count(*) from audit_log)::int as audit`,
  );
  console.log(
    `analyze: ${((performance.now() - a0) / 1000).toFixed(1)} s; ${counts.reports.toLocaleString('en')} reports, ${counts.decisions.toLocaleString('en')} reward decisions, ${counts.ratings.toLocaleString('en')} ratings, ${counts.audit.toLocaleString('en')} audit entries`,
  );

  // A deep page: the cursor after the 900,000th newest report, as the list would hand it out.
  const [deep] = await queryRows(db, sql`select id, to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as v from reports order by created_at desc, id desc offset 900000 limit 1`);
  const deepCursor = encodeCursor('staff-reports', { field: 'createdAt', direction: 'desc' }, deep.v, deep.id);
  const [deepAudit] = await queryRows(
    db,
    sql`select id::text, to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as v from audit_log order by created_at desc, id desc offset 150000 limit 1`,
  );
  const deepAuditCursor = encodeCursor('audit-log', { field: 'createdAt', direction: 'desc' }, deepAudit.v, deepAudit.id);
  const [actor] = await queryRows(db, sql`select actor_id from audit_log where action = 'user.block' limit 1`);

  const staffRepo = staffRepository(db);
  const username = 'bench-staff-lists-admin';
  const password = 'bench-staff-lists-password';
  if (!(await staffRepo.findByUsername(username))) await createStaffAccount({ staff: staffRepo }, { username, displayName: '基准测试', password, role: 'admin' });
  await handle.close();

  const here = fileURLToPath(import.meta.url);
  const child = fork(here, ['--serve'], { env: { ...process.env, BENCH_JWT_SECRET: `bench-staff-lists-jwt-secret-${process.pid}-0123456789` }, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const { port } = await new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => reject(new Error(`BFF exited during start (${code})`)));
  });
  const base = `http://127.0.0.1:${port}/api/v1`;
  try {
    const login = await fetch(`${base}/staff/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
    if (login.status !== 200) throw new Error(`staff login ${login.status}`);
    const { token } = await login.json();
    const headers = { authorization: `Bearer ${token}` };
    const day = new Date(Date.now() - 30 * 86_400_000 + 8 * 3_600_000).toISOString().slice(0, 10);
    const street = encodeURIComponent(STREETS[4]);
    const targets = [
      ['reports: first page', '/staff/reports?limit=20'],
      ['reports: status+category+street', `/staff/reports?limit=20&status=closed&category=${REPORT_CATEGORIES[4].code}&street=${street}`],
      // The seed never puts category 3 on street 5: every matching index range is read to the end.
      ['reports: filters matching nothing', `/staff/reports?limit=20&status=received&category=${REPORT_CATEGORIES[3].code}&street=${street}`],
      ['reports: one Shanghai day', `/staff/reports?limit=20&from=${day}&to=${day}`],
      ['reports: rewardState=held', '/staff/reports?limit=20&rewardState=held'],
      ['reports: rewardState=none', '/staff/reports?limit=20&rewardState=none'],
      ['reports: hasBadRating=true', '/staff/reports?limit=20&hasBadRating=true'],
      ['reports: case number prefix', '/staff/reports?limit=20&caseNumber=SL-77777'],
      ['reports: sort=updatedAt:asc', '/staff/reports?limit=20&sort=updatedAt:asc'],
      ['reports: deep cursor (900,000th)', `/staff/reports?limit=20&cursor=${deepCursor}`],
      ['reports: map points (2,000)', `/staff/reports/map-points?limit=2000&street=${street}`],
      ['dashboard', '/staff/dashboard'],
      ['audit log: first page', '/staff/audit-log?limit=50'],
      ['audit log: by actor', `/staff/audit-log?limit=50&actorId=${actor.actor_id}`],
      ['audit log: deep cursor', `/staff/audit-log?limit=50&cursor=${deepAuditCursor}`],
    ];
    const results = [];
    for (const [label, p] of targets) {
      const t0 = performance.now();
      const res = await fetch(base + p, { headers });
      const body = await res.json();
      if (res.status !== 200) throw new Error(`${p}: ${res.status} ${JSON.stringify(body)}`);
      const single = performance.now() - t0;
      const items = body.items?.length ?? body.points?.length ?? 1;
      const load = await new Promise((resolve, reject) => autocannon({ url: base + p, connections: CONNECTIONS, duration: DURATION, headers }, (err, r) => (err ? reject(err) : resolve(r))));
      results.push({ label, items, single, load });
    }
    console.log(`\nGET through the BFF — ${CONNECTIONS} connections × ${DURATION} s per target (autocannon)`);
    console.log(`${'target'.padEnd(36)} ${'items'.padStart(6)} ${'first'.padStart(8)} ${'req/s'.padStart(7)} ${'p50'.padStart(7)} ${'p99'.padStart(7)}  errors`);
    for (const r of results) {
      console.log(
        `${r.label.padEnd(36)} ${String(r.items).padStart(6)} ${`${r.single.toFixed(0)} ms`.padStart(8)} ${r.load.requests.average.toFixed(1).padStart(7)} ${`${r.load.latency.p50} ms`.padStart(7)} ${`${r.load.latency.p99} ms`.padStart(7)}  ${r.load.errors + r.load.non2xx}`,
      );
    }
  } finally {
    child.disconnect();
    await new Promise((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', resolve)));
  }
}
