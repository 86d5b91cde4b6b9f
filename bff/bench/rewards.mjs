// 有奖举报 figures: reward decisions per second and the balance query's p99 on a ledger of 100,000
// entries. Runs on the PostgreSQL server in DATABASE_URL (a fresh schema-qualified database is best),
// or on in-memory PGlite when it is unset. Decisions go through applyCaseUpdate, exactly as a webhook would.
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { sql } = require('drizzle-orm');
const { openDatabase, queryRows } = require('../dist/db/client.js');
const { applyCaseUpdate } = require('../dist/features/reports/reports.usecases.js');
const { ledgerBalance } = require('../dist/features/rewards/ledger.js');

const ENTRIES = Number(process.env.BENCH_LEDGER_ENTRIES ?? 100_000);
const USERS = Number(process.env.BENCH_LEDGER_USERS ?? 1_000);
const DECISIONS = Number(process.env.BENCH_DECISIONS ?? 500);
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))];

const url = process.env.DATABASE_URL;
const database = await openDatabase(url ? { kind: 'postgres', url } : { kind: 'pglite-memory' });
const { db } = database;
const tag = `bench-${Date.now().toString(36)}`;

// 1. Seed: USERS residents, each with a chained ledger of ENTRIES / USERS adjustments (one INSERT … SELECT
//    per user keeps the chain valid: seq n points at seq n-1 and its running balance).
let t0 = performance.now();
const perUser = Math.floor(ENTRIES / USERS);
const users = await queryRows(db, sql`insert into users (openid) select ${tag} || '-' || g from generate_series(1, ${USERS}) g returning id`);
for (let i = 0; i < users.length; i += 50) {
  await db.execute(sql`
    insert into reward_ledger (user_id, seq, prev_seq, kind, amount_fen, prev_balance_fen, balance_fen, note)
    select u.id, s, nullif(s - 1, 0), 'adjustment', 10, (s - 1) * 10, s * 10, 'bench'
    from unnest(${`{${users
      .slice(i, i + 50)
      .map((u) => u.id)
      .join(',')}}`}::uuid[]) as u(id), generate_series(1, ${perUser}) s
    order by u.id, s`);
}
await db.execute(sql`analyze reward_ledger`);
const [{ n }] = await queryRows(db, sql`select count(*)::int as n from reward_ledger`);
console.log(`\n有奖举报 bench — ${database.driver}, ledger of ${n.toLocaleString()} entries (${USERS} users × ${perUser}), seeded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

// 2. Balance query: the newest entry's running balance, by (user_id, seq) index.
const samples = [];
for (let i = 0; i < 2_000; i += 1) {
  const user = users[Math.floor(Math.random() * users.length)].id;
  const s = performance.now();
  await ledgerBalance(db, user);
  samples.push(performance.now() - s);
}
console.log(`balance query     p50 ${pct(samples, 50).toFixed(2)} ms, p99 ${pct(samples, 99).toFixed(2)} ms (2,000 random users)`);

// 3. Decisions: DECISIONS delivered reports, each registered by a case-system update, each deciding its
//    reward (dedupe by radius and photo hash, caps, budget) and accruing in the same transaction.
const reportIds = [];
for (let i = 0; i < DECISIONS; i += 1) {
  const user = users[i % users.length].id;
  const [r] = await queryRows(
    db,
    sql`insert into reports (user_id, category, service_code, description, lat, lng, address, status, case_id, idempotency_key, request_hash)
    values (${user}, 'exposed_garbage', 'SJ-0101', 'bench report', ${20 + Math.random() * 20}, ${90 + Math.random() * 30}, 'bench', 'received', ${`${tag}-${i}`}, ${randomUUID()}, 'x') returning id`,
  );
  reportIds.push(r.id);
}
t0 = performance.now();
const each = [];
for (let i = 0; i < reportIds.length; i += 1) {
  const s = performance.now();
  await applyCaseUpdate(db, reportIds[i], {
    updateId: `${tag}-u${i}`,
    caseId: `${tag}-${i}`,
    status: 'accepted',
    note: '已立案',
    department: null,
    expectedAt: null,
    mediaUrls: [],
    updatedAt: new Date(),
  });
  each.push(performance.now() - s);
}
const seconds = (performance.now() - t0) / 1000;
const outcomes = await queryRows(
  db,
  sql`select outcome, reason, count(*)::int as n from reward_decisions where report_id in (${sql.join(
    reportIds.map((id) => sql`${id}`),
    sql`, `,
  )}) group by 1, 2 order by 3 desc`,
);
console.log(
  `reward decisions  ${(reportIds.length / seconds).toFixed(0)} /s (${reportIds.length} registrations applied one by one; p50 ${pct(each, 50).toFixed(1)} ms, p99 ${pct(each, 99).toFixed(1)} ms each, incl. timeline, milestones and notice)`,
);
console.log(`                  outcomes: ${outcomes.map((o) => `${o.outcome}/${o.reason} ${o.n}`).join(', ')}`);
await database.close();
