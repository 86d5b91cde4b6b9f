import { freshPhoto } from '../support/reward-moves';
import { sql } from 'drizzle-orm';
import { FOLLOWED_REPORT_NOTICE_PAGE, MAP_REPORT_LIMITS, type MapReportDto } from '@cityloop/shared';
import { queryRows } from '../../bff/src/db/client';
import { fromWgs84 } from '../../bff/src/geo/coords';
import { api, loginResident, startTestApp, uniqueName, uploadPhoto, waitFor, type TestApp } from '../support/test-app';

/** A point (WGS-84) in a region no other suite reports in, so map queries on a shared database see only this run. */
const remoteSpot = () => ({ lat: 26 + Math.random() * 2, lng: 114 + Math.random() * 3 });
/** `meters` north of a point. */
const north = (p: { lat: number; lng: number }, meters: number) => ({ lat: p.lat + meters / 111_195, lng: p.lng });
/** 云南师范大学呈贡校区 (GCJ-02), which the geocoder stand-in knows. */
const NORMAL_UNIVERSITY = { lat: 24.8428, lng: 102.8586 };

describe('the resident map: open reports around the pin, 我也遇到了, and the address from the pin', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ caseSystem: true, rateLimit: { mapReadsPerMinute: 40 } });
  });
  afterAll(() => t.close());
  afterEach(() => t.geocoderFake.setFailure('none'));

  async function resident() {
    const name = uniqueName('citizen');
    return { ...(await loginResident(t.baseUrl, name)), name };
  }

  async function submit(token: string, body: Record<string, unknown>, key = uniqueName('key')) {
    const photo = await uploadPhoto(t.baseUrl, token, await freshPhoto());
    expect(photo.status).toBe(201);
    const json = {
      category: 'exposed_garbage',
      description: '路边堆了很多生活垃圾，已经好几天没人清理',
      location: { ...remoteSpot(), coordSystem: 'wgs84' },
      address: '测试路 8 号门口',
      photoIds: [photo.body.id],
      ...body,
    };
    const res = await api(t.baseUrl, '/api/v1/reports?coordSystem=wgs84', { json, token, headers: { 'idempotency-key': key } });
    return { res, json, key };
  }
  async function reportAt(token: string, at: { lat: number; lng: number }, category = 'exposed_garbage') {
    const { res } = await submit(token, { category, location: { ...at, coordSystem: 'wgs84' } });
    expect(res.status).toBe(201);
    return res.body.report.id as string;
  }
  const nearby = async (token: string, at: { lat: number; lng: number }, extra = '') =>
    api<{ items: MapReportDto[] }>(t.baseUrl, `/api/v1/reports/nearby?lat=${at.lat}&lng=${at.lng}&coordSystem=wgs84${extra}`, { token });
  const follow = (token: string, id: string, method: 'PUT' | 'DELETE' = 'PUT') => api(t.baseUrl, `/api/v1/reports/${id}/follow`, { method, token });
  const caseNumberOf = async (token: string, id: string) => {
    await t.delivery.drain();
    return (await api(t.baseUrl, `/api/v1/reports/${id}`, { token })).body.report.caseNumber as string;
  };

  describe('open reports around the pin (GET /reports/nearby without a category)', () => {
    it('lists every open category within 1 km, nearest first, with where each is and nothing about who reported it', async () => {
      const reporter = await resident();
      const here = remoteSpot();
      const garbage = await reportAt(reporter.token, north(here, 50));
      const light = await reportAt(reporter.token, north(here, 400), 'street_light');
      await reportAt(reporter.token, north(here, MAP_REPORT_LIMITS.radiusMeters + 200));
      const refused = await reportAt(reporter.token, north(here, 100));
      t.simulator.advance(await caseNumberOf(reporter.token, refused), 'reject', { reason: '不属于城市管理职责范围' });
      await waitFor(async () => (await api(t.baseUrl, `/api/v1/reports/${refused}`, { token: reporter.token })).body.report.status === 'rejected', 10_000, 'the rejection');

      const neighbour = await resident();
      const res = await nearby(neighbour.token, here);
      expect(res.status).toBe(200);
      expect(res.body.items.map((i) => i.id)).toEqual([garbage, light]);
      const [first, second] = res.body.items;
      expect(first).toMatchObject({
        category: 'exposed_garbage',
        categoryName: '暴露垃圾',
        status: 'received',
        statusName: '已受理',
        address: '测试路 8 号门口',
        own: false,
        followed: false,
        followers: 0,
      });
      expect(first.distanceMeters).toBe(50);
      expect(second).toMatchObject({ category: 'street_light', distanceMeters: 400 });
      expect(Object.keys(first).sort()).toEqual(['address', 'category', 'categoryName', 'createdAt', 'distanceMeters', 'followed', 'followers', 'id', 'location', 'own', 'status', 'statusName']);
      expect(JSON.stringify(res.body)).not.toContain(reporter.userId);
      // WGS-84 as asked; GCJ-02 for WeChat's map, converted at the edge.
      expect(first.location.lat).toBeCloseTo(north(here, 50).lat, 6);
      const asGcj = await api<{ items: MapReportDto[] }>(t.baseUrl, `/api/v1/reports/nearby?lat=${fromWgs84(here, 'gcj02').lat}&lng=${fromWgs84(here, 'gcj02').lng}&coordSystem=gcj02`, {
        token: neighbour.token,
      });
      expect(asGcj.body.items.map((i) => i.id)).toEqual([garbage, light]);
      const expected = fromWgs84(north(here, 50), 'gcj02');
      expect(asGcj.body.items[0].location.lat).toBeCloseTo(expected.lat, 6);
      expect(asGcj.body.items[0].location.lng).toBeCloseTo(expected.lng, 6);

      // The reporter sees the same reports marked as their own.
      expect((await nearby(reporter.token, here)).body.items.map((i) => i.own)).toEqual([true, true]);
      // With a category it stays the duplicate hint: that category, within its radius (50 m here).
      expect((await nearby(neighbour.token, north(here, 50), '&category=street_light')).body.items).toEqual([]);
      expect((await nearby(neighbour.token, north(here, 30), '&category=exposed_garbage')).body.items.map((i) => i.id)).toEqual([garbage]);
    });

    it(`stops at ${MAP_REPORT_LIMITS.maxItems}, nearest first`, async () => {
      const reporter = await resident();
      const here = remoteSpot();
      // Seeded straight into the table: 60 open reports within 900 m (the HTTP path is covered above).
      for (let i = 0; i < 60; i += 1) {
        const at = north(here, 15 * i);
        await t.database.db.execute(sql`insert into reports (user_id, category, service_code, description, lat, lng, address, status, idempotency_key, request_hash)
          values (${reporter.userId}, 'exposed_garbage', 'SJ-0101', '种子数据', ${at.lat}, ${at.lng}, ${`第 ${i} 号`}, 'accepted', ${uniqueName('seed')}, 'seed')`);
      }
      const items = (await nearby((await resident()).token, here)).body.items;
      expect(items).toHaveLength(MAP_REPORT_LIMITS.maxItems);
      expect(items.map((i) => i.distanceMeters)).toEqual([...items.map((i) => i.distanceMeters)].sort((a, b) => a - b));
      expect(items.at(-1)!.address).toBe(`第 ${MAP_REPORT_LIMITS.maxItems - 1} 号`);
    });

    it('is an expensive read with its own per-resident budget', async () => {
      const me = await resident();
      const here = remoteSpot();
      const statuses: number[] = [];
      for (let i = 0; i < 41; i += 1) statuses.push((await nearby(me.token, here)).status);
      expect(statuses.slice(0, 40).every((s) => s === 200)).toBe(true);
      expect(statuses[40]).toBe(429);
      // Writes are counted apart.
      const other = await resident();
      expect((await follow(me.token, '00000000-0000-4000-8000-000000000000')).body.error.code).toBe('REPORT_NOT_FOUND');
      expect((await nearby(other.token, here)).status).toBe(200);
    });
  });

  describe('我也遇到了 (PUT / DELETE /reports/{id}/follow, GET /me/report-follows)', () => {
    it('follows someone else’s open report, idempotently, and shows it on the map', async () => {
      const reporter = await resident();
      const here = remoteSpot();
      const id = await reportAt(reporter.token, here);
      const me = await resident();
      expect((await follow(me.token, id)).body).toEqual({ followed: true, followers: 1 });
      const again = await follow(me.token, id);
      expect([again.status, again.body]).toEqual([200, { followed: true, followers: 1 }]);
      expect((await nearby(me.token, here)).body.items[0]).toMatchObject({ id, followed: true, followers: 1, own: false });
      expect((await nearby(reporter.token, here)).body.items[0]).toMatchObject({ id, followed: false, followers: 1, own: true });
      expect((await follow(me.token, id, 'DELETE')).body).toEqual({ followed: false, followers: 0 });
      expect((await follow(me.token, id, 'DELETE')).body).toEqual({ followed: false, followers: 0 });
    });

    it('refuses unknown ids (404), one’s own report, closed or refused ones (409), blocked residents (403)', async () => {
      const reporter = await resident();
      const id = await reportAt(reporter.token, remoteSpot());
      const me = await resident();
      for (const bad of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid']) {
        const res = await follow(me.token, bad);
        expect([res.status, res.body.error.code, res.body.error.message]).toEqual([404, 'REPORT_NOT_FOUND', '举报不存在']);
      }
      const own = await follow(reporter.token, id);
      expect([own.status, own.body.error.code]).toEqual([409, 'REPORT_FOLLOW_OWN']);
      t.simulator.advance(await caseNumberOf(reporter.token, id), 'reject', { reason: '不属于城市管理职责范围' });
      await waitFor(async () => (await api(t.baseUrl, `/api/v1/reports/${id}`, { token: reporter.token })).body.report.status === 'rejected', 10_000, 'the rejection');
      const closed = await follow(me.token, id);
      expect([closed.status, closed.body.error.code]).toEqual([409, 'REPORT_NOT_OPEN']);
      // Leaving is always allowed.
      expect((await follow(me.token, id, 'DELETE')).status).toBe(200);
      await t.database.db.execute(sql`update users set blocked_at = now() where id = ${me.userId}`);
      const open = await reportAt(reporter.token, remoteSpot());
      expect((await follow(me.token, open)).body.error.code).toBe('USER_BLOCKED');
      expect((await api(t.baseUrl, `/api/v1/reports/${open}/follow`, { method: 'PUT' })).status).toBe(401);
    });

    it('lists what I follow, newest first, paged, with nothing about the reporters', async () => {
      const reporter = await resident();
      const ids = [];
      for (let i = 0; i < 3; i += 1) ids.push(await reportAt(reporter.token, remoteSpot()));
      const me = await resident();
      for (const id of ids) await follow(me.token, id);
      const page1 = await api(t.baseUrl, '/api/v1/me/report-follows?limit=2', { token: me.token });
      expect(page1.status).toBe(200);
      const page2 = await api(t.baseUrl, `/api/v1/me/report-follows?limit=2&cursor=${page1.body.nextCursor}`, { token: me.token });
      expect([...page1.body.items, ...page2.body.items].map((i: { id: string }) => i.id)).toEqual([...ids].reverse());
      expect(page2.body.nextCursor).toBeNull();
      expect(Object.keys(page1.body.items[0]).sort()).toEqual(['address', 'category', 'categoryName', 'followedAt', 'id', 'status', 'statusName', 'updatedAt']);
      expect(JSON.stringify([page1.body, page2.body])).not.toContain(reporter.userId);
      // A cursor from another list is refused.
      const mine = await api(t.baseUrl, '/api/v1/me/report-follows?cursor=bm90LWEtY3Vyc29y', { token: me.token });
      expect([mine.status, mine.body.error.code]).toEqual([400, 'CURSOR_INVALID']);
      // Following files no report of mine.
      expect((await api(t.baseUrl, '/api/v1/me/reports', { token: me.token })).body.items).toEqual([]);
    });

    it('brings the report’s status notices to followers, earns them nothing, and changes nothing for the reporter', async () => {
      const reporter = await resident();
      const id = await reportAt(reporter.token, remoteSpot());
      const me = await resident();
      const erased = await resident();
      await follow(me.token, id);
      await follow(erased.token, id);
      expect((await api(t.baseUrl, '/api/v1/me', { method: 'DELETE', token: erased.token, json: { confirm: true } })).status).toBe(200);

      t.simulator.advance(await caseNumberOf(reporter.token, id), 'register');
      const reward = await waitFor(
        async () => {
          const r = (await api(t.baseUrl, `/api/v1/reports/${id}`, { token: reporter.token })).body.report.reward;
          return r.state !== 'pending' && r;
        },
        10_000,
        'the reward decision',
      );
      // The first reporter is paid as ever; the follower is not a second reporter of the problem.
      expect(reward).toMatchObject({ state: 'accrued', amountFen: 200 });

      await t.notifications.drain();
      const to = (name: string) => t.wechat.messages.filter((m) => m.touser === t.wechat.openidFor(name));
      const followerNotice = to(me.name).find((m) => m.data.phrase2.value === '已立案');
      expect(followerNotice).toMatchObject({ template_id: 'tmpl-report-status', page: `${FOLLOWED_REPORT_NOTICE_PAGE}?followedReport=${id}`, data: { thing1: { value: '暴露垃圾' } } });
      expect(to(reporter.name).find((m) => m.data.phrase2.value === '已立案')?.page).toBe(`packages/report/detail/index?id=${id}`);
      expect(to(erased.name)).toEqual([]);

      const mine = (await api(t.baseUrl, '/api/v1/me/rewards', { token: me.token })).body;
      expect(mine).toMatchObject({ balanceFen: 0, totalEarnedFen: 0, entries: [], decisions: [] });
      const [rows] = await queryRows<{ reports: number; decisions: number }>(
        t.database.db,
        sql`select (select count(*)::int from reports where user_id = ${me.userId}) as reports, (select count(*)::int from reward_decisions where user_id = ${me.userId}) as decisions`,
      );
      expect(rows).toEqual({ reports: 0, decisions: 0 });
      // The list now shows the new status.
      expect((await api(t.baseUrl, '/api/v1/me/report-follows', { token: me.token })).body.items[0]).toMatchObject({ id, status: 'accepted', statusName: '已立案' });
    });

    it('is in the data export and goes with the account', async () => {
      const reporter = await resident();
      const here = remoteSpot();
      const id = await reportAt(reporter.token, here);
      const me = await resident();
      await follow(me.token, id);
      const exported = await api(t.baseUrl, '/api/v1/me/data-export', { token: me.token });
      expect(exported.body.reportFollows).toEqual([{ reportId: id, categoryName: '暴露垃圾', address: '测试路 8 号门口', followedAt: expect.any(String) }]);
      expect(JSON.stringify(exported.body)).not.toContain(reporter.userId);
      expect((await api(t.baseUrl, '/api/v1/me', { method: 'DELETE', token: me.token, json: { confirm: true } })).status).toBe(200);
      const [left] = await queryRows<{ n: number }>(t.database.db, sql`select count(*)::int as n from report_follows where user_id = ${me.userId}`);
      expect(left.n).toBe(0);
      expect((await nearby(reporter.token, here)).body.items[0]).toMatchObject({ id, followers: 0 });
    });
  });

  describe('the address from the pin (POST /reports)', () => {
    const atUniversity = { location: { ...NORMAL_UNIVERSITY, coordSystem: 'gcj02' } };
    const caseOf = async (token: string, id: string) => {
      await t.delivery.drain();
      return [...t.simulator.cases.values()].find((c) => c.clientRequestId === id)!;
    };
    const rowOf = async (id: string) =>
      (await queryRows<{ address: string; geocoded_address: string | null; street: string | null }>(t.database.db, sql`select address, geocoded_address, street from reports where id = ${id}`))[0];

    it('may leave the address out: the geocoded one is stored, with the street (街道) for the figures', async () => {
      const me = await resident();
      // `undefined` leaves the key out of the JSON body.
      const { res } = await submit(me.token, { ...atUniversity, address: undefined });
      expect(res.status).toBe(201);
      expect(res.body.report.address).toBe('云南省昆明市呈贡区云南师范大学呈贡校区附近(联大街)');
      expect(await rowOf(res.body.report.id)).toEqual({
        address: '云南省昆明市呈贡区云南师范大学呈贡校区附近(联大街)',
        geocoded_address: '云南省昆明市呈贡区云南师范大学呈贡校区附近(联大街)',
        street: '吴家营街道',
      });
      expect((await caseOf(me.token, res.body.report.id)).form.address_string).toBe('云南省昆明市呈贡区云南师范大学呈贡校区附近(联大街)');
      const empty = await submit(me.token, { ...atUniversity, address: '' });
      expect(empty.res.status).toBe(201);
      expect(empty.res.body.report.address).toContain('联大街');
    });

    it('keeps what the resident typed, and sends the case system both', async () => {
      const me = await resident();
      const { res } = await submit(me.token, { ...atUniversity, address: '东门对面第二个井盖', street: '自填街道' });
      expect(res.body.report.address).toBe('东门对面第二个井盖');
      expect(await rowOf(res.body.report.id)).toMatchObject({ address: '东门对面第二个井盖', street: '自填街道' });
      expect((await caseOf(me.token, res.body.report.id)).form.address_string).toBe('云南省昆明市呈贡区云南师范大学呈贡校区附近(联大街)（市民描述：东门对面第二个井盖）');
    });

    it('is still accepted when the geocoder is down (address stays as typed, or empty), and replays by its key', async () => {
      const me = await resident();
      t.geocoderFake.setFailure('http500');
      const { res, json, key } = await submit(me.token, { ...atUniversity, location: { lat: 24.8111, lng: 102.8111, coordSystem: 'gcj02' }, address: '' });
      expect(res.status).toBe(201);
      expect(res.body.report.address).toBe('');
      expect(await rowOf(res.body.report.id)).toEqual({ address: '', geocoded_address: null, street: null });
      t.geocoderFake.setFailure('none');
      const replay = await api(t.baseUrl, '/api/v1/reports', { json, token: me.token, headers: { 'idempotency-key': key } });
      expect([replay.status, replay.body.report.id]).toEqual([200, res.body.report.id]);
      // The case system still gets the point (lat/long) without an address string.
      expect((await caseOf(me.token, res.body.report.id)).form.address_string).toBe('');
      const typed = await submit(me.token, { address: '测试路 9 号', location: { lat: 24.8112, lng: 102.8112, coordSystem: 'gcj02' } });
      expect(typed.res.status).toBe(201);
    });
  });
});
