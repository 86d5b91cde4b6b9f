import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { sql } from 'drizzle-orm';
import { DEFAULT_REWARD_RULES } from '@cityloop/shared';
import { queryRows, type Database } from '../../bff/src/db/client';
import { appendLedgerEntry, lockUserLedger } from '../../bff/src/features/rewards/ledger';
import { TestClock } from '../support/clock';
import { api, loginResident, PHOTOS_DIR, startTestApp, uniqueName, uploadPhoto, waitFor, type TestApp } from '../support/test-app';

/** A JPEG of random noise: every call gives a different picture (and dHash), with no EXIF at all. */
async function freshPhoto(): Promise<Buffer> {
  const raw = Buffer.alloc(48 * 48 * 3);
  for (let i = 0; i < raw.length; i += 1) raw[i] = Math.floor(Math.random() * 256);
  return sharp(raw, { raw: { width: 48, height: 48, channels: 3 } })
    .resize(320, 320, { kernel: 'nearest' })
    .jpeg()
    .toBuffer();
}

/** A position nobody else in this run (or earlier runs on a shared database) is near. */
const remoteSpot = () => ({ lat: 30 + Math.random() * 10, lng: 80 + Math.random() * 20 });

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

  async function resident() {
    const name = uniqueName('citizen');
    return { ...(await loginResident(t.baseUrl, name)), name };
  }

  async function submit(token: string, opts: { category?: string; spot?: { lat: number; lng: number }; photo?: Buffer } = {}) {
    const photo = await uploadPhoto(t.baseUrl, token, opts.photo ?? (await freshPhoto()));
    expect(photo.status).toBe(201);
    const spot = opts.spot ?? remoteSpot();
    const body = {
      category: opts.category ?? 'exposed_garbage',
      description: '路边堆了很多生活垃圾，已经好几天没人清理',
      location: { ...spot, coordSystem: 'wgs84' },
      address: '测试路 8 号门口',
      photoIds: [photo.body.id],
    };
    const res = await api(t.baseUrl, '/api/v1/reports?coordSystem=wgs84', { json: body, token, headers: { 'idempotency-key': uniqueName('key') } });
    expect(res.status).toBe(201);
    await t.delivery.drain();
    const report = await getReport(token, res.body.report.id);
    expect(report.caseNumber).toBeTruthy();
    return { id: report.id as string, caseId: report.caseNumber as string, spot };
  }

  const getReport = async (token: string, id: string) => (await api(t.baseUrl, `/api/v1/reports/${id}?coordSystem=wgs84`, { token })).body.report;
  /** Waits for the webhook to land and the reward to be decided. */
  const decided = (token: string, id: string) =>
    waitFor(
      async () => {
        const r = await getReport(token, id);
        return r.reward.state !== 'pending' && r.reward;
      },
      10_000,
      'reward decision',
    );
  const rewards = async (token: string) => (await api(t.baseUrl, '/api/v1/me/rewards', { token })).body;
  const setRules = (patch: Partial<typeof DEFAULT_REWARD_RULES>) => api(t.baseUrl, '/api/v1/staff/rewards/rules', { method: 'PUT', token: staff, json: { ...DEFAULT_REWARD_RULES, ...patch } });

  it('pays the category tier once the case is registered (立案), and shows it in 我的奖励', async () => {
    const me = await resident();
    const { id, caseId } = await submit(me.token);
    expect((await getReport(me.token, id)).reward).toMatchObject({ state: 'pending', amountFen: 0, canAppeal: false });
    t.simulator.advance(caseId, 'register');
    const reward = await decided(me.token, id);
    // Credited is 已入账 (已发放 is said only of a paid claim), and the state names itself.
    expect(reward).toMatchObject({ state: 'accrued', stateName: '奖励已入账', amountFen: 200, reason: 'registered', reasonName: '已立案，奖励已入账', canAppeal: false });

    const mine = await rewards(me.token);
    expect(mine.balanceFen).toBe(200);
    expect(mine.totalEarnedFen).toBe(200);
    expect(mine.entries).toEqual([expect.objectContaining({ kind: 'accrual', amountFen: 200, balanceFen: 200, reportId: id, reason: 'registered', kindName: '奖励入账' })]);
    expect(mine.decisions[0]).toMatchObject({ reportId: id, state: 'accrued', categoryName: '暴露垃圾' });
    // The list shows the reward state too.
    const list = (await api(t.baseUrl, '/api/v1/me/reports', { token: me.token })).body.items;
    expect(list[0]).toMatchObject({ id, rewardState: 'accrued', rewardStateName: '奖励已入账', rewardAmountFen: 200 });
  });

  it('accrues once when the same registration arrives twice (webhook replay and polling)', async () => {
    const me = await resident();
    const { id, caseId } = await submit(me.token);
    t.simulator.advance(caseId, 'register');
    await decided(me.token, id);
    // Polling reads every update again; the timeline and the ledger must not grow.
    await t.pollCases();
    await t.pollCases();
    const accruals = await queryRows<{ n: number }>(db(), sql`select count(*)::int as n from reward_ledger where report_id = ${id} and kind = 'accrual'`);
    expect(accruals[0].n).toBe(1);
    expect((await rewards(me.token)).balanceFen).toBe(200);
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
    const first = await resident();
    const second = await resident();
    const a = await submit(first.token, { category: 'street_vending' });
    // 30 m away, same category, inside the 80 m radius and the 72 h window.
    const b = await submit(second.token, { category: 'street_vending', spot: { lat: a.spot.lat + 0.00027, lng: a.spot.lng } });
    t.simulator.advance(a.caseId, 'register');
    t.simulator.advance(b.caseId, 'register');
    expect(await decided(first.token, a.id)).toMatchObject({ state: 'accrued' });
    const dup = await decided(second.token, b.id);
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
    expect((await rewards(second.token)).balanceFen).toBe(200);
    const twice = await api(t.baseUrl, `/api/v1/staff/rewards/appeals/${item.id}/decision`, { token: staff, json: { approve: true, note: '再次' } });
    expect(twice.body.error.code).toBe('REVIEW_ALREADY_DECIDED');
    const audit = await queryRows<{ action: string }>(db(), sql`select action from audit_log where entity_id = ${b.id} order by id`);
    expect(audit.map((r) => r.action)).toEqual(['reward_appeal.file', 'reward_appeal.uphold']);
  });

  it('pays nothing for a refused or merged case, and says why', async () => {
    const me = await resident();
    const refused = await submit(me.token);
    t.simulator.advance(refused.caseId, 'reject', { reason: '不属于城市管理职责范围' });
    expect(await decided(me.token, refused.id)).toMatchObject({ state: 'none', reason: 'not_registered' });

    const earlier = await submit(me.token);
    const merged = await submit(me.token);
    t.simulator.advance(merged.caseId, 'merge', { into: earlier.caseId });
    const reward = await decided(me.token, merged.id);
    expect(reward).toMatchObject({ state: 'none', reason: 'duplicate_in_case_system', canAppeal: true });
    expect(reward.reasonName).toContain('重复举报');
  });

  it('excludes residents staff mark as full-time inspectors', async () => {
    const inspector = await resident();
    const marked = await api(t.baseUrl, `/api/v1/staff/users/${inspector.userId}/reward-exclusion`, { method: 'PUT', token: staff, json: { exclusion: 'inspector' } });
    expect(marked.status).toBe(200);
    expect((await api(t.baseUrl, `/api/v1/staff/users/${inspector.userId}/reward-exclusion`, { method: 'PUT', token: staff, json: { exclusion: 'boss' } })).status).toBe(400);
    const { id, caseId } = await submit(inspector.token);
    t.simulator.advance(caseId, 'register');
    expect(await decided(inspector.token, id)).toMatchObject({ state: 'none', reason: 'excluded_inspector' });
  });

  it('holds a reward for review when the photo was taken long ago, and pays it when staff approve', async () => {
    const me = await resident();
    // A 2008 camera file: its EXIF capture time is years before the report.
    const { id, caseId } = await submit(me.token, { photo: fs.readFileSync(path.join(PHOTOS_DIR, 'Canon_40D.jpg')) });
    t.simulator.advance(caseId, 'register');
    const held = await decided(me.token, id);
    expect(held).toMatchObject({ state: 'held', amountFen: 200, reason: 'review_photo_old', canAppeal: true });
    expect((await rewards(me.token)).balanceFen).toBe(0);

    const queue = await api(t.baseUrl, '/api/v1/staff/rewards/review', { token: staff });
    expect(queue.body.held.some((h: { reportId: string }) => h.reportId === id)).toBe(true);
    expect((await api(t.baseUrl, `/api/v1/staff/rewards/held/${id}/decision`, { token: staff, json: { approve: 'yes', note: 'x' } })).status).toBe(400);
    const approved = await api(t.baseUrl, `/api/v1/staff/rewards/held/${id}/decision`, { token: staff, json: { approve: true, note: '现场核实问题存在' } });
    expect(approved.body.reward).toMatchObject({ state: 'accrued', amountFen: 200, reason: 'approved_on_review' });
    expect((await rewards(me.token)).balanceFen).toBe(200);
  });

  it('holds a reward when the same photo was used on an earlier report', async () => {
    const me = await resident();
    const photo = await freshPhoto();
    const a = await submit(me.token, { photo });
    const b = await submit(me.token, { photo, category: 'illegal_parking' });
    t.simulator.advance(a.caseId, 'register');
    t.simulator.advance(b.caseId, 'register');
    expect(await decided(me.token, a.id)).toMatchObject({ state: 'accrued' });
    expect(await decided(me.token, b.id)).toMatchObject({ state: 'held', reason: 'review_photo_reused' });
    // The review queue names the earlier report, so the reviewer can put the two photos side by side.
    const queue = await api(t.baseUrl, '/api/v1/staff/rewards/review', { token: staff });
    const held = queue.body.held.find((h: { reportId: string }) => h.reportId === b.id);
    expect(held.facts.photos).toEqual([expect.objectContaining({ seenOnEarlierReport: true, earlierReportId: a.id })]);
  });

  it('applies the daily cap and the monthly budget pool, all or nothing', async () => {
    const me = await resident();
    expect((await setRules({ dailyCapFen: 300 })).status).toBe(200);
    const a = await submit(me.token);
    const b = await submit(me.token);
    t.simulator.advance(a.caseId, 'register');
    expect(await decided(me.token, a.id)).toMatchObject({ state: 'accrued', amountFen: 200 });
    t.simulator.advance(b.caseId, 'register');
    expect(await decided(me.token, b.id)).toMatchObject({ state: 'none', reason: 'daily_cap_reached' });

    const [used] = await queryRows<{ fen: string }>(
      db(),
      sql`select coalesce(sum(amount_fen), 0) as fen from reward_ledger where kind in ('accrual', 'reversal') and created_at >= date_trunc('month', now() at time zone 'Asia/Shanghai') at time zone 'Asia/Shanghai'`,
    );
    expect((await setRules({ monthlyBudgetFen: Number(used.fen) + 100 })).status).toBe(200);
    const other = await resident();
    const c = await submit(other.token);
    t.simulator.advance(c.caseId, 'register');
    expect(await decided(other.token, c.id)).toMatchObject({ state: 'none', reason: 'budget_spent' });
    expect((await setRules({})).status).toBe(200);
  });

  it('validates the rules staff edit', async () => {
    for (const bad of [{ dailyCapFen: -1 }, { amountsFen: { routine: 1.5, standard: 2000, major: 100000 } }, { claimMinFen: 5000, claimMaxFen: 100 }, { surprise: 1 }]) {
      const res = await api(t.baseUrl, '/api/v1/staff/rewards/rules', { method: 'PUT', token: staff, json: { ...DEFAULT_REWARD_RULES, ...bad } });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
    }
    const me = await resident();
    expect((await api(t.baseUrl, '/api/v1/staff/rewards/rules', { method: 'PUT', token: me.token, json: DEFAULT_REWARD_RULES })).status).toBe(401);
  });

  it("gives staff the month's figures: budget used, by category, opt-in masked top reporters, appeals backlog", async () => {
    const me = await resident();
    expect((await api(t.baseUrl, '/api/v1/me/rewards/leaderboard', { method: 'PUT', token: me.token, json: { optIn: 'yes' } })).status).toBe(400);
    expect((await api(t.baseUrl, '/api/v1/me/rewards/leaderboard', { method: 'PUT', token: me.token, json: { optIn: true } })).body).toEqual({ leaderboardOptIn: true });
    const { id, caseId } = await submit(me.token, { category: 'manhole_cover' });
    t.simulator.advance(caseId, 'register');
    expect(await decided(me.token, id)).toMatchObject({ state: 'accrued', amountFen: 2000 });
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
