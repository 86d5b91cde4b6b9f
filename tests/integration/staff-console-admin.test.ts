import { sql } from 'drizzle-orm';
import { queryRows } from '../../bff/src/db/client';
import { payoutBatches, reports, rewardClaims } from '../../bff/src/db/schema';
import { api, loginResident, stallSpotInput, startTestApp, uniqueName, type TestApp } from '../support/test-app';
import { insertTestReport, walkPages } from '../support/staff-lists';

const NO_ID = '00000000-0000-4000-8000-000000000000';

/** The console's API (issue 12): lists in one paging convention, the dashboard, the audit log, resident lookup. */
describe('staff console API: audit log, residents, payouts, passwords, stall list', () => {
  let t: TestApp;
  let admin: string;
  let reviewer: string;
  let operator: string;
  let viewer: string;
  let finance: string;
  let resident: { token: string; userId: string };

  beforeAll(async () => {
    t = await startTestApp();
    [admin, reviewer, operator, viewer, finance] = await Promise.all(['admin', 'reviewer', 'operator', 'viewer', 'finance'].map((r) => t.staffToken(r as 'admin')));
    resident = await loginResident(t.baseUrl, uniqueName('console'));
  });
  afterAll(() => t.close());

  const get = (path: string, token = admin) => api(t.baseUrl, `/api/v1${path}`, { token });

  const insertReport = (values: Partial<typeof reports.$inferInsert> & { street: string }) => insertTestReport(t, resident.userId, values);
  const walk = (path: string, limit: number, token = admin) => walkPages(t, path, limit, token);

  describe('GET /staff/audit-log', () => {
    it('is for admins only, filtered and paged, naming the staff actor', async () => {
      const target = await loginResident(t.baseUrl, uniqueName('audited'));
      for (const blocked of [true, false, true]) {
        expect((await api(t.baseUrl, `/api/v1/staff/users/${target.userId}/block`, { method: 'PUT', token: reviewer, json: { blocked, reason: blocked ? '恶意举报' : undefined } })).status).toBe(200);
      }
      const reviewerId = (await get('/staff/me', reviewer)).body.staff.id;
      const res = await get(`/staff/audit-log?entityType=user&entityId=${target.userId}`);
      expect(res.status).toBe(200);
      expect(res.body.items.map((e: { action: string }) => e.action)).toEqual(['user.block', 'user.unblock', 'user.block']);
      expect(res.body.items[0]).toEqual({
        id: expect.stringMatching(/^\d+$/),
        actorKind: 'staff',
        actorId: reviewerId,
        actorName: '测试员',
        action: 'user.block',
        entityType: 'user',
        entityId: target.userId,
        details: { reason: '恶意举报' },
        createdAt: expect.any(String),
      });
      const paged = await walk(`/staff/audit-log?entityId=${target.userId}`, 1);
      expect(paged).toEqual(res.body.items.map((e: { id: string }) => e.id));
      expect(await walk(`/staff/audit-log?entityId=${target.userId}&sort=createdAt:asc`, 2)).toEqual([...paged].reverse());
      expect((await get(`/staff/audit-log?entityId=${target.userId}&action=user.unblock`)).body.items).toHaveLength(1);
      expect((await get(`/staff/audit-log?actorId=${reviewerId}&actorKind=staff`)).body.items.length).toBeGreaterThanOrEqual(3);
      expect((await get(`/staff/audit-log?entityId=${target.userId}&to=2000-01-01`)).body.items).toEqual([]);
      for (const token of [reviewer, operator, finance, viewer]) expect((await get('/staff/audit-log', token)).body.error.code).toBe('FORBIDDEN');
      expect((await get('/staff/audit-log?actorId=nope')).body.error.code).toBe('VALIDATION_FAILED');
      expect((await get('/staff/audit-log?actorKind=robot')).body.error.code).toBe('VALIDATION_FAILED');
      expect((await get('/staff/audit-log?cursor=eyJzIjoieCJ9')).body.error.code).toBe('CURSOR_INVALID');
    });

    it('GET /staff/rewards/rules/history: the rules changes with before, after and who', async () => {
      const rules = (await get('/staff/rewards/rules')).body.rules;
      const changed = { ...rules, dailyCapFen: rules.dailyCapFen === 30_000 ? 20_000 : 30_000 };
      expect((await api(t.baseUrl, '/api/v1/staff/rewards/rules', { method: 'PUT', token: admin, json: changed })).status).toBe(200);
      const history = await get('/staff/rewards/rules/history?limit=1', finance);
      expect(history.status).toBe(200);
      expect(history.body.items[0]).toMatchObject({ changedBy: { displayName: '测试员' }, before: { dailyCapFen: rules.dailyCapFen }, after: { dailyCapFen: changed.dailyCapFen } });
      expect((await get('/staff/rewards/rules/history', operator)).status).toBe(403);
      expect((await get('/staff/rewards/rules/history?sort=changedAt:desc')).body.error.code).toBe('SORT_INVALID');
    });
  });

  describe('resident lookup', () => {
    it('GET /staff/users/{id}: what staff may see, never the openid', async () => {
      const who = await loginResident(t.baseUrl, uniqueName('lookup'));
      await t.database.db.execute(sql`update users set nickname = '张三丰' where id = ${who.userId}`);
      const report = await insertReport({ street: uniqueName('查找'), userId: who.userId, caseId: uniqueName('LK') });
      const res = await get(`/staff/users/${who.userId}`, reviewer);
      expect(res.status).toBe(200);
      expect(res.body.user).toEqual({
        id: who.userId,
        maskedNickname: '张**',
        blocked: false,
        blockedAt: null,
        blockedReason: null,
        rewardExclusion: null,
        erased: false,
        reportCount: 1,
        balanceFen: 0,
        createdAt: expect.any(String),
        lastLoginAt: expect.any(String),
      });
      const [{ openid }] = await queryRows<{ openid: string }>(t.database.db, sql`select openid from users where id = ${who.userId}`);
      expect(JSON.stringify(res.body)).not.toContain(openid);
      // Block and exclude, then the lookup shows it.
      await api(t.baseUrl, `/api/v1/staff/users/${who.userId}/block`, { method: 'PUT', token: reviewer, json: { blocked: true, reason: '恶意举报' } });
      await api(t.baseUrl, `/api/v1/staff/users/${who.userId}/reward-exclusion`, { method: 'PUT', token: reviewer, json: { exclusion: 'inspector' } });
      expect((await get(`/staff/users/${who.userId}`)).body.user).toMatchObject({ blocked: true, blockedReason: '恶意举报', rewardExclusion: 'inspector' });
      // By report or case number.
      expect((await get(`/staff/users/lookup?reportId=${report.id}`)).body.user.id).toBe(who.userId);
      expect((await get(`/staff/users/lookup?caseNumber=${report.caseId}`)).body.user.id).toBe(who.userId);
      expect((await get(`/staff/users/lookup?caseNumber=NO-SUCH-CASE`)).status).toBe(404);
      expect((await get(`/staff/users/lookup`)).body.error.code).toBe('VALIDATION_FAILED');
      expect((await get(`/staff/users/lookup?reportId=${report.id}&caseNumber=x`)).body.error.code).toBe('VALIDATION_FAILED');
      expect((await get(`/staff/users/${NO_ID}`)).status).toBe(404);
      expect((await get('/staff/users/not-an-id')).status).toBe(404);
      for (const token of [operator, finance, viewer]) expect((await get(`/staff/users/${who.userId}`, token)).status).toBe(403);
    });
  });

  describe('GET /staff/rewards/payout-batches', () => {
    it('lists batches with their creator and state, so another member can confirm', async () => {
      const me = (await get('/staff/me', finance)).body.staff;
      const made: string[] = [];
      for (const status of ['processing', 'paid'] as const) {
        const [batch] = await t.database.db.insert(payoutBatches).values({ createdBy: me.id, claimCount: 2, totalFen: 300 }).returning();
        made.push(batch.id);
        await t.database.db.insert(rewardClaims).values([
          { userId: resident.userId, amountFen: 100, method: 'manual', status, outBillNo: uniqueName('b'), batchId: batch.id, idempotencyKey: uniqueName('c'), requestHash: 'h' },
          { userId: resident.userId, amountFen: 200, method: 'manual', status: 'failed', outBillNo: uniqueName('b'), batchId: batch.id, idempotencyKey: uniqueName('c'), requestHash: 'h' },
        ]);
      }
      const res = await get('/staff/rewards/payout-batches?limit=100', finance);
      expect(res.status).toBe(200);
      const [awaiting, settled] = made.map((id) => res.body.items.find((b: { id: string }) => b.id === id));
      expect(awaiting).toEqual({
        id: made[0],
        createdBy: { id: me.id, displayName: '测试员' },
        claimCount: 2,
        totalFen: 300,
        createdAt: expect.any(String),
        state: 'awaiting_confirmation',
        claims: { processing: 1, paid: 0, failed: 1 },
      });
      expect(settled).toMatchObject({ state: 'settled', claims: { processing: 0, paid: 1, failed: 1 } });
      const onlyAwaiting = await walk('/staff/rewards/payout-batches?state=awaiting_confirmation', 1, finance);
      expect(onlyAwaiting).toContain(made[0]);
      expect(onlyAwaiting).not.toContain(made[1]);
      expect((await get('/staff/rewards/payout-batches?state=open')).status).toBe(400);
      for (const token of [reviewer, operator, viewer]) expect((await get('/staff/rewards/payout-batches', token)).status).toBe(403);
    });
  });

  describe('POST /staff/accounts/{id}/password', () => {
    it('an admin resets another member’s password (and lock); never their own; audit-logged', async () => {
      const username = uniqueName('reset').toLowerCase();
      const created = await api(t.baseUrl, '/api/v1/staff/accounts', { token: admin, json: { username, displayName: '李四', password: 'first-password-1', role: 'operator' } });
      const id = created.body.account.id;
      const reset = await api(t.baseUrl, `/api/v1/staff/accounts/${id}/password`, { token: admin, json: { newPassword: 'second-password-2' } });
      expect(reset.status).toBe(204);
      expect((await api(t.baseUrl, '/api/v1/staff/auth/login', { json: { username, password: 'first-password-1' } })).status).toBe(401);
      expect((await api(t.baseUrl, '/api/v1/staff/auth/login', { json: { username, password: 'second-password-2' } })).status).toBe(200);
      const me = (await get('/staff/me')).body.staff.id;
      expect((await api(t.baseUrl, `/api/v1/staff/accounts/${me}/password`, { token: admin, json: { newPassword: 'another-password-3' } })).status).toBe(403);
      expect((await api(t.baseUrl, `/api/v1/staff/accounts/${NO_ID}/password`, { token: admin, json: { newPassword: 'another-password-3' } })).status).toBe(404);
      expect((await api(t.baseUrl, `/api/v1/staff/accounts/${id}/password`, { token: admin, json: { newPassword: 'short' } })).body.error.code).toBe('VALIDATION_FAILED');
      expect((await api(t.baseUrl, `/api/v1/staff/accounts/${id}/password`, { token: operator, json: { newPassword: 'another-password-3' } })).status).toBe(403);
      const audit = await get(`/staff/audit-log?entityId=${id}&action=staff.password_reset`);
      expect(audit.body.items).toHaveLength(1);
      expect((await get('/staff/accounts')).body).toMatchObject({ items: expect.any(Array), nextCursor: null });
    });
  });

  describe('GET /staff/stall-spots', () => {
    it('lists every spot, suspended ones too, with followers, filtered and paged by code', async () => {
      const tag = uniqueName('SP').toUpperCase();
      const body = (i: number) => stallSpotInput({ code: `${tag}-${i}`, name: `测试夜市${i}`, district: tag });
      const ids: string[] = [];
      for (let i = 0; i < 3; i += 1) {
        const res = await api(t.baseUrl, '/api/v1/staff/stall-spots', { token: operator, json: body(i) });
        expect(res.status).toBe(201);
        ids.push(res.body.spot.id);
      }
      await api(t.baseUrl, `/api/v1/staff/stall-spots/${ids[1]}/suspend`, { token: operator, json: { reason: '道路施工' } });
      await api(t.baseUrl, `/api/v1/stall-spots/${ids[2]}/follow`, { method: 'PUT', token: resident.token });
      const list = await get(`/staff/stall-spots?district=${tag}`, operator);
      expect(list.status).toBe(200);
      expect(list.body.items.map((s: { id: string }) => s.id)).toEqual(ids);
      expect(list.body.items.map((s: { followers: number }) => s.followers)).toEqual([0, 0, 1]);
      expect(list.body.items[1]).toMatchObject({ status: 'suspended', suspension: { reason: '道路施工' }, location: { coordSystem: 'wgs84' } });
      expect(await walk(`/staff/stall-spots?district=${tag}&sort=code:desc`, 2, operator)).toEqual([...ids].reverse());
      expect(await walk(`/staff/stall-spots?district=${tag}&sort=updatedAt:asc`, 1, operator)).toHaveLength(3);
      expect((await get(`/staff/stall-spots?district=${tag}&status=suspended`, operator)).body.items.map((s: { id: string }) => s.id)).toEqual([ids[1]]);
      expect((await get(`/staff/stall-spots?q=${encodeURIComponent(`${tag}-2`)}`, operator)).body.items.map((s: { id: string }) => s.id)).toEqual([ids[2]]);
      expect((await get('/staff/stall-spots?status=closed', operator)).status).toBe(400);
      expect((await get('/staff/stall-spots?sort=name:asc', operator)).body.error.code).toBe('SORT_INVALID');
      for (const token of [reviewer, finance, viewer]) expect((await get('/staff/stall-spots', token)).status).toBe(403);
    });
  });
});
