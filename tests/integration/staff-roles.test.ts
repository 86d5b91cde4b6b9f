import { ROUTE_DOCS } from '../../bff/src/openapi/openapi';
import { STAFF_PERMISSIONS, STAFF_ROLES, type StaffPermission, type StaffRole } from '@cityloop/shared';
import { sql } from 'drizzle-orm';
import { queryRows } from '../../bff/src/db/client';
import { staffRepository } from '../../bff/src/features/staff/staff.repository';
import { createStaffAccount } from '../../bff/src/features/staff/staff.usecases';
import { api, loginResident, startTestApp, uniqueName, type TestApp } from '../support/test-app';

const NO_ID = '00000000-0000-4000-8000-000000000000';

/** Every staff route and the permission it needs. A new staff route must be added here, or the count check below fails. */
const STAFF_ROUTES: [method: string, path: string, permission: StaffPermission | 'signed-in', body?: unknown][] = [
  ['GET', '/api/v1/staff/me', 'signed-in'],
  ['GET', '/api/v1/staff/figures', 'figures.read'],
  ['GET', `/api/v1/staff/reports/${NO_ID}`, 'reports.read'],
  ['GET', '/api/v1/staff/ratings', 'ratings.read'],
  ['POST', `/api/v1/staff/ratings/${NO_ID}/follow-up`, 'ratings.follow_up', { note: '已上门核实并整改' }],
  ['POST', `/api/v1/staff/ratings/${NO_ID}/appeals`, 'ratings.appeal.file', { reason: '评价与处置无关' }],
  ['POST', `/api/v1/staff/rating-appeals/${NO_ID}/decision`, 'ratings.appeal.decide', { uphold: false, note: '维持' }],
  ['GET', '/api/v1/staff/rewards/rules', 'rewards.read'],
  ['PUT', '/api/v1/staff/rewards/rules', 'rewards.rules.edit', {}],
  ['GET', '/api/v1/staff/rewards/review', 'rewards.read'],
  ['GET', '/api/v1/staff/rewards/figures', 'rewards.read'],
  ['POST', `/api/v1/staff/rewards/held/${NO_ID}/decision`, 'rewards.review', { approve: true, note: '核实' }],
  ['POST', `/api/v1/staff/rewards/appeals/${NO_ID}/decision`, 'rewards.review', { approve: true, note: '核实' }],
  ['PUT', `/api/v1/staff/users/${NO_ID}/reward-exclusion`, 'residents.manage', { exclusion: 'inspector' }],
  ['PUT', `/api/v1/staff/users/${NO_ID}/block`, 'residents.manage', { blocked: true, reason: '恶意举报' }],
  ['POST', '/api/v1/staff/rewards/payout-batches', 'payouts.prepare'],
  ['GET', `/api/v1/staff/rewards/payout-batches/${NO_ID}/csv`, 'payouts.prepare'],
  ['POST', `/api/v1/staff/rewards/payout-batches/${NO_ID}/results`, 'payouts.confirm', { paid: [NO_ID] }],
  ['POST', '/api/v1/staff/stall-spots', 'stalls.manage', {}],
  ['PATCH', `/api/v1/staff/stall-spots/${NO_ID}`, 'stalls.manage', { name: '新名字' }],
  ['POST', `/api/v1/staff/stall-spots/${NO_ID}/suspend`, 'stalls.manage', { reason: '道路施工' }],
  ['POST', `/api/v1/staff/stall-spots/${NO_ID}/resume`, 'stalls.manage'],
  ['GET', '/api/v1/staff/accounts', 'staff.manage'],
  ['POST', '/api/v1/staff/accounts', 'staff.manage', {}],
  ['PATCH', `/api/v1/staff/accounts/${NO_ID}`, 'staff.manage', { disabled: true }],
  ['POST', `/api/v1/staff/accounts/${NO_ID}/unlock`, 'staff.manage'],
  ['POST', `/api/v1/staff/accounts/${NO_ID}/password`, 'staff.manage', { newPassword: 'a-new-password-123' }],
  ['POST', '/api/v1/staff/me/password', 'signed-in', { currentPassword: 'not-the-password', newPassword: 'a-new-password-123' }],
  ['GET', '/api/v1/staff/reports', 'reports.read'],
  ['GET', '/api/v1/staff/reports/map-points', 'reports.read'],
  ['GET', '/api/v1/staff/dashboard', 'signed-in'],
  ['GET', '/api/v1/staff/audit-log', 'audit.read'],
  ['GET', '/api/v1/staff/rewards/rules/history', 'rewards.read'],
  ['GET', `/api/v1/staff/users/${NO_ID}`, 'residents.manage'],
  ['GET', '/api/v1/staff/users/lookup?caseNumber=NO-SUCH-CASE', 'residents.manage'],
  ['GET', '/api/v1/staff/rewards/payout-batches', 'payouts.confirm'],
  ['GET', '/api/v1/staff/stall-spots', 'stalls.manage'],
  ['POST', '/api/v1/staff/stall-spots/import', 'stalls.manage', {}],
];

