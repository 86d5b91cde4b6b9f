import { payoutBatches, ratingFollowUps, reportRatings, reports, rewardAppeals, rewardClaims, rewardDecisions } from '../../bff/src/db/schema';
import { api, loginResident, startTestApp, uniqueName, type TestApp } from '../support/test-app';
import { insertTestReport, walkPages } from '../support/staff-lists';

const HOUR = 3_600_000;

/** The console's API (issue 12): lists in one paging convention, the dashboard, the audit log, resident lookup. */
describe('staff console API', () => {
  let t: TestApp;
  let admin: string;
  let operator: string;
  let viewer: string;
  let finance: string;
  let resident: { token: string; userId: string };

  beforeAll(async () => {
    t = await startTestApp();
    [admin, operator, viewer, finance] = await Promise.all(['admin', 'operator', 'viewer', 'finance'].map((r) => t.staffToken(r as 'admin')));
    resident = await loginResident(t.baseUrl, uniqueName('console'));
  });
  afterAll(() => t.close());

  const get = (path: string, token = admin) => api(t.baseUrl, `/api/v1${path}`, { token });

  const insertReport = (values: Partial<typeof reports.$inferInsert> & { street: string }) => insertTestReport(t, resident.userId, values);
  const walk = (path: string, limit: number, token = admin) => walkPages(t, path, limit, token);

  describe('GET /staff/reports', () => {
    const street = uniqueName('街道');
    const prefix = uniqueName('CN').toUpperCase();
    let rows: Awaited<ReturnType<typeof insertReport>>[];

    beforeAll(async () => {
      const base = Date.parse('2026-03-01T16:30:00Z'); // 2026-03-02 00:30 in Shanghai
      rows = [];
      for (let i = 0; i < 7; i += 1) {
        rows.push(
          await insertReport({
            street,
            category: i % 2 ? 'illegal_parking' : 'exposed_garbage',
            status: i < 3 ? 'closed' : 'received',
            caseId: i === 6 ? null : `${prefix}-${i}`,
            createdAt: new Date(base + i * HOUR),
            updatedAt: new Date(base + (10 - i) * HOUR),
          }),
        );
      }
      // Rows 0 and 1 were decided (held, accrued); row 2 got a 差评, row 0 a good rating.
      await t.database.db.insert(rewardDecisions).values([
        { reportId: rows[0].id, userId: resident.userId, outcome: 'held', amountFen: 200, reason: 'review_photo_old' },
        { reportId: rows[1].id, userId: resident.userId, outcome: 'accrued', amountFen: 2000, reason: 'registered' },
      ]);
      await t.database.db.insert(reportRatings).values([
        { reportId: rows[2].id, userId: resident.userId, round: 1, level: 'dissatisfied', comment: '没有处理' },
        { reportId: rows[0].id, userId: resident.userId, round: 1, level: 'satisfied' },
      ]);
    });

    const ofStreet = (extra = '') => `/staff/reports?street=${encodeURIComponent(street)}${extra}`;

    it('lists newest first with what a list and a map need', async () => {
      const res = await get(ofStreet());
      expect(res.status).toBe(200);
      expect(res.body.nextCursor).toBeNull();
      expect(res.body.items.map((i: { id: string }) => i.id)).toEqual(rows.map((r) => r.id).reverse());
      const held = res.body.items.find((i: { id: string }) => i.id === rows[0].id);
      expect(held).toEqual({
        id: rows[0].id,
        caseNumber: `${prefix}-0`,
        category: 'exposed_garbage',
        categoryName: expect.any(String),
        status: 'closed',
        statusName: expect.any(String),
        street,
        address: '测试路 1 号',
        location: { lat: 24.88, lng: 102.83, coordSystem: 'wgs84' },
        createdAt: '2026-03-01T16:30:00.000Z',
        updatedAt: expect.any(String),
        rewardState: 'held',
        rewardAmountFen: 200,
        hasBadRating: false,
      });
      expect(res.body.items.find((i: { id: string }) => i.id === rows[2].id)).toMatchObject({ rewardState: 'pending', rewardAmountFen: 0, hasBadRating: true });
      expect(JSON.stringify(res.body)).not.toContain(resident.userId);
    });

    it('pages by keyset cursor without repeats or gaps, in both directions and by either sort field', async () => {
      const newestFirst = rows.map((r) => r.id).reverse();
      expect(await walk(ofStreet(), 2)).toEqual(newestFirst);
      expect(await walk(ofStreet('&sort=createdAt:asc'), 3)).toEqual(rows.map((r) => r.id));
      // updatedAt runs the other way round in the fixture.
      expect(await walk(ofStreet('&sort=updatedAt:desc'), 2)).toEqual(rows.map((r) => r.id));
      expect(await walk(ofStreet('&sort=updatedAt'), 4)).toEqual(rows.map((r) => r.id));
    });

    it('filters by status, category, reward state, 差评, case number and Shanghai days', async () => {
      const ids = async (extra: string) => (await get(ofStreet(extra))).body.items.map((i: { id: string }) => i.id).sort();
      const idsOf = (...is: number[]) => is.map((i) => rows[i].id).sort();
      expect(await ids('&status=closed')).toEqual(idsOf(0, 1, 2));
      expect(await ids('&status=closed,received')).toEqual(idsOf(0, 1, 2, 3, 4, 5, 6));
      expect(await ids('&category=illegal_parking')).toEqual(idsOf(1, 3, 5));
      expect(await ids('&category=illegal_parking&status=received')).toEqual(idsOf(3, 5));
      expect(await ids('&rewardState=held')).toEqual(idsOf(0));
      expect(await ids('&rewardState=accrued')).toEqual(idsOf(1));
      expect(await ids('&rewardState=pending')).toEqual(idsOf(2, 3, 4, 5, 6));
      expect(await ids('&hasBadRating=true')).toEqual(idsOf(2));
      expect((await ids('&hasBadRating=false')).length).toBe(6);
      expect(await ids(`&caseNumber=${prefix}-3`)).toEqual(idsOf(3));
      expect((await ids(`&caseNumber=${prefix}`)).length).toBe(6);
      // LIKE wildcards are matched literally.
      expect(await ids('&caseNumber=%25')).toEqual([]);
      // 16:30Z on 1 March is 00:30 on 2 March in Shanghai.
      expect(await ids('&from=2026-03-02&to=2026-03-02')).toEqual(idsOf(0, 1, 2, 3, 4, 5, 6));
      expect(await ids('&to=2026-03-01')).toEqual([]);
      expect(await ids('&from=2026-03-03')).toEqual([]);
      // Without the street filter the case number alone finds it.
      expect((await get(`/staff/reports?caseNumber=${prefix}-4`)).body.items.map((i: { id: string }) => i.id)).toEqual([rows[4].id]);
    });

    it('answers GCJ-02 when asked', async () => {
      const res = await get(ofStreet('&coordSystem=gcj02&limit=1'));
      expect(res.body.items[0].location.coordSystem).toBe('gcj02');
      expect(res.body.items[0].location.lat).not.toBe(24.88);
    });

    it('refuses bad input with specific codes', async () => {
      const code = async (extra: string) => {
        const res = await get(ofStreet(extra));
        return [res.status, res.body.error?.code];
      };
      expect(await code('&status=bogus')).toEqual([400, 'VALIDATION_FAILED']);
      expect(await code('&category=')).toEqual([400, 'VALIDATION_FAILED']);
      expect(await code('&sort=address:asc')).toEqual([400, 'SORT_INVALID']);
      expect(await code('&sort=createdAt:up')).toEqual([400, 'SORT_INVALID']);
      expect(await code('&cursor=not-a-cursor')).toEqual([400, 'CURSOR_INVALID']);
      expect(await code('&from=2026-03-05&to=2026-03-01')).toEqual([400, 'VALIDATION_FAILED']);
      expect(await code('&from=2026-02-30')).toEqual([400, 'VALIDATION_FAILED']);
      expect(await code('&limit=101')).toEqual([400, 'VALIDATION_FAILED']);
      expect(await code('&limit=0')).toEqual([400, 'VALIDATION_FAILED']);
      expect(await code('&hasBadRating=yes')).toEqual([400, 'VALIDATION_FAILED']);
      expect(await code('&rewardState=paid')).toEqual([400, 'VALIDATION_FAILED']);
      expect(await code('&unknown=1')).toEqual([400, 'VALIDATION_FAILED']);
      expect(await code('&caseNumber=a%00b')).toEqual([400, 'TEXT_NOT_STORABLE']);
      // A cursor from one sort is refused by another.
      const first = await get(ofStreet('&limit=1'));
      expect(await code(`&limit=1&sort=createdAt:asc&cursor=${first.body.nextCursor}`)).toEqual([400, 'CURSOR_INVALID']);
      expect(await code(`&limit=1&cursor=${first.body.nextCursor}`)).toEqual([200, undefined]);
    });

    it('GET /staff/ratings follows the same convention', async () => {
      const first = await get('/staff/ratings?limit=1');
      expect(first.status).toBe(200);
      expect(first.body.items).toHaveLength(1);
      const second = await get(`/staff/ratings?limit=1&cursor=${first.body.nextCursor}`);
      expect(second.body.items).toHaveLength(1);
      expect(second.body.items[0].id).not.toBe(first.body.items[0].id);
      expect(Date.parse(second.body.items[0].at)).toBeLessThanOrEqual(Date.parse(first.body.items[0].at));
      expect((await get(`/staff/ratings?bad=true&limit=200`)).body.items.every((r: { level: string }) => r.level === 'dissatisfied' || r.level === 'very_dissatisfied')).toBe(true);
      expect((await get('/staff/ratings?cursor=bogus')).body.error.code).toBe('CURSOR_INVALID');
      expect((await get('/staff/ratings?sort=level:asc')).body.error.code).toBe('SORT_INVALID');
    });

    it('is refused to roles without reports.read', async () => {
      for (const token of [viewer, finance]) expect((await get(ofStreet(), token)).body.error.code).toBe('FORBIDDEN');
      expect((await get(ofStreet(), operator)).status).toBe(200);
      expect((await api(t.baseUrl, '/api/v1/staff/reports')).status).toBe(401);
    });

    it('map points: the filtered set, bounded, with a truncation flag', async () => {
      const all = await get(`/staff/reports/map-points?street=${encodeURIComponent(street)}`);
      expect(all.status).toBe(200);
      expect(all.body).toMatchObject({ coordSystem: 'wgs84', truncated: false, limit: 2000 });
      expect(all.body.points).toHaveLength(7);
      expect(all.body.points[0]).toEqual({ id: rows[6].id, lat: 24.88, lng: 102.83, status: 'received', category: 'exposed_garbage' });
      const few = await get(`/staff/reports/map-points?street=${encodeURIComponent(street)}&status=received&limit=2`);
      expect(few.body).toMatchObject({ truncated: true, limit: 2 });
      expect(few.body.points.map((p: { id: string }) => p.id)).toEqual([rows[6].id, rows[5].id]);
      expect((await get('/staff/reports/map-points?limit=5001')).status).toBe(400);
      expect((await get('/staff/reports/map-points?cursor=x')).body.error.code).toBe('VALIDATION_FAILED');
      expect((await get('/staff/reports/map-points', viewer)).status).toBe(403);
    });

    it('leaves the report detail route where it was', async () => {
      const res = await get(`/staff/reports/${rows[0].id}?coordSystem=wgs84`);
      expect(res.status).toBe(200);
      expect(res.body.report.id).toBe(rows[0].id);
    });
  });

  describe('GET /staff/dashboard', () => {
    it("counts today's new reports, held rewards, appeals, follow-ups by deadline and batches awaiting confirmation", async () => {
      const before = (await get('/staff/dashboard', viewer)).body.dashboard;
      expect(before.day).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      const street = uniqueName('看板');
      const now = Date.now();
      const today = await insertReport({ street });
      const held = await insertReport({ street });
      const appealed = await insertReport({ street });
      await t.database.db.insert(rewardDecisions).values([
        { reportId: held.id, userId: resident.userId, outcome: 'held', amountFen: 200, reason: 'review_photo_old' },
        { reportId: appealed.id, userId: resident.userId, outcome: 'none', amountFen: 0, reason: 'rejected' },
      ]);
      await t.database.db.insert(rewardAppeals).values({ reportId: appealed.id, userId: resident.userId, reason: '我是第一个举报的' });
      const ratings = await t.database.db
        .insert(reportRatings)
        .values([held, appealed, today].map((r) => ({ reportId: r.id, userId: resident.userId, round: 1, level: 'dissatisfied', comment: '差' })))
        .returning();
      await t.database.db.insert(ratingFollowUps).values([
        { ratingId: ratings[0].id, reportId: held.id, dueAt: new Date(now - HOUR) },
        { ratingId: ratings[1].id, reportId: appealed.id, dueAt: new Date(now + 24 * HOUR) },
        { ratingId: ratings[2].id, reportId: today.id, dueAt: new Date(now + 10 * 24 * HOUR) },
      ]);
      const staffId = (await get('/staff/me')).body.staff.id;
      const [batch] = await t.database.db.insert(payoutBatches).values({ createdBy: staffId, claimCount: 1, totalFen: 100 }).returning();
      await t.database.db.insert(rewardClaims).values({
        userId: resident.userId,
        amountFen: 100,
        method: 'manual',
        status: 'processing',
        outBillNo: uniqueName('bill'),
        batchId: batch.id,
        idempotencyKey: uniqueName('c'),
        requestHash: 'h',
      });

      const after = (await get('/staff/dashboard', viewer)).body.dashboard;
      expect(after).toEqual({
        day: before.day,
        newReportsToday: before.newReportsToday + 3,
        rewardsAwaitingReview: before.rewardsAwaitingReview + 1,
        rewardAppealsPending: before.rewardAppealsPending + 1,
        badRatingFollowUps: {
          open: before.badRatingFollowUps.open + 3,
          overdue: before.badRatingFollowUps.overdue + 1,
          dueSoon: before.badRatingFollowUps.dueSoon + 1,
          dueSoonDays: 3,
        },
        payoutBatchesAwaitingConfirmation: before.payoutBatchesAwaitingConfirmation + 1,
      });
      expect((await get('/staff/dashboard?x=1')).status).toBe(400);
      expect((await api(t.baseUrl, '/api/v1/staff/dashboard')).status).toBe(401);
    });
  });
});
