import { sql } from 'drizzle-orm';
import { queryRows } from '../../bff/src/db/client';
import { shanghaiTime as sh } from '../support/clock';
import { api, createStallSpot, loginResident, stallSpotInput, startTestApp, uniqueName, type TestApp } from '../support/test-app';

describe('stall spots: staff changes and bulk import', () => {
  let t: TestApp;
  const clock = sh('2026-11-23 19:00'); // a Monday evening
  let staff: string;
  beforeAll(async () => {
    t = await startTestApp({ seed: true, now: () => clock });
    staff = await t.staffToken();
  });
  afterAll(() => t.close());

  const createSpot = (overrides: Record<string, unknown> = {}) => createStallSpot(t.baseUrl, staff, overrides);

  describe('staff changes, followers and the audit log', () => {
    it('notifies followers by subscribe message when a spot is suspended or its hours change, and audits who did it', async () => {
      const { spot } = await createSpot();
      const name = uniqueName('vendor');
      const vendor = await loginResident(t.baseUrl, name);
      expect((await api(t.baseUrl, `/api/v1/stall-spots/${spot.id}/follow`, { method: 'PUT', token: vendor.token })).body).toEqual({ followed: true });
      const detail = await api(t.baseUrl, `/api/v1/stall-spots/${spot.id}?coordSystem=wgs84`, { token: vendor.token });
      expect(detail.body.spot.followed).toBe(true);

      const suspended = await api(t.baseUrl, `/api/v1/staff/stall-spots/${spot.id}/suspend`, { json: { reason: '道路施工', until: '2026-12-01T00:00:00+08:00' }, token: staff });
      expect(suspended.status).toBe(200);
      expect(suspended.body.spot).toMatchObject({ status: 'suspended', openStatus: { state: 'suspended' }, suspension: { reason: '道路施工' } });

      await t.notifications.drain();
      const mine = () => t.wechat.messages.filter((m) => m.touser === t.wechat.openidFor(name));
      expect(mine()).toHaveLength(1);
      expect(mine()[0]).toMatchObject({
        template_id: 'tmpl-stall-change',
        page: `packages/stalls/detail/index?id=${spot.id}`,
        data: { thing1: { value: '测试夜市' }, phrase2: { value: '暂停开放' } },
      });
      expect(mine()[0].data.thing3.value).toContain('道路施工');

      const patched = await api(t.baseUrl, `/api/v1/staff/stall-spots/${spot.id}`, {
        method: 'PATCH',
        json: { schedule: { weekly: [{ days: [6, 7], windows: [{ open: '17:00', close: '23:00' }] }] } },
        token: staff,
      });
      expect(patched.status).toBe(200);
      // Renaming alone does not notify; a schedule change does.
      await api(t.baseUrl, `/api/v1/staff/stall-spots/${spot.id}`, { method: 'PATCH', json: { rules: '新规则' }, token: staff });
      const resumed = await api(t.baseUrl, `/api/v1/staff/stall-spots/${spot.id}/resume`, { method: 'POST', token: staff });
      expect(resumed.body.spot.status).toBe('active');
      await t.notifications.drain();
      expect(mine().map((m) => m.data.phrase2.value)).toEqual(['暂停开放', '时间调整', '恢复开放']);

      const audit = await queryRows<{ action: string; actor_id: string; actor_kind: string }>(
        t.database.db,
        sql`select action, actor_id, actor_kind from audit_log where entity_id = ${spot.id} order by id`,
      );
      expect(audit.map((a) => a.action)).toEqual(['stall_spot.create', 'stall_spot.suspend', 'stall_spot.update', 'stall_spot.update', 'stall_spot.resume']);
      expect(new Set(audit.map((a) => a.actor_kind))).toEqual(new Set(['staff']));
      expect(audit.every((a) => /^[0-9a-f-]{36}$/.test(a.actor_id))).toBe(true);

      expect((await api(t.baseUrl, `/api/v1/stall-spots/${spot.id}/follow`, { method: 'DELETE', token: vendor.token })).body).toEqual({ followed: false });
    });

    it('skips followers who did not subscribe, and survives an expired access_token', async () => {
      const { spot } = await createSpot();
      const refuser = uniqueName('refuser');
      const keen = uniqueName('keen');
      for (const name of [refuser, keen]) {
        const { token } = await loginResident(t.baseUrl, name);
        await api(t.baseUrl, `/api/v1/stall-spots/${spot.id}/follow`, { method: 'PUT', token });
      }
      t.wechat.refuseSubscriptions([t.wechat.openidFor(refuser)]);
      await t.notifications.drain(); // settle anything queued earlier
      t.wechat.revokeTokens();
      await api(t.baseUrl, `/api/v1/staff/stall-spots/${spot.id}/suspend`, { json: { reason: '检修' }, token: staff });
      await t.notifications.drain();
      expect(t.wechat.messages.filter((m) => m.touser === t.wechat.openidFor(keen))).toHaveLength(1);
      expect(t.wechat.messages.filter((m) => m.touser === t.wechat.openidFor(refuser))).toHaveLength(0);
      const statuses = await queryRows<{ status: string }>(
        t.database.db,
        sql`
        select n.status from notifications n join stall_spot_follows f on f.user_id = n.user_id and f.spot_id = ${spot.id} order by n.status`,
      );
      expect(statuses.map((s) => s.status)).toEqual(['sent', 'skipped']);
    });

    it('refuses bad spots: overlapping or inverted schedules, unknown goods, duplicate codes', async () => {
      const post = (body: unknown) => api(t.baseUrl, '/api/v1/staff/stall-spots', { json: body, token: staff });
      const overlapping = await post(
        stallSpotInput({
          schedule: {
            weekly: [
              {
                days: [1],
                windows: [
                  { open: '06:00', close: '10:00' },
                  { open: '09:00', close: '11:00' },
                ],
              },
            ],
          },
        }),
      );
      expect(overlapping.status).toBe(400);
      expect(JSON.stringify(overlapping.body.error)).toContain('overlaps');
      const inverted = await post(stallSpotInput({ schedule: { weekly: [{ days: [1], windows: [{ open: '21:00', close: '18:00' }] }] } }));
      expect(inverted.status).toBe(400);
      expect(JSON.stringify(inverted.body.error)).toContain('closes before it opens');
      const goods = await post(stallSpotInput({ goods: ['weapons'] }));
      expect(goods.status).toBe(400);
      const types = await post(stallSpotInput({ capacity: '40', location: { lat: 'north', lng: 90, coordSystem: 'wgs84' } }));
      expect(types.status).toBe(400);
      const { body } = await createSpot();
      const dup = await post(stallSpotInput({ code: body.code }));
      expect(dup.status).toBe(409);
      expect(dup.body.error.code).toBe('STALL_CODE_EXISTS');
      const racing = stallSpotInput();
      const statuses = (await Promise.all([post(racing), post(racing), post(racing)])).map((r) => r.status).sort();
      expect(statuses).toEqual([201, 409, 409]);
      const past = await api(t.baseUrl, `/api/v1/staff/stall-spots/${(await createSpot()).spot.id}/suspend`, { json: { reason: 'x', until: '2020-01-01T00:00:00Z' }, token: staff });
      expect(past.status).toBe(400);
    });

    it('keeps residents and anonymous callers out of staff routes, and unknown ids are 404', async () => {
      const resident = await loginResident(t.baseUrl, uniqueName('r'));
      expect((await api(t.baseUrl, '/api/v1/staff/stall-spots', { json: stallSpotInput(), token: resident.token })).status).toBe(401);
      expect((await api(t.baseUrl, '/api/v1/staff/stall-spots', { json: stallSpotInput() })).status).toBe(401);
      expect((await api(t.baseUrl, '/api/v1/stall-spots/00000000-0000-0000-0000-000000000000')).status).toBe(404);
      expect((await api(t.baseUrl, '/api/v1/stall-spots/not-a-uuid')).status).toBe(404);
      expect((await api(t.baseUrl, '/api/v1/stall-spots/00000000-0000-0000-0000-000000000000/follow', { method: 'PUT', token: resident.token })).status).toBe(404);
      expect((await api(t.baseUrl, `/api/v1/stall-spots/00000000-0000-0000-0000-000000000000/follow`, { method: 'PUT' })).status).toBe(401);
    });
  });

  describe('bulk import', () => {
    const header = 'code,name,kind,district,street,address,lat,lng,coord_system,approximate,radius_m,capacity,goods,facilities,rules,manager_name,manager_phone,schedule';
    const row = (code: string, extra: Partial<Record<'kind' | 'lat' | 'goods' | 'schedule', string>> = {}) =>
      [
        code,
        '导入夜市',
        extra.kind ?? '夜市',
        '测试区',
        '测试街道',
        '"测试路 2 号, 东侧"',
        extra.lat ?? String(31 + Math.random()),
        String(86 + Math.random()),
        'wgs84',
        'true',
        '60',
        '30',
        extra.goods ?? '小吃|蔬果',
        '供电',
        '"规则: 保持""整洁"""',
        '李四',
        '13800000000',
        extra.schedule ?? 'daily 18:00-02:00',
      ].join(',');
    const postCsv = (csv: string, query = '') => api(t.baseUrl, `/api/v1/staff/stall-spots/import${query}`, { rawBody: csv, headers: { 'content-type': 'text/csv; charset=utf-8' }, token: staff });

    it('imports a valid CSV (Chinese kind and goods names, quoted commas), then updates by code', async () => {
      const a = uniqueName('IMP').replace(/[^A-Za-z0-9-]/g, '');
      const b = `${a}-b`;
      const first = await postCsv(`\uFEFF${header}\r\n${row(a)}\r\n${row(b)}\r\n`);
      expect(first.status).toBe(200);
      expect(first.body).toEqual({ created: 2, updated: 0, valid: 2, dryRun: false });
      const again = await postCsv(`${header}\n${row(a, { schedule: 'daily 17:00-22:00' })}\n`);
      expect(again.body).toEqual({ created: 0, updated: 1, valid: 1, dryRun: false });
      const rows = await queryRows<{ address: string; rules: string; kind: string; goods: string[] }>(t.database.db, sql`select address, rules, kind, goods from stall_spots where code = ${a}`);
      expect(rows[0]).toEqual({ address: '测试路 2 号, 东侧', rules: '规则: 保持"整洁"', kind: 'night_market', goods: ['snacks', 'produce'] });
    });

    it('refuses the whole file when any row is bad, naming each bad row, and imports nothing', async () => {
      const good = uniqueName('OK').replace(/[^A-Za-z0-9-]/g, '');
      const csv = [header, row(good), row(`${good}-2`, { lat: '95' }), row(`${good}-3`, { goods: '军火' }), row(`${good}-4`, { schedule: 'daily 21:00-18:00' }), row(good)].join('\n');
      const res = await postCsv(csv);
      expect(res.status).toBe(422);
      expect(res.body.error.code).toBe('IMPORT_INVALID');
      const rows = res.body.error.details.rows;
      expect(rows.map((r: any) => r.row)).toEqual([3, 4, 5, 6]);
      expect(rows[0].errors.join()).toMatch(/location.lat/);
      expect(rows[1].errors.join()).toMatch(/goods/);
      expect(rows[2].errors.join()).toMatch(/closes before it opens/);
      expect(rows[3].errors.join()).toMatch(/also appears in row 2/);
      const stored = await queryRows(t.database.db, sql`select 1 from stall_spots where code = ${good}`);
      expect(stored).toHaveLength(0);
    });

    it('imports GeoJSON points, and validates without writing on dryRun', async () => {
      const code = uniqueName('GEO').replace(/[^A-Za-z0-9-]/g, '');
      const doc = {
        type: 'FeatureCollection',
        features: [
          {
            type: 'Feature',
            geometry: { type: 'Point', coordinates: [87.5, 32.5] },
            properties: { code, name: '几何夜市', kind: 'night_market', district: '测试区', address: '测试路 3 号', capacity: 20, goods: 'snacks', schedule: 'daily 18:00-23:00' },
          },
        ],
      };
      const dry = await api(t.baseUrl, '/api/v1/staff/stall-spots/import?dryRun=true', { rawBody: JSON.stringify(doc), headers: { 'content-type': 'application/geo+json' }, token: staff });
      expect(dry.body).toEqual({ created: 0, updated: 0, valid: 1, dryRun: true });
      expect(await queryRows(t.database.db, sql`select 1 from stall_spots where code = ${code}`)).toHaveLength(0);
      const real = await api(t.baseUrl, '/api/v1/staff/stall-spots/import', { rawBody: JSON.stringify(doc), headers: { 'content-type': 'application/geo+json' }, token: staff });
      expect(real.body.created).toBe(1);
      const [stored] = await queryRows<{ lat: number; lng: number }>(t.database.db, sql`select lat, lng from stall_spots where code = ${code}`);
      expect(stored).toEqual({ lat: 32.5, lng: 87.5 });
      const broken = await api(t.baseUrl, '/api/v1/staff/stall-spots/import', {
        rawBody: JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Feature', geometry: { type: 'LineString', coordinates: [] } }] }),
        headers: { 'content-type': 'application/geo+json' },
        token: staff,
      });
      expect(broken.status).toBe(422);
      expect(broken.body.error.details.rows[0]).toMatchObject({ row: 0, errors: [expect.stringMatching(/Point/)] });
    });

    it('refuses wrong content types, oversized files, non-UTF-8 and garbage', async () => {
      expect((await api(t.baseUrl, '/api/v1/staff/stall-spots/import', { rawBody: 'a,b', headers: { 'content-type': 'application/pdf' }, token: staff })).status).toBe(415);
      expect((await postCsv('x'.repeat(2 * 1024 * 1024 + 1))).status).toBe(413);
      const gbk = Buffer.from([0xb2, 0xe2, 0xca, 0xd4, 0x2c, 0xff, 0xfe]);
      expect((await api(t.baseUrl, '/api/v1/staff/stall-spots/import', { rawBody: gbk, headers: { 'content-type': 'text/csv' }, token: staff })).status).toBe(400);
      const garbage = await postCsv('just some text\nwith no header');
      expect(garbage.status).toBe(422);
      expect(garbage.body.error.details.rows[0].errors.join()).toMatch(/unknown column/);
      expect((await postCsv(`${header}\n"unclosed`)).status).toBe(422);
    });
  });
});
