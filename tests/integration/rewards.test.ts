import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { DEFAULT_REWARD_RULES } from '@cityloop/shared';
import { queryRows, type Database } from '../../bff/src/db/client';
import { appendLedgerEntry, lockUserLedger } from '../../bff/src/features/rewards/ledger';
import { TestClock } from '../support/clock';
import { api, PHOTOS_DIR, startTestApp, type TestApp } from '../support/test-app';
import { decided, freshPhoto, getReport, resident, rewards, submit } from '../support/reward-moves';

describe('有奖举报: rewards, ledger, claims and appeals', () => {
  let t: TestApp;
  let staff: string;
  const db = () => t.database.db as Database;

  beforeAll(async () => {
    t = await startTestApp({ caseSystem: true, clock: new TestClock() });
    staff = await t.staffToken();
  });
  afterAll(async () => {
    await api(t.baseUrl, '/api/v1/staff/rewards/rules', { method: 'PUT', token: staff, json: DEFAULT_REWARD_RULES });
    await t.close();
  });

  const setRules = (patch: Partial<typeof DEFAULT_REWARD_RULES>) => api(t.baseUrl, '/api/v1/staff/rewards/rules', { method: 'PUT', token: staff, json: { ...DEFAULT_REWARD_RULES, ...patch } });

  it('pays the category tier once the case is registered (立案), and shows it in 我的奖励', async () => {
    const me = await resident(t);
    const { id, caseId } = await submit(t, me.token);
    expect((await getReport(t, me.token, id)).reward).toMatchObject({ state: 'pending', amountFen: 0, canAppeal: false });
    t.simulator.advance(caseId, 'register');
    const reward = await decided(t, me.token, id);
    // Credited is 已入账 (已发放 is said only of a paid claim), and the state names itself.
    expect(reward).toMatchObject({ state: 'accrued', stateName: '奖励已入账', amountFen: 200, reason: 'registered', reasonName: '已立案，奖励已入账', canAppeal: false });

    const mine = await rewards(t, me.token);
    expect(mine.balanceFen).toBe(200);
    expect(mine.totalEarnedFen).toBe(200);
    expect(mine.entries).toEqual([expect.objectContaining({ kind: 'accrual', amountFen: 200, balanceFen: 200, reportId: id, reason: 'registered', kindName: '奖励入账' })]);
    expect(mine.decisions[0]).toMatchObject({ reportId: id, state: 'accrued', categoryName: '暴露垃圾' });
    // The list shows the reward state too.
    const list = (await api(t.baseUrl, '/api/v1/me/reports', { token: me.token })).body.items;
    expect(list[0]).toMatchObject({ id, rewardState: 'accrued', rewardStateName: '奖励已入账', rewardAmountFen: 200 });
  });

  it('accrues once when the same registration arrives twice (webhook replay and polling)', async () => {
    const me = await resident(t);
    const { id, caseId } = await submit(t, me.token);
    t.simulator.advance(caseId, 'register');
    await decided(t, me.token, id);
    // Polling reads every update again; the timeline and the ledger must not grow.
    await t.pollCases();
    await t.pollCases();
    const accruals = await queryRows<{ n: number }>(db(), sql`select count(*)::int as n from reward_ledger where report_id = ${id} and kind = 'accrual'`);
    expect(accruals[0].n).toBe(1);
    expect((await rewards(t, me.token)).balanceFen).toBe(200);
    // And the database itself refuses a second accrual for the report, whatever the code does.
    await expect(
      db().transaction(async (raw) => {
        const tx = raw as unknown as Database;
        await lockUserLedger(tx, me.userId);
        await appendLedgerEntry(tx, me.userId, { kind: 'accrual', amountFen: 200, reportId: id, reason: 'registered' });
      }),
    ).rejects.toThrow();
  });

  it('gives a duplicate "重复举报, no reward", lets the resident appeal once, and staff uphold it with an audit entry', async () => {
    const first = await resident(t);
    const second = await resident(t);
    const a = await submit(t, first.token, { category: 'street_vending' });
    // 30 m away, same category, inside the 80 m radius and the 72 h window.
    const b = await submit(t, second.token, { category: 'street_vending', spot: { lat: a.spot.lat + 0.00027, lng: a.spot.lng } });
    t.simulator.advance(a.caseId, 'register');
    t.simulator.advance(b.caseId, 'register');
    expect(await decided(t, first.token, a.id)).toMatchObject({ state: 'accrued' });
    const dup = await decided(t, second.token, b.id);
    expect(dup).toMatchObject({ state: 'none', amountFen: 0, reason: 'duplicate', canAppeal: true });
    expect(dup.reasonName).toContain('重复举报');

    const tooShort = await api(t.baseUrl, `/api/v1/reports/${b.id}/reward-appeal`, { token: second.token, json: { reason: '我' } });
    expect(tooShort.status).toBe(400);
    // Someone else's report: the same 404 as a missing one.
    expect((await api(t.baseUrl, `/api/v1/reports/${b.id}/reward-appeal`, { token: first.token, json: { reason: '这是我先发现的问题' } })).status).toBe(404);
    const appeal = await api(t.baseUrl, `/api/v1/reports/${b.id}/reward-appeal`, { token: second.token, json: { reason: '我拍的是马路对面另一个摊位，不是同一个问题' } });
    expect(appeal.status).toBe(201);
    expect(appeal.body.reward).toMatchObject({ canAppeal: false, appeal: { status: 'pending' } });
    const again = await api(t.baseUrl, `/api/v1/reports/${b.id}/reward-appeal`, { token: second.token, json: { reason: '再申诉一次试试看' } });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('REWARD_APPEAL_EXISTS');

    const queue = await api(t.baseUrl, '/api/v1/staff/rewards/review', { token: staff });
    const item = queue.body.appeals.find((x: { reportId: string }) => x.reportId === b.id);
    expect(item).toMatchObject({ decision: { outcome: 'none', reason: 'duplicate' } });
    expect((await api(t.baseUrl, '/api/v1/staff/rewards/review', { token: second.token })).status).toBe(401);

    const upheld = await api(t.baseUrl, `/api/v1/staff/rewards/appeals/${item.id}/decision`, { token: staff, json: { approve: true, note: '核实为两个不同摊位' } });
    expect(upheld.status).toBe(200);
    expect(upheld.body.reward).toMatchObject({ state: 'accrued', amountFen: 200, reason: 'appeal_upheld', appeal: { status: 'upheld' } });
    expect((await rewards(t, second.token)).balanceFen).toBe(200);
    const twice = await api(t.baseUrl, `/api/v1/staff/rewards/appeals/${item.id}/decision`, { token: staff, json: { approve: true, note: '再次' } });
    expect(twice.body.error.code).toBe('REVIEW_ALREADY_DECIDED');
    const audit = await queryRows<{ action: string }>(db(), sql`select action from audit_log where entity_id = ${b.id} order by id`);
    expect(audit.map((r) => r.action)).toEqual(['reward_appeal.file', 'reward_appeal.uphold']);
  });

  it('pays nothing for a refused or merged case, and says why', async () => {
    const me = await resident(t);
    const refused = await submit(t, me.token);
    t.simulator.advance(refused.caseId, 'reject', { reason: '不属于城市管理职责范围' });
    expect(await decided(t, me.token, refused.id)).toMatchObject({ state: 'none', reason: 'not_registered' });

    const earlier = await submit(t, me.token);
    const merged = await submit(t, me.token);
    t.simulator.advance(merged.caseId, 'merge', { into: earlier.caseId });
    const reward = await decided(t, me.token, merged.id);
    expect(reward).toMatchObject({ state: 'none', reason: 'duplicate_in_case_system', canAppeal: true });
    expect(reward.reasonName).toContain('重复举报');
  });

  it('excludes residents staff mark as full-time inspectors', async () => {
    const inspector = await resident(t);
    const marked = await api(t.baseUrl, `/api/v1/staff/users/${inspector.userId}/reward-exclusion`, { method: 'PUT', token: staff, json: { exclusion: 'inspector' } });
    expect(marked.status).toBe(200);
    expect((await api(t.baseUrl, `/api/v1/staff/users/${inspector.userId}/reward-exclusion`, { method: 'PUT', token: staff, json: { exclusion: 'boss' } })).status).toBe(400);
    const { id, caseId } = await submit(t, inspector.token);
    t.simulator.advance(caseId, 'register');
    expect(await decided(t, inspector.token, id)).toMatchObject({ state: 'none', reason: 'excluded_inspector' });
  });

  it('holds a reward for review when the photo was taken long ago, and pays it when staff approve', async () => {
    const me = await resident(t);
    // A 2008 camera file: its EXIF capture time is years before the report.
    const { id, caseId } = await submit(t, me.token, { photo: fs.readFileSync(path.join(PHOTOS_DIR, 'Canon_40D.jpg')) });
    t.simulator.advance(caseId, 'register');
    const held = await decided(t, me.token, id);
    expect(held).toMatchObject({ state: 'held', amountFen: 200, reason: 'review_photo_old', canAppeal: true });
    expect((await rewards(t, me.token)).balanceFen).toBe(0);

    const queue = await api(t.baseUrl, '/api/v1/staff/rewards/review', { token: staff });
    expect(queue.body.held.some((h: { reportId: string }) => h.reportId === id)).toBe(true);
    expect((await api(t.baseUrl, `/api/v1/staff/rewards/held/${id}/decision`, { token: staff, json: { approve: 'yes', note: 'x' } })).status).toBe(400);
    const approved = await api(t.baseUrl, `/api/v1/staff/rewards/held/${id}/decision`, { token: staff, json: { approve: true, note: '现场核实问题存在' } });
    expect(approved.body.reward).toMatchObject({ state: 'accrued', amountFen: 200, reason: 'approved_on_review' });
    expect((await rewards(t, me.token)).balanceFen).toBe(200);
  });

  it('holds a reward when the same photo was used on an earlier report', async () => {
    const me = await resident(t);
    const photo = await freshPhoto();
    const a = await submit(t, me.token, { photo });
    const b = await submit(t, me.token, { photo, category: 'illegal_parking' });
    t.simulator.advance(a.caseId, 'register');
    t.simulator.advance(b.caseId, 'register');
    expect(await decided(t, me.token, a.id)).toMatchObject({ state: 'accrued' });
    expect(await decided(t, me.token, b.id)).toMatchObject({ state: 'held', reason: 'review_photo_reused' });
    // The review queue names the earlier report, so the reviewer can put the two photos side by side.
    const queue = await api(t.baseUrl, '/api/v1/staff/rewards/review', { token: staff });
    const held = queue.body.held.find((h: { reportId: string }) => h.reportId === b.id);
    expect(held.facts.photos).toEqual([expect.objectContaining({ seenOnEarlierReport: true, earlierReportId: a.id })]);
  });

  it('applies the daily cap and the monthly budget pool, all or nothing', async () => {
    const me = await resident(t);
    expect((await setRules({ dailyCapFen: 300 })).status).toBe(200);
    const a = await submit(t, me.token);
    const b = await submit(t, me.token);
    t.simulator.advance(a.caseId, 'register');
    expect(await decided(t, me.token, a.id)).toMatchObject({ state: 'accrued', amountFen: 200 });
    t.simulator.advance(b.caseId, 'register');
    expect(await decided(t, me.token, b.id)).toMatchObject({ state: 'none', reason: 'daily_cap_reached' });

    const [used] = await queryRows<{ fen: string }>(
      db(),
      sql`select coalesce(sum(amount_fen), 0) as fen from reward_ledger where kind in ('accrual', 'reversal') and created_at >= date_trunc('month', now() at time zone 'Asia/Shanghai') at time zone 'Asia/Shanghai'`,
    );
    expect((await setRules({ monthlyBudgetFen: Number(used.fen) + 100 })).status).toBe(200);
    const other = await resident(t);
    const c = await submit(t, other.token);
    t.simulator.advance(c.caseId, 'register');
    expect(await decided(t, other.token, c.id)).toMatchObject({ state: 'none', reason: 'budget_spent' });
    expect((await setRules({})).status).toBe(200);
  });

  it('validates the rules staff edit', async () => {
    for (const bad of [{ dailyCapFen: -1 }, { amountsFen: { routine: 1.5, standard: 2000, major: 100000 } }, { claimMinFen: 5000, claimMaxFen: 100 }, { surprise: 1 }]) {
      const res = await api(t.baseUrl, '/api/v1/staff/rewards/rules', { method: 'PUT', token: staff, json: { ...DEFAULT_REWARD_RULES, ...bad } });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
    }
    const me = await resident(t);
    expect((await api(t.baseUrl, '/api/v1/staff/rewards/rules', { method: 'PUT', token: me.token, json: DEFAULT_REWARD_RULES })).status).toBe(401);
  });

  it("gives staff the month's figures: budget used, by category, opt-in masked top reporters, appeals backlog", async () => {
    const me = await resident(t);
    expect((await api(t.baseUrl, '/api/v1/me/rewards/leaderboard', { method: 'PUT', token: me.token, json: { optIn: 'yes' } })).status).toBe(400);
    expect((await api(t.baseUrl, '/api/v1/me/rewards/leaderboard', { method: 'PUT', token: me.token, json: { optIn: true } })).body).toEqual({ leaderboardOptIn: true });
    const { id, caseId } = await submit(t, me.token, { category: 'manhole_cover' });
    t.simulator.advance(caseId, 'register');
    expect(await decided(t, me.token, id)).toMatchObject({ state: 'accrued', amountFen: 2000 });
    const res = await api(t.baseUrl, '/api/v1/staff/rewards/figures', { token: staff });
    expect(res.status).toBe(200);
    const f = res.body.figures;
    expect(f.budgetFen).toBe(DEFAULT_REWARD_RULES.monthlyBudgetFen);
    expect(f.budgetUsedFen).toBeGreaterThanOrEqual(2000);
    expect(f.byCategory.find((c: { category: string }) => c.category === 'manhole_cover').amountFen).toBeGreaterThanOrEqual(2000);
    expect(f.topReporters.some((r: { name: string }) => r.name.startsWith('市民'))).toBe(true);
    expect(JSON.stringify(f)).not.toContain(me.userId);
    expect(f.backlog).toEqual(expect.objectContaining({ pendingAppeals: expect.any(Number), heldRewards: expect.any(Number) }));
    expect((await api(t.baseUrl, '/api/v1/staff/rewards/figures?month=2026-13', { token: staff })).status).toBe(400);
  });
});
