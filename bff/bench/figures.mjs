// Figures (响应率, 处置率, 结案率, 满意率) at scale: BENCH_REPORTS reports (1,000,000 unless set; the issue's
// other size is 10,000,000) over 12 months and ~0.3 ratings a report on a PostgreSQL server, then:
// - every period (one month, 366 days) × grouping (total, street, category, department, month): the
//   definition query read straight off the reports (what the figures cost before the rollup), timed once,
//   and its answer compared with the rollup's (the bench fails on any difference; BENCH_COMPARE=0 skips);
// - p50/p99 and req/s of the same figures and the public scorecard through the built BFF;
// - EXPLAIN ANALYZE of the rollup query for one year by category.
//
// DATABASE_URL must name a PostgreSQL server database (PGlite cannot hold a million reports sensibly);
// use one set aside for benchmarks, one per size: the seed stays there, so the next run skips straight to
// measuring. The seed is idempotent: a marker row says it completed; a half-done seed goes on where it stopped.
// It runs with the figures triggers disabled and rebuilds the rollup once at the end (report_figures_rebuild).
import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { serveBenchApp } from './serve-app.mjs';

const require = createRequire(import.meta.url);
const url = process.env.DATABASE_URL;
if (!url) {
  console.log('figures bench skipped: set DATABASE_URL to a PostgreSQL server database set aside for benchmarks (1,000,000 reports are seeded there once; PGlite cannot hold them sensibly)');
  process.exit(0);
}

const { openDatabase } = require('../dist/db/client.js');

// --serve: the child process that runs the BFF app (no background jobs), so the load generator
// below does not share its event loop.
if (process.argv[2] === '--serve') {
  await serveBenchApp(url, 'figures');
} else {
  await main();
}

