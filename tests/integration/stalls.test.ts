import gcoord from 'gcoord';
import { shanghaiTime as sh } from '../support/clock';
import { api, createStallSpot, loginResident, startTestApp, uniqueName, type TestApp } from '../support/test-app';

/** Near Kunming Chenggong's seeded points (WGS-84). */
const CHENGGONG = { lat: 24.85, lng: 102.85 };

describe('stall spots', () => {
  let t: TestApp;
  let clock = sh('2026-11-23 19:00'); // a Monday evening
  let staff: string;
  beforeAll(async () => {
    t = await startTestApp({ seed: true, now: () => clock });
    staff = await t.staffToken();
  });
  afterAll(() => t.close());

  const createSpot = (overrides: Record<string, unknown> = {}) => createStallSpot(t.baseUrl, staff, overrides);

  describe('listing the seeded points', () => {
    it("orders by distance, flags approximate coordinates, and carries open status and today's hours", async () => {
      const res = await api(t.baseUrl, `/api/v1/stall-spots?lat=${CHENGGONG.lat}&lng=${CHENGGONG.lng}&coordSystem=wgs84&radius=20000&limit=50`);
      expect(res.status).toBe(200);
      const items = res.body.items;
      expect(items.filter((s: any) => s.code.startsWith('KM-CG-')).length).toBe(9);
      const distances = items.map((s: any) => s.distanceMeters);
      expect(distances).toEqual([...distances].sort((a, b) => a - b));
      expect(items[0]).toMatchObject({ location: { coordSystem: 'wgs84', approximate: true }, openStatus: { state: expect.stringMatching(/open|closed/) } });
      expect(items.every((s: any) => s.code.startsWith('KM-'))).toBe(true); // Hohhot is 1,600 km away
      const nightMarket = items.find((s: any) => s.code === 'KM-CG-04');
      expect(nightMarket.openStatus).toMatchObject({ state: 'open', label: '营业中 · 明天 02:00 收摊' });
      expect(nightMarket.todayHours).toEqual(['18:00–次日02:00']);
    });

    it('filters to spots open at a given time', async () => {
      const base = `/api/v1/stall-spots?lat=${CHENGGONG.lat}&lng=${CHENGGONG.lng}&coordSystem=wgs84&radius=20000&limit=50`;
      // 2026-11-24 01:00 Shanghai: only the 18:00–02:00 night market is still open.
      const lateNight = await api(t.baseUrl, `${base}&openNow=true&at=${encodeURIComponent('2026-11-24T01:00:00+08:00')}`);
      expect(lateNight.body.items.map((s: any) => s.code)).toEqual(['KM-CG-04']);
      // 07:00: breakfast and morning markets, not the night market.
      const morning = await api(t.baseUrl, `${base}&openNow=true&at=${encodeURIComponent('2026-11-24T07:00:00+08:00')}`);
      const codes = morning.body.items.map((s: any) => s.code).sort();
      expect(codes).toEqual(['KM-CG-01', 'KM-CG-03', 'KM-CG-06', 'KM-CG-07', 'KM-CG-09']);
    });

    it('filters by goods, kind and text', async () => {
      const base = `/api/v1/stall-spots?lat=${CHENGGONG.lat}&lng=${CHENGGONG.lng}&coordSystem=wgs84&radius=20000&limit=50`;
      const flowers = await api(t.baseUrl, `${base}&goods=flowers`);
      expect(flowers.body.items.map((s: any) => s.code).sort()).toEqual(['KM-CG-01', 'KM-CG-08']);
      const night = await api(t.baseUrl, `${base}&kind=night_market,seasonal_market`);
      expect(night.body.items.map((s: any) => s.code).sort()).toEqual(['KM-CG-04', 'KM-CG-08']);
      const text = await api(t.baseUrl, `${base}&q=${encodeURIComponent('云南大学')}`);
      expect(text.body.items.map((s: any) => s.code)).toEqual(['KM-CG-03']);
      const literalPercent = await api(t.baseUrl, `${base}&q=${encodeURIComponent('%')}`);
      expect(literalPercent.body.items).toEqual([]);
    });

    it('pages with a cursor without gaps or repeats', async () => {
      const base = `/api/v1/stall-spots?lat=${CHENGGONG.lat}&lng=${CHENGGONG.lng}&coordSystem=wgs84&radius=20000`;
      const all = (await api(t.baseUrl, `${base}&limit=50`)).body.items.map((s: any) => s.id);
      const paged: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res: any = await api(t.baseUrl, `${base}&limit=4${cursor ? `&cursor=${cursor}` : ''}`);
        paged.push(...res.body.items.map((s: any) => s.id));
        cursor = res.body.nextCursor;
        pages += 1;
      } while (cursor && pages < 10);
      expect(paged).toEqual(all);
      expect(pages).toBe(Math.ceil(all.length / 4));
    });

    it('pages through spots at exactly the same place without losing or repeating any', async () => {
      const first = await createSpot();
      const ids = [first.spot.id];
      for (let i = 0; i < 4; i += 1) ids.push((await createSpot({ location: first.body.location })).spot.id);
      const base = `/api/v1/stall-spots?lat=${first.body.location.lat}&lng=${first.body.location.lng}&coordSystem=wgs84&radius=10`;
      const seen: string[] = [];
      let cursor: string | null = null;
      for (let page = 0; page < 6; page += 1) {
        const res: any = await api(t.baseUrl, `${base}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        seen.push(...res.body.items.map((s: any) => s.id));
        cursor = res.body.nextCursor;
        if (!cursor) break;
      }
      expect(seen.sort()).toEqual(ids.sort());
    });

    it("takes and returns GCJ-02, the system WeChat's map uses", async () => {
      const spot = (await api(t.baseUrl, `/api/v1/stall-spots?lat=${CHENGGONG.lat}&lng=${CHENGGONG.lng}&coordSystem=wgs84&radius=20000&q=${encodeURIComponent('斗南')}`)).body.items[0];
      const [gLng, gLat] = gcoord.transform([spot.location.lng, spot.location.lat], gcoord.WGS84, gcoord.GCJ02);
      const res = await api(t.baseUrl, `/api/v1/stall-spots?lat=${gLat}&lng=${gLng}&coordSystem=gcj02&radius=1000`);
      expect(res.body.items[0].code).toBe('KM-CG-01');
      expect(res.body.items[0].distanceMeters).toBeLessThanOrEqual(1);
      expect(res.body.items[0].location).toMatchObject({ coordSystem: 'gcj02' });
      expect(res.body.items[0].location.lat).toBeCloseTo(gLat, 6);
      // GCJ-02 is offset from WGS-84 by a few hundred metres in China: reading it as WGS-84 would be wrong.
      const misread = await api(t.baseUrl, `/api/v1/stall-spots?lat=${gLat}&lng=${gLng}&coordSystem=wgs84&radius=1000`);
      expect(misread.body.items[0].distanceMeters).toBeGreaterThan(100);
    });

    it.each([
      ['latitude out of range', 'lat=91&lng=102'],
      ['non-numeric longitude', 'lat=24&lng=abc'],
      ['exponent notation', 'lat=2.4e1&lng=102'],
      ['missing position', 'radius=100'],
      ['a negative radius', 'lat=24&lng=102&radius=-5'],
      ['an unknown goods code', 'lat=24&lng=102&goods=weapons'],
      ['an unknown kind', 'lat=24&lng=102&kind=bazaar'],
      ['a malformed time', 'lat=24&lng=102&openNow=true&at=tomorrow'],
      ['a bad cursor', 'lat=24&lng=102&cursor=bm90LWEtY3Vyc29y'],
      ['an unknown parameter', 'lat=24&lng=102&sort=price'],
      ['a repeated parameter', 'lat=24&lat=25&lng=102'],
    ])('%s → 400 VALIDATION_FAILED', async (_label, query) => {
      const res = await api(t.baseUrl, `/api/v1/stall-spots?${query}`);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
    });
  });

  describe('bounded anonymous reads', () => {
    it('refuses a radius over 20 km with its own code, and accepts 20 km', async () => {
      for (const radius of [20_001, 50_000, 99_999_999]) {
        const res = await api(t.baseUrl, `/api/v1/stall-spots?lat=${CHENGGONG.lat}&lng=${CHENGGONG.lng}&coordSystem=wgs84&radius=${radius}&openNow=true&limit=50`);
        expect(res.status).toBe(400);
        expect(res.body.error).toMatchObject({ code: 'STALL_RADIUS_TOO_LARGE', message: expect.stringContaining('20 公里') });
      }
      const widest = await api(t.baseUrl, `/api/v1/stall-spots?lat=${CHENGGONG.lat}&lng=${CHENGGONG.lng}&coordSystem=wgs84&radius=20000&openNow=true&limit=50`);
      expect(widest.status).toBe(200);
    });

    it('finds the nearest open spot behind thousands of nearer closed ones on the first page', async () => {
      // 2,100 spots closed in the evening within ~300 m, and one open spot 2 km away; in a box of its
      // own, away from stallSpotInput's (the other tests' evening spots would be "open" here too).
      const centre = { lat: 40 + Math.random() * 2.5, lng: 95 + Math.random() * 5 };
      const tag = uniqueName('N')
        .replace(/[^A-Za-z0-9]/g, '')
        .slice(-10);
      const header = 'code,name,kind,district,street,address,lat,lng,coord_system,capacity,goods,schedule';
      const row = (i: number, lat: number, lng: number, schedule: string) =>
        `${tag}-${i},早市${i},time_slot,测试区,测试街道,测试路 ${i} 号,${lat.toFixed(6)},${lng.toFixed(6)},wgs84,10,produce,${schedule}`;
      const closed = Array.from({ length: 2100 }, (_, i) => row(i, centre.lat + (Math.random() - 0.5) * 0.005, centre.lng + (Math.random() - 0.5) * 0.005, '1-5 06:00-08:00'));
      const open = row(9999, centre.lat + 0.018, centre.lng, 'daily 18:00-23:00');
      const imported = await api(t.baseUrl, '/api/v1/staff/stall-spots/import', {
        token: await t.staffToken('admin'),
        headers: { 'content-type': 'text/csv' },
        rawBody: [header, ...closed, open].join('\n'),
      });
      expect(imported.status).toBe(200);
      expect(imported.body).toMatchObject({ created: 2101 });

      clock = sh('2026-11-23 19:00');
      const res = await api(t.baseUrl, `/api/v1/stall-spots?lat=${centre.lat}&lng=${centre.lng}&coordSystem=wgs84&radius=5000&openNow=true&limit=5`);
      expect(res.status).toBe(200);
      expect(res.body.items.map((s: any) => s.code)).toEqual([`${tag}-9999`]);
      expect(res.body.nextCursor).toBeNull();
      // Without the filter the same page is all nearby closed spots.
      const all = await api(t.baseUrl, `/api/v1/stall-spots?lat=${centre.lat}&lng=${centre.lng}&coordSystem=wgs84&radius=5000&limit=5`);
      expect(all.body.items).toHaveLength(5);
      expect(all.body.items.every((s: any) => s.openStatus.state === 'closed')).toBe(true);
    });

    it('agrees with the schedule rules for seasons, dated exceptions, overnight windows, edits and suspensions', async () => {
      const centre = { lat: 42.5 + Math.random() * 2.5, lng: 95 + Math.random() * 5 };
      const evening = [{ open: '18:00', close: '23:00' }];
      const at = (i: number) => ({ location: { lat: centre.lat + i * 0.0002, lng: centre.lng, coordSystem: 'wgs84', approximate: false } });
      const made = async (i: number, schedule: unknown) => (await createSpot({ ...at(i), schedule })).spot;
      const daily = await made(1, { weekly: [{ days: [1, 2, 3, 4, 5, 6, 7], windows: evening }] });
      const summer = await made(2, { weekly: [{ days: [1, 2, 3, 4, 5, 6, 7], windows: evening }], seasons: [{ from: '2026-06-01', to: '2026-09-30' }] });
      const weekendPlusThisMonday = await made(3, { weekly: [{ days: [6, 7], windows: evening }], exceptions: [{ date: '2026-11-23', windows: [{ open: '18:30', close: '21:00' }] }] });
      const closedThisMonday = await made(4, { weekly: [{ days: [1, 2, 3, 4, 5, 6, 7], windows: evening }], exceptions: [{ date: '2026-11-23', closed: true }] });
      const sundayNight = await made(5, { weekly: [{ days: [7], windows: [{ open: '22:00', close: '02:00' }] }] });
      const edited = await made(6, { weekly: [{ days: [1, 2, 3, 4, 5, 6, 7], windows: evening }] });
      const suspended = await made(7, { weekly: [{ days: [1, 2, 3, 4, 5, 6, 7], windows: evening }] });

      clock = sh('2026-11-23 19:00'); // Monday
      const staffToken = await t.staffToken('admin');
      expect(
        (
          await api(t.baseUrl, `/api/v1/staff/stall-spots/${edited.id}`, {
            method: 'PATCH',
            token: staffToken,
            json: { schedule: { weekly: [{ days: [1, 2, 3, 4, 5], windows: [{ open: '06:00', close: '08:00' }] }] } },
          })
        ).status,
      ).toBe(200);
      expect((await api(t.baseUrl, `/api/v1/staff/stall-spots/${suspended.id}/suspend`, { token: staffToken, json: { reason: '道路施工', until: '2026-11-23T20:00:00+08:00' } })).status).toBe(200);

      const openAt = async (instant: string) => {
        const res = await api(t.baseUrl, `/api/v1/stall-spots?lat=${centre.lat}&lng=${centre.lng}&coordSystem=wgs84&radius=500&openNow=true&limit=50&at=${encodeURIComponent(instant)}`);
        expect(res.status).toBe(200);
        return res.body.items.map((s: any) => s.id).sort();
      };
      expect(await openAt('2026-11-23T19:00:00+08:00')).toEqual([daily.id, weekendPlusThisMonday.id].sort());
      expect(await openAt('2026-11-23T20:30:00+08:00')).toEqual([daily.id, weekendPlusThisMonday.id, suspended.id].sort()); // the suspension has lapsed
      expect(await openAt('2026-11-23T01:00:00+08:00')).toEqual([sundayNight.id]); // Sunday's window, past midnight
      // A Monday in season, before the suspension was set to end.
      expect(await openAt('2026-07-06T19:00:00+08:00')).toEqual([daily.id, summer.id, closedThisMonday.id].sort());
      expect(await openAt('2026-11-24T07:00:00+08:00')).toEqual([edited.id]);
      // Moving a spot moves its open hours with it.
      const moved = await api(t.baseUrl, `/api/v1/staff/stall-spots/${daily.id}`, {
        method: 'PATCH',
        token: staffToken,
        json: { location: { lat: centre.lat + 0.05, lng: centre.lng, coordSystem: 'wgs84', approximate: false } },
      });
      expect(moved.status).toBe(200);
      expect(await openAt('2026-11-23T19:00:00+08:00')).toEqual([weekendPlusThisMonday.id]);
    });
  });

  describe('the per-client limit on anonymous reads', () => {
    let limited: TestApp;
    beforeAll(async () => {
      limited = await startTestApp({ seed: true, rateLimit: { publicReadsPerMinute: 3 } });
    });
    afterAll(() => limited.close());

    it("answers 429 with Retry-After past the limit, counting every public read, and leaves residents' writes alone", async () => {
      const list = `/api/v1/stall-spots?lat=${CHENGGONG.lat}&lng=${CHENGGONG.lng}&coordSystem=wgs84&radius=20000`;
      const first = await api(limited.baseUrl, list);
      expect(first.status).toBe(200);
      expect((await api(limited.baseUrl, `/api/v1/stall-spots/${first.body.items[0].id}`)).status).toBe(200);
      expect((await api(limited.baseUrl, `/api/v1/stall-spots/check?lat=${CHENGGONG.lat}&lng=${CHENGGONG.lng}&coordSystem=wgs84`)).status).toBe(200);
      for (const path of [list, '/api/v1/public/scorecard']) {
        const refused = await api(limited.baseUrl, path);
        expect(refused.status).toBe(429);
        expect(refused.body.error.code).toBe('RATE_LIMITED');
        expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      }
      const { token } = await loginResident(limited.baseUrl, uniqueName('reader'));
      const follow = await api(limited.baseUrl, `/api/v1/stall-spots/${first.body.items[0].id}/follow`, { method: 'PUT', token });
      expect(follow.status).toBe(200);
    });
  });

  describe('"can I sell here, now?"', () => {
    it('says yes inside an open spot that allows the goods', async () => {
      const { spot, body } = await createSpot();
      clock = sh('2026-11-23 19:00');
      const res = await api(t.baseUrl, `/api/v1/stall-spots/check?lat=${body.location.lat}&lng=${body.location.lng + 0.0005}&coordSystem=wgs84&goods=snacks`);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ allowed: true, verdict: 'allowed', spot: { id: spot.id }, alternatives: [] });
    });

    it('says no, and why, when closed or the goods are not allowed, pointing to open spots nearby', async () => {
      const { spot, body } = await createSpot({ schedule: { weekly: [{ days: [1, 2, 3, 4, 5, 6, 7], windows: [{ open: '06:00', close: '09:00' }] }] } });
      const { spot: open } = await createSpot({
        location: { ...body.location, lat: body.location.lat + 0.01 }, // ~1.1 km north
      });
      clock = sh('2026-11-23 19:00');
      const closed = await api(t.baseUrl, `/api/v1/stall-spots/check?lat=${body.location.lat}&lng=${body.location.lng}&coordSystem=wgs84&goods=produce`);
      expect(closed.body).toMatchObject({ allowed: false, verdict: 'closed_now', spot: { id: spot.id } });
      expect(closed.body.alternatives[0]).toMatchObject({ spot: { id: open.id }, direction: '北' });
      expect(closed.body.alternatives[0].distanceMeters).toBeGreaterThan(1000);
      expect(closed.body.alternatives[0].distanceMeters).toBeLessThan(1200);

      const wrongGoods = await api(t.baseUrl, `/api/v1/stall-spots/check?lat=${body.location.lat + 0.01}&lng=${body.location.lng}&coordSystem=wgs84&goods=clothing`);
      expect(wrongGoods.body).toMatchObject({ allowed: false, verdict: 'goods_not_allowed' });
      expect(wrongGoods.body.message).toContain('服装鞋帽');
    });

    it('says no outside every spot, with the nearest open ones', async () => {
      const { body } = await createSpot();
      const res = await api(t.baseUrl, `/api/v1/stall-spots/check?lat=${body.location.lat - 0.005}&lng=${body.location.lng}&coordSystem=wgs84`);
      expect(res.body).toMatchObject({ allowed: false, verdict: 'outside', spot: null });
      expect(res.body.alternatives[0]).toMatchObject({ direction: '北', spot: { code: body.code } });
    });

    it.each([
      ['no position', ''],
      ['an unknown goods code', 'lat=24&lng=102&goods=guns'],
      ['longitude out of range', 'lat=24&lng=181'],
    ])('%s → 400', async (_label, query) => {
      const res = await api(t.baseUrl, `/api/v1/stall-spots/check?${query}`);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
    });
  });
});