/** Staff routes open to anyone: the login itself. */
const STAFF_PUBLIC = ['POST /api/v1/staff/auth/login'];

describe('staff roles: one permission table, enforced on every staff route', () => {
  let t: TestApp;
  const tokens = {} as Record<StaffRole, string>;
  beforeAll(async () => {
    t = await startTestApp();
    for (const role of STAFF_ROLES) tokens[role] = await t.staffToken(role);
  });
  afterAll(() => t.close());

  it('lists every live staff route (a new one without a row here fails)', () => {
    const dispatch = t.app.middleware.find((m) => 'router' in m) as unknown as { router: { stack: { methods: string[]; path: string }[] } };
    const live = dispatch.router.stack
      .filter((l) => l.methods.length && l.path.startsWith('/api/v1/staff/'))
      .flatMap((l) => l.methods.filter((m) => m !== 'HEAD').map((m) => ({ method: m, path: l.path })))
      .filter((r) => !STAFF_PUBLIC.includes(`${r.method} ${r.path}`));
    const missing = live.filter(({ method, path }) => {
      const pattern = new RegExp(`^${path.replace(/:\w+/g, '[^/]+')}$`);
      return !STAFF_ROUTES.some(([m, p]) => m === method && pattern.test(p.split('?')[0]));
    });
    expect(missing).toEqual([]);
  });

  it('the OpenAPI document names the same permission for each staff route as the guard enforces', () => {
    const documented = (method: string, path: string) => ROUTE_DOCS.find((d) => d.method === method && new RegExp(`^/api/v1${d.path.replace(/:\w+/g, '[^/]+')}$`).test(path.split('?')[0]))?.access;
    const mismatches = STAFF_ROUTES.filter(([method, path, permission]) => documented(method, path) !== permission).map(([m, p, perm]) => `${m} ${p}: guard ${perm}, documented ${documented(m, p)}`);
    expect(mismatches).toEqual([]);
  });

  it('uses every permission of the table on some route', () => {
    const permissionsUsed = new Set(STAFF_ROUTES.map(([, , p]) => p));
    for (const permission of Object.keys(STAFF_PERMISSIONS)) expect([permission, permissionsUsed.has(permission as StaffPermission)]).toEqual([permission, true]);
  });

  // Every row gets four values: with fewer, Jest would take the fourth parameter for a done callback.
  it.each(STAFF_ROUTES.map(([method, path, permission, body]) => [method, path, permission, body ?? null] as const))('%s %s needs %s', async (method, path, permission, body) => {
    for (const role of STAFF_ROLES) {
      const allowed = permission === 'signed-in' || (STAFF_PERMISSIONS[permission] as readonly string[]).includes(role);
      const res = await api(t.baseUrl, path, { method, token: tokens[role], json: body ?? undefined });
      if (allowed) expect([role, res.status, res.body?.error?.code]).not.toEqual([role, 403, 'FORBIDDEN']);
      else expect([role, res.status, res.body?.error?.code]).toEqual([role, 403, 'FORBIDDEN']);
    }
  });

  it('an operator (the old all-powerful "staff") can no longer raise rewards or batch payouts', async () => {
    const rules = await api(t.baseUrl, '/api/v1/staff/rewards/rules', { token: tokens.admin });
    const raised = { ...rules.body.rules, tierAmountsFen: { ...rules.body.rules.tierAmountsFen, routine: 500_000 } };
    const res = await api(t.baseUrl, '/api/v1/staff/rewards/rules', { method: 'PUT', token: tokens.operator, json: raised });
    expect(res.status).toBe(403);
    expect((await api(t.baseUrl, '/api/v1/staff/rewards/payout-batches', { method: 'POST', token: tokens.operator })).status).toBe(403);
    expect((await api(t.baseUrl, '/api/v1/staff/rewards/rules', { token: tokens.admin })).body.rules).toEqual(rules.body.rules);
  });

  it('a changed role takes effect on the next request, before the token expires', async () => {
    const token = await t.staffToken('reviewer');
    const me = (await api(t.baseUrl, '/api/v1/staff/me', { token })).body.staff;
    expect((await api(t.baseUrl, '/api/v1/staff/rewards/review', { token })).status).toBe(200);
    const patched = await api(t.baseUrl, `/api/v1/staff/accounts/${me.id}`, { method: 'PATCH', token: tokens.admin, json: { role: 'viewer' } });
    expect(patched.body.account).toMatchObject({ role: 'viewer', permissions: ['figures.read'] });
    expect((await api(t.baseUrl, '/api/v1/staff/rewards/review', { token })).status).toBe(403);
  });

  it('admins create accounts, and cannot disable or demote themselves', async () => {
    const username = uniqueName('li').toLowerCase();
    const created = await api(t.baseUrl, '/api/v1/staff/accounts', { token: tokens.admin, json: { username, displayName: '李四', password: 'initial-password-1', role: 'finance' } });
    expect(created.status).toBe(201);
    expect(created.body.account).toMatchObject({ username, role: 'finance', disabled: false, lockedUntil: null });
    expect(JSON.stringify(created.body)).not.toContain('scrypt');
    expect((await api(t.baseUrl, '/api/v1/staff/accounts', { token: tokens.admin, json: { username, displayName: '', password: 'initial-password-1', role: 'finance' } })).status).toBe(409);
    const weak = await api(t.baseUrl, '/api/v1/staff/accounts', { token: tokens.admin, json: { username: uniqueName('w').toLowerCase(), password: 'short', role: 'viewer' } });
    expect(weak.status).toBe(400);
    const me = (await api(t.baseUrl, '/api/v1/staff/me', { token: tokens.admin })).body.staff;
    for (const patch of [{ disabled: true }, { role: 'viewer' }]) {
      const res = await api(t.baseUrl, `/api/v1/staff/accounts/${me.id}`, { method: 'PATCH', token: tokens.admin, json: patch });
      expect(res.status).toBe(403);
    }
    const list = await api(t.baseUrl, '/api/v1/staff/accounts', { token: tokens.admin });
    expect(list.body.items.map((a: { username: string }) => a.username)).toContain(username);
    const audit = await queryRows<{ action: string }>(t.database.db, sql`select action from audit_log where entity_id = ${created.body.account.id} order by id`);
    expect(audit.map((a) => a.action)).toEqual(['staff.create']);
  });

  it('修改密码 asks for the current password, then only the new one works', async () => {
    const username = uniqueName('pw').toLowerCase();
    await createStaffAccount({ staff: staffRepository(t.database.db) }, { username, displayName: '王五', password: 'old-password-123', role: 'viewer' });
    const token = (await api(t.baseUrl, '/api/v1/staff/auth/login', { json: { username, password: 'old-password-123' } })).body.token;
    const wrong = await api(t.baseUrl, '/api/v1/staff/me/password', { token, json: { currentPassword: 'not-my-password', newPassword: 'new-password-456' } });
    expect(wrong.status).toBe(401);
    const changed = await api(t.baseUrl, '/api/v1/staff/me/password', { token, json: { currentPassword: 'old-password-123', newPassword: 'new-password-456' } });
    expect(changed.status).toBe(204);
    expect((await api(t.baseUrl, '/api/v1/staff/auth/login', { json: { username, password: 'old-password-123' } })).status).toBe(401);
    expect((await api(t.baseUrl, '/api/v1/staff/auth/login', { json: { username, password: 'new-password-456' } })).status).toBe(200);
  });

  it('staff block and unblock a resident: writes are refused while blocked, and both are audit-logged', async () => {
    const me = await loginResident(t.baseUrl, uniqueName('blocked'));
    const block = await api(t.baseUrl, `/api/v1/staff/users/${me.userId}/block`, { method: 'PUT', token: tokens.reviewer, json: { blocked: true, reason: '多次恶意举报' } });
    expect(block.status).toBe(200);
    expect(block.body).toMatchObject({ userId: me.userId, blocked: true });
    const write = await api(t.baseUrl, '/api/v1/me/rewards/leaderboard', { method: 'PUT', token: me.token, json: { optIn: true } });
    expect(write.body.error.code).toBe('USER_BLOCKED');
    await api(t.baseUrl, `/api/v1/staff/users/${me.userId}/block`, { method: 'PUT', token: tokens.reviewer, json: { blocked: false } });
    expect((await api(t.baseUrl, '/api/v1/me/rewards/leaderboard', { method: 'PUT', token: me.token, json: { optIn: true } })).status).toBe(200);
    const audit = await queryRows<{ action: string }>(t.database.db, sql`select action from audit_log where entity_id = ${me.userId} order by id`);
    expect(audit.map((a) => a.action)).toEqual(['user.block', 'user.unblock']);
  });
});