async function main() {
  const autocannon = require('autocannon');
  const { sql } = require('drizzle-orm');
  const { REPORT_CATEGORIES } = require('@cityloop/shared');
  const { queryRows } = require('../dist/db/client.js');
  const { figureCountsSql, figuresSql } = require('../dist/features/figures/figures.repository.js');
  const { staffRepository } = require('../dist/features/staff/staff.repository.js');
  const { createStaffAccount } = require('../dist/features/staff/staff.usecases.js');

  const REPORTS = Number(process.env.BENCH_REPORTS ?? 1_000_000);
  const COMPARE = process.env.BENCH_COMPARE !== '0';
  const CHUNK = 100_000;
  const USERS = 1000;
  const MARKER = `bench-figures-seeded-${REPORTS}`;
  const STREETS = Array.from({ length: 30 }, (_, i) => `示范街道${String(i + 1).padStart(2, '0')}`);
  const DEPARTMENTS = [
    '市容环境卫生管理处',
    '市政设施管理处',
    '园林绿化管理处',
    '路灯管理所',
    '城管执法一中队',
    '城管执法二中队',
    '城管执法三中队',
    '渣土管理科',
    '广告招牌管理科',
    '排水管理所',
    '交通设施管理所',
    '房屋安全管理所',
  ];
  const DURATION = Number(process.env.BENCH_SECONDS ?? 10);
  const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 4);

  const handle = await openDatabase({ kind: 'postgres', url }); // applies the migrations
  const db = handle.db;
  const [{ server_version: version }] = await queryRows(db, sql`show server_version`);
  console.log(`\nFigures bench — PostgreSQL ${version}, node ${process.version}, ${os.cpus().length} cores`);

  // 1. Seed (once).
  const seeded = (await queryRows(db, sql`select 1 from users where openid = ${MARKER}`)).length > 0;
  if (seeded) {
    console.log(`seed: already there (marker ${MARKER}), skipped`);
  } else {
    const started = performance.now();
    // Row by row, the triggers would be most of the seed's time: off for the seed, one rebuild after.
    await db.execute(sql`alter table reports disable trigger user`);
    await db.execute(sql`alter table report_ratings disable trigger user`);
    const benchUsers = sql`(select id from users where openid like 'bench-figures-user-%')`;
    // Each chunk is one statement: an interrupted seed left whole chunks, and goes on after them.
    const [{ n: done }] = await queryRows(db, sql`select count(*)::int as n from reports where user_id in ${benchUsers}`);
    if (done % CHUNK !== 0 || done > REPORTS) {
      console.log(`seed: clearing ${done} reports of an unfinished seed`);
      await db.execute(sql`delete from report_ratings where report_id in (select id from reports where user_id in ${benchUsers})`);
      await db.execute(sql`delete from reports where user_id in ${benchUsers}`);
    } else if (done > 0) {
      console.log(`seed: going on after the ${done.toLocaleString('en')} reports of an unfinished seed`);
    }
    const first = done % CHUNK === 0 && done <= REPORTS ? done + 1 : 1;
    await db.execute(sql`insert into users (openid) select 'bench-figures-user-' || g from generate_series(1, ${USERS}) g on conflict (openid) do nothing`);
    const text = (xs) =>
      sql`array[${sql.join(
        xs.map((x) => sql`${x}`),
        sql`, `,
      )}]::text[]`;
    const categories = text(REPORT_CATEGORIES.map((c) => c.code));
    const serviceCodes = text(REPORT_CATEGORIES.map((c) => c.serviceCode));
    let ratings = 0;
    for (let lo = first; lo <= REPORTS; lo += CHUNK) {
      const hi = Math.min(REPORTS, lo + CHUNK - 1);
      const t0 = performance.now();
      // Status mix: 2% not yet delivered, 4% received, 6% 不予立案, 4% merged, 3% accepted, 8% dispatched,
      // 7% handled, 3% reopened, 63% closed. First decision 0–48 h after submission (≈71% within 24 h).
      // About 43% of closed or reopened reports are rated (~285k round 1); a third of the bad ratings on
      // closed reports get a round 2 after rework (~15k); ~2% of all ratings are excluded by an appeal.
      const [{ r1, r2 }] = await queryRows(
        db,
        sql`
        with us as (select array_agg(id order by openid) as ids from users where openid like 'bench-figures-user-%'),
        src as (
          select g, random() as u, random() as v, random() as y, random() as h,
            -- Submission times rise with g (as rows arrive in time order), over the 365 days to now.
            now() - interval '365 days' + (g - 1 + random()) / ${REPORTS} * interval '365 days' as created
          from generate_series(${lo}::int, ${hi}::int) g
        ),
        shaped as (
          select *,
            case when u < 0.02 then 'submitted' when u < 0.06 then 'received' when u < 0.12 then 'rejected' when u < 0.16 then 'duplicate'
                 when u < 0.19 then 'accepted' when u < 0.27 then 'dispatched' when u < 0.34 then 'handled' when u < 0.37 then 'reopened'
                 else 'closed' end as status,
            created + v * v * interval '48 hours' as decided
          from src
        ),
        ins as (
          insert into reports (user_id, category, service_code, description, lat, lng, address, street, status, case_id, department,
            responded_at, registered_at, dispatched_at, handled_at, closed_at, idempotency_key, request_hash, created_at, updated_at)
          select us.ids[1 + g % ${USERS}], (${categories})[1 + g % ${REPORT_CATEGORIES.length}], (${serviceCodes})[1 + g % ${REPORT_CATEGORIES.length}],
            '基准测试举报，请勿处理', 24.85 + (random() - 0.5) * 0.6, 102.85 + (random() - 0.5) * 0.6, '基准测试地址',
            case when y < 0.03 then null else (${text(STREETS)})[1 + (g * 7) % ${STREETS.length}] end,
            status,
            case when status = 'submitted' then null else 'BF-' || g end,
            case when status in ('dispatched', 'handled', 'reopened', 'closed') then (${text(DEPARTMENTS)})[1 + (g * 13) % ${DEPARTMENTS.length}] end,
            case when status not in ('submitted', 'received') then decided end,
            case when status not in ('submitted', 'received', 'rejected', 'duplicate') then decided end,
            case when status in ('dispatched', 'handled', 'reopened', 'closed') then decided + interval '4 hours' end,
            case when status in ('handled', 'reopened') or (status = 'closed' and h < 0.95) then decided + (1 + h * 4) * interval '1 day' end,
            case when status in ('reopened', 'closed') then decided + (2 + h * 4) * interval '1 day' end,
            'bench-figures-' || g, 'bench', created, created
          from shaped cross join us
          returning id, user_id, status, closed_at
        ),
        rate1 as (
          select id, user_id, status, closed_at,
            case when x < 0.45 then 'very_satisfied' when x < 0.70 then 'satisfied' when x < 0.85 then 'basically_satisfied'
                 when x < 0.95 then 'dissatisfied' else 'very_dissatisfied' end as level
          from (select ins.*, random() as p, random() as x from ins where status in ('closed', 'reopened')) s
          where p < 0.43
        ),
        r1 as (
          insert into report_ratings (report_id, user_id, round, level, comment, excluded_at, created_at)
          select id, user_id, 1, level, case when level in ('dissatisfied', 'very_dissatisfied') then '处理不及时，问题没有解决' end,
            case when random() < 0.02 then closed_at + interval '5 days' end, closed_at + interval '1 day'
          from rate1
          returning report_id
        ),
        r2 as (
          insert into report_ratings (report_id, user_id, round, level, comment, excluded_at, created_at)
          select id, user_id, 2, case when random() < 0.7 then 'satisfied' else 'dissatisfied' end, '返工后复查', 
            case when random() < 0.02 then closed_at + interval '5 days' end, closed_at + interval '2 days'
          from rate1
          where status = 'closed' and level in ('dissatisfied', 'very_dissatisfied') and random() < 0.35
          returning report_id
        )
        select (select count(*) from r1)::int as r1, (select count(*) from r2)::int as r2`,
      );
      ratings += r1 + r2;
      console.log(`seed: ${hi.toLocaleString('en')} / ${REPORTS.toLocaleString('en')} reports, ${ratings.toLocaleString('en')} ratings (chunk ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    }
    await db.execute(sql`alter table reports enable trigger user`);
    await db.execute(sql`alter table report_ratings enable trigger user`);
    const r0 = performance.now();
    await db.execute(sql`select report_figures_rebuild()`);
    console.log(`seed: rollup rebuilt in ${((performance.now() - r0) / 1000).toFixed(1)} s`);
    await db.execute(sql`insert into users (openid) values (${MARKER})`);
    console.log(`seed: done in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  }
  const a0 = performance.now();
  await db.execute(sql`analyze reports`);
  await db.execute(sql`analyze report_ratings`);
  await db.execute(sql`analyze report_figures_daily`);
  const [counts] = await queryRows(
    db,
    sql`select (select count(*) from reports)::int as reports, (select count(*) from report_ratings)::int as ratings, (select count(*) from report_figures_daily)::int as rollup`,
  );
  console.log(
    `analyze: ${((performance.now() - a0) / 1000).toFixed(1)} s; the database holds ${counts.reports.toLocaleString('en')} reports, ${counts.ratings.toLocaleString('en')} ratings, ${counts.rollup.toLocaleString('en')} rollup rows`,
  );

  // 2. Periods: the last full Shanghai month, and the 366 days up to today.
  const shanghaiDay = (d) => new Date(d.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
  const today = shanghaiDay(new Date());
  const [ty, tm] = today.split('-').map(Number);
  const lastMonthStart = new Date(Date.UTC(ty, tm - 2, 1));
  const month = lastMonthStart.toISOString().slice(0, 7);
  const monthFrom = `${month}-01`;
  const monthTo = new Date(Date.UTC(ty, tm - 1, 0)).toISOString().slice(0, 10);
  const yearFrom = new Date(Date.UTC(ty, tm - 1, Number(today.slice(8, 10)) - 365)).toISOString().slice(0, 10);

  // 3. Each period × grouping: the definition (read off the reports, JIT off as the repository ran it)
  // timed once, and compared with the rollup's answer.
  const shanghaiStart = (day) => new Date(`${day}T00:00:00+08:00`);
  const nextDay = (day) => new Date(shanghaiStart(day).getTime() + 86_400_000);
  const PERIODS = [
    { label: 'one month', from: monthFrom, to: monthTo },
    { label: '366 days', from: yearFrom, to: today },
  ];
  const GROUPINGS = [null, 'street', 'category', 'department', 'month'];
  const sorted = (rows) => rows.map((r) => JSON.stringify(r)).sort();
  const inTx = (query) =>
    db.transaction(async (tx) => {
      await tx.execute(sql`set local jit = off`);
      return queryRows(tx, query);
    });
  const definitionMs = new Map();
  if (COMPARE) {
    console.log('\nThe definition read off the reports (before the rollup) vs the rollup, each run once, answers compared');
    for (const period of PERIODS) {
      for (const groupBy of GROUPINGS) {
        const filter = { start: shanghaiStart(period.from), end: nextDay(period.to) };
        const dims = groupBy ? [groupBy] : [];
        const t0 = performance.now();
        const before = await inTx(figureCountsSql(filter, dims));
        const t1 = performance.now();
        const after = await inTx(figuresSql(filter, dims));
        const t2 = performance.now();
        const same = JSON.stringify(sorted(before)) === JSON.stringify(sorted(after));
        definitionMs.set(`${period.label}/${groupBy ?? 'total'}`, t1 - t0);
        console.log(
          `  ${`${period.label}, ${groupBy ?? 'total'}`.padEnd(26)} definition ${`${(t1 - t0).toFixed(0)} ms`.padStart(9)}   rollup ${`${(t2 - t1).toFixed(1)} ms`.padStart(9)}   ${before.length} rows ${same ? 'equal' : 'DIFFERENT'}`,
        );
        if (!same) throw new Error(`rollup differs from the definition for ${period.label} by ${groupBy ?? 'total'}`);
      }
    }
  }
  const explainFilter = { start: shanghaiStart(yearFrom), end: nextDay(today) };
  const plan = await queryRows(db, sql`explain (analyze, buffers) ${figuresSql(explainFilter, ['category'])}`);
  console.log(`\nEXPLAIN ANALYZE — rollup, ${yearFrom} .. ${today} by category`);
  for (const row of plan) console.log(`  ${row['QUERY PLAN']}`);

  // 4. The BFF under load.
  const staffRepo = staffRepository(db);
  const username = 'bench-figures-staff';
  const password = 'bench-figures-password';
  if (!(await staffRepo.findByUsername(username))) await createStaffAccount({ staff: staffRepo }, { username, displayName: '基准测试', password, role: 'viewer' });
  await handle.close();

  const here = fileURLToPath(import.meta.url);
  const child = fork(here, ['--serve'], { env: { ...process.env, BENCH_JWT_SECRET: `bench-figures-jwt-secret-${process.pid}-0123456789` }, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const { port } = await new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => reject(new Error(`BFF exited during start (${code})`)));
  });
  const base = `http://127.0.0.1:${port}/api/v1`;
  try {
    const login = await fetch(`${base}/staff/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
    if (login.status !== 200) throw new Error(`staff login ${login.status}`);
    const { token } = await login.json();
    const auth = { authorization: `Bearer ${token}` };

    const targets = [];
    for (const period of PERIODS) {
      for (const groupBy of GROUPINGS) {
        targets.push({
          label: `${period.label}, ${groupBy ?? 'total'}`,
          key: `${period.label}/${groupBy ?? 'total'}`,
          path: `/staff/figures?from=${period.from}&to=${period.to}${groupBy ? `&groupBy=${groupBy}` : ''}`,
          headers: auth,
        });
      }
    }
    targets.push({ label: `public scorecard ${month} (memoised)`, path: `/public/scorecard?month=${month}`, headers: {} });
    const results = [];
    for (const target of targets) {
      const t0 = performance.now();
      const res = await fetch(base + target.path, { headers: target.headers });
      const body = await res.json();
      if (res.status !== 200) throw new Error(`${target.path}: ${res.status} ${JSON.stringify(body)}`);
      const single = performance.now() - t0;
      const total = body.total ?? body.scorecard.total;
      const load = await new Promise((resolve, reject) =>
        autocannon({ url: base + target.path, connections: CONNECTIONS, duration: DURATION, headers: target.headers }, (err, r) => (err ? reject(err) : resolve(r))),
      );
      results.push({ ...target, reports: total.reports, single, load });
    }
    console.log(`\nGET through the BFF — ${CONNECTIONS} connections × ${DURATION} s per target (autocannon)`);
    console.log(`${'target'.padEnd(36)} ${'reports'.padStart(10)} ${'before'.padStart(9)} ${'first'.padStart(8)} ${'req/s'.padStart(7)} ${'p50'.padStart(7)} ${'p99'.padStart(7)}  errors`);
    for (const r of results) {
      console.log(
        `${r.label.padEnd(36)} ${r.reports.toLocaleString('en').padStart(10)} ${(definitionMs.has(r.key) ? `${definitionMs.get(r.key).toFixed(0)} ms` : '').padStart(9)} ${`${r.single.toFixed(0)} ms`.padStart(8)} ${r.load.requests.average.toFixed(1).padStart(7)} ${`${r.load.latency.p50} ms`.padStart(7)} ${`${r.load.latency.p99} ms`.padStart(7)}  ${r.load.errors + r.load.non2xx}`,
      );
    }
  } finally {
    child.disconnect();
    await new Promise((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', resolve)));
  }
}
