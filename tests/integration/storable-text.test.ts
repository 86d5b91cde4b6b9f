import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { queryRows } from '../../bff/src/db/client';
import { signWebhook } from '../../bff/src/ports/case-system/webhook-signature';
import { api, loginResident, PHOTOS_DIR, stallSpotInput, startTestApp, TEST_CASE_API_KEY, TEST_WEBHOOK_SECRET, uniqueName, uploadPhoto, waitFor, type TestApp } from '../support/test-app';

const JPEG = fs.readFileSync(path.join(PHOTOS_DIR, 'gps_DSCN0010.jpg'));
const NUL = 'a\u0000b';
const LONE = '路灯不亮了\ud83d';
/** The note from the issue: the 20th UTF-16 unit is the first half of 😀, so a cut at 19 units left a lone surrogate. */
const EMOJI_NOTE = '不予立案说明不予立案说明不予立案说明😀理由如上';
const randomSpot = () => ({ lat: 22 + Math.random() * 3, lng: 110 + Math.random() * 3 });

/** Has a lone (unpaired) surrogate: what PostgreSQL's jsonb refuses and a text column silently corrupts. */
const hasLoneSurrogate = (s: string) => /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(s);

describe('text PostgreSQL cannot store, cut text, and out-of-range dates', () => {
  let t: TestApp;
  let staff: string;
  let resident: { token: string; userId: string };
  beforeAll(async () => {
    t = await startTestApp({ caseSystem: true });
    staff = await t.staffToken('admin');
    resident = await loginResident(t.baseUrl, uniqueName('text'));
  });
  afterAll(() => t.close());

  async function submit(token: string, overrides: Record<string, unknown> = {}) {
    const photo = await uploadPhoto(t.baseUrl, token, JPEG);
    const body = {
      category: 'exposed_garbage',
      description: '路边堆了很多生活垃圾，已经好几天没人清理',
      location: { ...randomSpot(), coordSystem: 'wgs84' },
      address: '测试路 8 号门口',
      photoIds: [photo.body.id],
      ...overrides,
    };
    return api(t.baseUrl, '/api/v1/reports', { json: body, token, headers: { 'idempotency-key': uniqueName('k') } });
  }

  async function deliveredCase(token: string) {
    const res = await submit(token);
    expect(res.status).toBe(201);
    await t.delivery.drain();
    const report = (await api(t.baseUrl, `/api/v1/reports/${res.body.report.id}`, { token })).body.report;
    return { id: report.id as string, caseId: report.caseNumber as string };
  }

  const expectUnstorable = (res: { status: number; body: any }, label: string) =>
    expect([label, res.status, res.body.error?.code, typeof res.body.error?.message]).toEqual([label, 400, 'TEXT_NOT_STORABLE', 'string']);

  describe('NUL bytes and lone surrogates are refused with 400 TEXT_NOT_STORABLE', () => {
    it.each([
      ['description', { description: `路边堆了很多生活垃圾${NUL}` }],
      ['description (lone surrogate)', { description: LONE }],
      ['address', { address: `测试路${NUL}` }],
      ['street', { street: `仕林${NUL}` }],
    ])('report %s', async (label, overrides) => {
      expectUnstorable(await submit(resident.token, overrides), label);
    });

    it.each(['name', 'district', 'street', 'address', 'rules'])('stall spot %s', async (field) => {
      const res = await api(t.baseUrl, '/api/v1/staff/stall-spots', { json: { ...stallSpotInput(), [field]: `测试${NUL}` }, token: staff });
      expectUnstorable(res, field);
    });

    it('suspend reason, search q, figures street and department, staff login, appeal and note fields', async () => {
      const spot = (await api(t.baseUrl, '/api/v1/staff/stall-spots', { json: stallSpotInput(), token: staff })).body.spot;
      expectUnstorable(await api(t.baseUrl, `/api/v1/staff/stall-spots/${spot.id}/suspend`, { json: { reason: `施工${NUL}` }, token: staff }), 'suspend');
      expectUnstorable(await api(t.baseUrl, `/api/v1/stall-spots?lat=30&lng=85&q=${encodeURIComponent(NUL)}`), 'q');
      expectUnstorable(await api(t.baseUrl, `/api/v1/staff/figures?street=${encodeURIComponent(NUL)}`, { token: staff }), 'figures street');
      expectUnstorable(await api(t.baseUrl, `/api/v1/staff/figures?department=${encodeURIComponent(NUL)}`, { token: staff }), 'figures department');
      expectUnstorable(await api(t.baseUrl, '/api/v1/staff/auth/login', { json: { username: `zhang${NUL}`, password: 'a long passphrase' } }), 'username');
      expectUnstorable(await api(t.baseUrl, '/api/v1/staff/auth/login', { json: { username: 'zhang', password: `a long passphrase${NUL}` } }), 'password');
      const id = '00000000-0000-4000-8000-000000000000';
      expectUnstorable(await api(t.baseUrl, `/api/v1/reports/${id}/rework`, { json: { reason: `仍未解决${NUL}` }, token: resident.token }), 'rework');
      expectUnstorable(await api(t.baseUrl, `/api/v1/reports/${id}/reward-appeal`, { json: { reason: `这是我先发现的问题${NUL}` }, token: resident.token }), 'reward appeal');
      expectUnstorable(await api(t.baseUrl, `/api/v1/staff/ratings/${id}/follow-up`, { json: { note: `已回访${NUL}` }, token: staff }), 'follow-up');
      expectUnstorable(await api(t.baseUrl, `/api/v1/staff/ratings/${id}/appeals`, { json: { reason: `恶意${LONE}` }, token: staff }), 'rating appeal');
    });

    it('import cell values', async () => {
      const header = 'code,name,kind,district,street,address,lat,lng,coord_system,approximate,radius_m,capacity,goods,facilities,rules,manager_name,manager_phone,photos,schedule';
      const csv = `${header}\nNUL-1,夜市${NUL},夜市,呈贡区,,仕林街,30.1,85.1,wgs84,,80,10,小吃,,,,,,1-7 18:00-22:00\n`;
      const res = await api(t.baseUrl, '/api/v1/staff/stall-spots/import', { rawBody: csv, headers: { 'content-type': 'text/csv' }, token: staff });
      expect(res.status).toBe(422);
      expect(res.body.error.code).toBe('IMPORT_INVALID');
      expect(JSON.stringify(res.body.error.details)).toMatch(/name/);
    });

    it('a lone surrogate is never stored: the report with one is refused, the same text made whole is accepted', async () => {
      expectUnstorable(await submit(resident.token, { description: `井盖缺失很危险${'😀'[0]}` }), 'lone');
      const ok = await submit(resident.token, { description: '井盖缺失很危险😀' });
      expect(ok.status).toBe(201);
      expect(ok.body.report.description).toBe('井盖缺失很危险😀');
    });
  });

  describe('notices are cut by grapheme and never block the change they report', () => {
    it('a case rejected with an emoji note at the cut point is applied; the notice is whole', async () => {
      const { id, caseId } = await deliveredCase(resident.token);
      const rejected = await api(t.simulator.url, `/operator/requests/${caseId}/reject`, { json: { reason: '不属于受理范围', note: EMOJI_NOTE }, headers: { 'x-operator-key': TEST_CASE_API_KEY } });
      expect(rejected.status).toBe(200);
      const report = await waitFor(
        async () => {
          const r = (await api(t.baseUrl, `/api/v1/reports/${id}`, { token: resident.token })).body.report;
          return r.status === 'rejected' && r;
        },
        10_000,
        'the rejection to apply',
      );
      expect(report.timeline.at(-1).note).toBe(EMOJI_NOTE);
      const [notice] = await queryRows<{ data: { thing3: string } }>(
        t.database.db,
        sql`select data from notifications where user_id = ${resident.userId} and topic = 'report_status_changed' order by created_at desc limit 1`,
      );
      expect(hasLoneSurrogate(notice.data.thing3)).toBe(false);
      expect(Array.from(notice.data.thing3).length).toBeLessThanOrEqual(20);
      expect(notice.data.thing3.endsWith('…')).toBe(true);
      expect(EMOJI_NOTE.startsWith(notice.data.thing3.slice(0, -1))).toBe(true);
    });

    it('a notice that cannot be written is logged and the case update still applies', async () => {
      const victim = await loginResident(t.baseUrl, uniqueName('victim'));
      const { id, caseId } = await deliveredCase(victim.token);
      // A real database fault, scoped to this user's notices: the insert of the notice fails.
      const fn = `refuse_notices_${victim.userId.replace(/-/g, '')}`;
      await t.database.db.execute(
        sql.raw(`create function ${fn}() returns trigger language plpgsql as $$
        begin if new.user_id = '${victim.userId}' then raise exception 'notices are broken for this user'; end if; return new; end $$`),
      );
      await t.database.db.execute(sql.raw(`create trigger ${fn} before insert on notifications for each row execute function ${fn}()`));
      try {
        const ts = Math.floor(Date.now() / 1000);
        const raw = JSON.stringify({ update_id: uniqueName('u'), service_request_id: caseId, status: 'accepted', description: '已立案', updated_datetime: new Date().toISOString() });
        const res = await api(t.baseUrl, '/api/v1/hooks/case-system', {
          rawBody: raw,
          headers: { 'content-type': 'application/json', 'x-case-timestamp': String(ts), 'x-case-signature': signWebhook(TEST_WEBHOOK_SECRET, ts, raw) },
        });
        expect([res.status, res.body]).toEqual([200, { applied: true }]);
        expect((await api(t.baseUrl, `/api/v1/reports/${id}`, { token: victim.token })).body.report.status).toBe('accepted');
        expect(t.logs.some((l) => l.includes('notice not written'))).toBe(true);
      } finally {
        await t.database.db.execute(sql.raw(`drop trigger ${fn} on notifications`));
        await t.database.db.execute(sql.raw(`drop function ${fn}()`));
      }
    });

    it('suspending a followed spot with an emoji at the cut point notifies the follower with whole text', async () => {
      const spot = (await api(t.baseUrl, '/api/v1/staff/stall-spots', { json: stallSpotInput(), token: staff })).body.spot;
      const name = uniqueName('vendor');
      const vendor = await loginResident(t.baseUrl, name);
      expect((await api(t.baseUrl, `/api/v1/stall-spots/${spot.id}/follow`, { method: 'PUT', token: vendor.token })).status).toBe(200);
      const res = await api(t.baseUrl, `/api/v1/staff/stall-spots/${spot.id}/suspend`, { json: { reason: EMOJI_NOTE }, token: staff });
      expect(res.status).toBe(200);
      expect(res.body.spot.suspension.reason).toBe(EMOJI_NOTE);
      await t.notifications.drain();
      const sent = t.wechat.messages.filter((m) => m.touser === t.wechat.openidFor(name));
      expect(sent).toHaveLength(1);
      const thing3 = sent[0].data.thing3.value as string;
      expect(hasLoneSurrogate(thing3)).toBe(false);
      expect(thing3).toBe('不予立案说明不予立案说明不予立案说明😀…');
    });
  });

  describe('dates and cursors outside any real range are 400, not 500', () => {
    it('a cursor carrying a 16-digit timestamp', async () => {
      const cursor = Buffer.from(`9999999999999999|00000000-0000-4000-8000-000000000000`).toString('base64url');
      const res = await api(t.baseUrl, `/api/v1/me/reports?cursor=${cursor}`, { token: resident.token });
      expect([res.status, res.body.error?.code]).toEqual([400, 'VALIDATION_FAILED']);
    });

    it.each(['0000-01', '0000-12', '10000-01'])('reward figures for month %s', async (month) => {
      const res = await api(t.baseUrl, `/api/v1/staff/rewards/figures?month=${month}`, { token: staff });
      expect([res.status, res.body.error?.code]).toEqual([400, 'VALIDATION_FAILED']);
    });

    it.each([
      ['updated_datetime', { updated_datetime: '9999-12-31T23:00:00-05:00' }],
      ['updated_datetime (year 0)', { updated_datetime: '0000-01-01T00:00:00Z' }],
      ['expected_datetime', { updated_datetime: new Date().toISOString(), expected_datetime: '9999-12-31T23:00:00-05:00' }],
    ])('a signed webhook with %s in year 9999', async (_label, dates) => {
      const { id, caseId } = await deliveredCase(resident.token);
      const ts = Math.floor(Date.now() / 1000);
      const raw = JSON.stringify({ update_id: uniqueName('u'), service_request_id: caseId, status: 'accepted', description: '已立案', ...dates });
      const res = await api(t.baseUrl, '/api/v1/hooks/case-system', {
        rawBody: raw,
        headers: { 'content-type': 'application/json', 'x-case-timestamp': String(ts), 'x-case-signature': signWebhook(TEST_WEBHOOK_SECRET, ts, raw) },
      });
      expect([res.status, res.body.error?.code]).toEqual([400, 'VALIDATION_FAILED']);
      expect((await api(t.baseUrl, `/api/v1/reports/${id}`, { token: resident.token })).body.report.status).toBe('received');
    });

    it('stall times in year 9999 with a negative offset (the following year in UTC)', async () => {
      const spot = (await api(t.baseUrl, '/api/v1/staff/stall-spots', { json: stallSpotInput(), token: staff })).body.spot;
      const until = await api(t.baseUrl, `/api/v1/staff/stall-spots/${spot.id}/suspend`, { json: { reason: '施工', until: '9999-12-31T23:00:00-05:00' }, token: staff });
      expect([until.status, until.body.error?.code]).toEqual([400, 'VALIDATION_FAILED']);
      const at = await api(t.baseUrl, `/api/v1/stall-spots?lat=30&lng=85&openNow=true&at=${encodeURIComponent('9999-12-31T23:00:00-05:00')}`);
      expect([at.status, at.body.error?.code]).toEqual([400, 'VALIDATION_FAILED']);
    });
  });
});