describe('staff login abuse: per-account lockout, separate limits, the real client address', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({
      trustProxy: true,
      trustProxyHops: 1,
      rateLimit: { wechatLoginsPerMinute: 3 },
      staffLockout: { threshold: 5, minutes: 15 },
    });
  });
  afterAll(() => t.close());

  async function account() {
    const username = uniqueName('lock').toLowerCase();
    await createStaffAccount({ staff: staffRepository(t.database.db) }, { username, displayName: '赵六', password: 'right-password-1', role: 'operator' });
    return username;
  }
  const login = (username: string, password: string, forwardedFor?: string) =>
    api(t.baseUrl, '/api/v1/staff/auth/login', { json: { username, password }, headers: forwardedFor ? { 'x-forwarded-for': forwardedFor } : undefined });

  it('locks the account after 5 failures from 5 different addresses; the right password is refused too', async () => {
    const username = await account();
    const statuses: number[] = [];
    for (let i = 0; i < 5; i += 1) statuses.push((await login(username, `wrong-password-${i}`, `198.51.100.${i}`)).status);
    expect(statuses).toEqual([401, 401, 401, 401, 423]);
    const right = await login(username, 'right-password-1', '198.51.100.99');
    expect(right.status).toBe(423);
    expect(right.body.error).toMatchObject({ code: 'STAFF_ACCOUNT_LOCKED', details: { lockedUntil: expect.any(String) } });
    const audit = await queryRows<{ action: string; actor_kind: string }>(
      t.database.db,
      sql`select a.action, a.actor_kind from audit_log a join staff_accounts s on s.id::text = a.entity_id where s.username = ${username}`,
    );
    expect(audit).toEqual([{ action: 'staff.lock', actor_kind: 'system' }]);
  });

  it('parallel guesses cannot slip a right password past the lock', async () => {
    const username = await account();
    const wrong = await Promise.all(Array.from({ length: 20 }, (_, i) => login(username, `guess-${i}-wrong`)));
    expect(wrong.every((r) => r.status === 401 || r.status === 423)).toBe(true);
    const right = await Promise.all(Array.from({ length: 5 }, () => login(username, 'right-password-1')));
    expect(right.map((r) => r.status)).toEqual([423, 423, 423, 423, 423]);
  });

  it('an admin unlocks a locked account (audit-logged); a non-admin cannot', async () => {
    const username = await account();
    for (let i = 0; i < 5; i += 1) await login(username, `wrong-password-${i}`);
    const id = (await staffRepository(t.database.db).findByUsername(username))!.id;
    const operator = await t.staffToken('operator');
    expect((await api(t.baseUrl, `/api/v1/staff/accounts/${id}/unlock`, { method: 'POST', token: operator })).status).toBe(403);
    const admin = await t.staffToken('admin');
    const accounts = await api(t.baseUrl, '/api/v1/staff/accounts', { token: admin });
    expect(accounts.body.items.find((a: { id: string }) => a.id === id)).toMatchObject({ lockedUntil: expect.any(String), failedLoginCount: 5 });
    const unlocked = await api(t.baseUrl, `/api/v1/staff/accounts/${id}/unlock`, { method: 'POST', token: admin });
    expect(unlocked.body.account).toMatchObject({ lockedUntil: null, failedLoginCount: 0 });
    expect((await login(username, 'right-password-1')).status).toBe(200);
    const audit = await queryRows<{ action: string }>(t.database.db, sql`select action from audit_log where entity_id = ${id} order by id`);
    expect(audit.map((a) => a.action)).toEqual(['staff.lock', 'staff.unlock']);
  });

  it('keys the per-address limit on the address our proxy added, not on what the client wrote', async () => {
    // The client writes the first X-Forwarded-For entries; the one trusted proxy appends the real address.
    const statuses: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      const res = await api(t.baseUrl, '/api/v1/auth/wechat', { json: { code: 'not-valid' }, headers: { 'x-forwarded-for': `10.9.8.${i}, 203.0.113.7` } });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    // Another real address has its own budget.
    expect((await api(t.baseUrl, '/api/v1/auth/wechat', { json: { code: 'not-valid' }, headers: { 'x-forwarded-for': '203.0.113.8' } })).status).toBe(401);
  });

  it('WeChat logins, staff logins and resident writes each have their own limit', async () => {
    const spent = '203.0.113.50';
    for (let i = 0; i < 4; i += 1) await api(t.baseUrl, '/api/v1/auth/wechat', { json: { code: 'not-valid' }, headers: { 'x-forwarded-for': spent } });
    expect((await api(t.baseUrl, '/api/v1/auth/wechat', { json: { code: 'dev:someone' }, headers: { 'x-forwarded-for': spent } })).status).toBe(429);
    const username = await account();
    expect((await login(username, 'right-password-1', spent)).status).toBe(200);
    const resident = await loginResident(t.baseUrl, uniqueName('writer'));
    expect((await api(t.baseUrl, '/api/v1/me/rewards/leaderboard', { method: 'PUT', token: resident.token, json: { optIn: true }, headers: { 'x-forwarded-for': spent } })).status).toBe(200);
  });
});
