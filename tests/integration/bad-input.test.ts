import { api, loginResident, startTestApp, uniqueName, type TestApp } from '../support/test-app';

/**
 * Every route added for rewards, ratings and figures, fed the wrong thing: malformed ids and bodies of
 * the wrong type. Each must answer a 4xx with a stable code, never a 500.
 */
describe('bad input on the reward, rating and figures routes', () => {
  let t: TestApp;
  let resident: string;
  let staff: string;
  beforeAll(async () => {
    t = await startTestApp({});
    resident = (await loginResident(t.baseUrl, uniqueName('fuzz'))).token;
    staff = await t.staffToken();
  });
  afterAll(() => t.close());

  // 36 characters that pass a naive [0-9a-f-]{36} check but are not a UUID, and plain junk.
  const badIds = ['-'.repeat(36), 'abc', '00000000-0000-0000-0000-00000000000g'];
  const idRoutes: [string, string, 'resident' | 'staff', unknown][] = [
    ['GET', '/api/v1/reports/:id', 'resident', undefined],
    ['GET', '/api/v1/staff/reports/:id', 'staff', undefined],
    ['POST', '/api/v1/reports/:id/rating', 'resident', { level: 'satisfied' }],
    ['POST', '/api/v1/reports/:id/rework', 'resident', { reason: '问题仍在' }],
    ['POST', '/api/v1/reports/:id/fixed', 'resident', { fixed: true }],
    ['POST', '/api/v1/reports/:id/reward-appeal', 'resident', { reason: '这是我先发现的问题' }],
    ['POST', '/api/v1/staff/rewards/held/:id/decision', 'staff', { approve: true, note: 'ok' }],
    ['POST', '/api/v1/staff/rewards/appeals/:id/decision', 'staff', { approve: true, note: 'ok' }],
    ['PUT', '/api/v1/staff/users/:id/reward-exclusion', 'staff', { exclusion: 'inspector' }],
    ['GET', '/api/v1/staff/rewards/payout-batches/:id/csv', 'staff', undefined],
    ['POST', '/api/v1/staff/rewards/payout-batches/:id/results', 'staff', { paid: ['00000000-0000-4000-8000-000000000000'] }],
    ['POST', '/api/v1/staff/ratings/:id/follow-up', 'staff', { note: '已回访' }],
    ['POST', '/api/v1/staff/ratings/:id/appeals', 'staff', { reason: '恶意评价' }],
    ['POST', '/api/v1/staff/rating-appeals/:id/decision', 'staff', { uphold: true, note: 'ok' }],
  ];

  it.each(idRoutes)('%s %s with a malformed id → 404', async (method, route, who, json) => {
    for (const id of badIds) {
      const res = await api(t.baseUrl, route.replace(':id', encodeURIComponent(id)), { method, token: who === 'staff' ? staff : resident, json });
      expect([id, res.status, res.body.error?.code]).toEqual([id, 404, 'NOT_FOUND']);
    }
  });

  const bodyRoutes: [string, string, 'resident' | 'staff'][] = [
    ['POST', '/api/v1/reports/00000000-0000-4000-8000-000000000000/rating', 'resident'],
    ['POST', '/api/v1/reports/00000000-0000-4000-8000-000000000000/rework', 'resident'],
    ['POST', '/api/v1/reports/00000000-0000-4000-8000-000000000000/fixed', 'resident'],
    ['POST', '/api/v1/reports/00000000-0000-4000-8000-000000000000/reward-appeal', 'resident'],
    ['POST', '/api/v1/me/rewards/claims', 'resident'],
    ['PUT', '/api/v1/me/rewards/leaderboard', 'resident'],
    ['PUT', '/api/v1/staff/rewards/rules', 'staff'],
    ['POST', '/api/v1/staff/rewards/held/00000000-0000-4000-8000-000000000000/decision', 'staff'],
    ['POST', '/api/v1/staff/rewards/payout-batches/00000000-0000-4000-8000-000000000000/results', 'staff'],
    ['POST', '/api/v1/staff/rating-appeals/00000000-0000-4000-8000-000000000000/decision', 'staff'],
  ];

  it.each(bodyRoutes)('%s %s refuses bodies of the wrong type and oversized bodies', async (method, route, who) => {
    const token = who === 'staff' ? staff : resident;
    for (const json of [[], 'x', null, 123, {}, { level: 5, amountFen: '1', reason: 7, optIn: 'yes', approve: 1, note: [] }]) {
      const res = await api(t.baseUrl, route, { method, token, json, headers: { 'idempotency-key': uniqueName('k') } });
      expect([JSON.stringify(json), res.status < 500 && res.status >= 400, typeof res.body.error?.code]).toEqual([JSON.stringify(json), true, 'string']);
    }
    const huge = await api(t.baseUrl, route, { method, token, json: { reason: 'x'.repeat(100_000) }, headers: { 'idempotency-key': uniqueName('k') } });
    expect([huge.status, huge.body.error.code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
  });

  it('the figures and scorecard refuse malformed queries', async () => {
    for (const q of ['from=2026-02-30', 'groupBy=%00', 'from=2026-01-01&to=2025-01-01', 'x=1']) {
      const res = await api(t.baseUrl, `/api/v1/staff/figures?${q}`, { token: staff });
      expect([q, res.status]).toEqual([q, 400]);
    }
    for (const q of ['month=2026-1', 'month=abcd-ef', 'month=2999-01']) expect((await api(t.baseUrl, `/api/v1/public/scorecard?${q}`)).status).toBe(400);
  });
});
