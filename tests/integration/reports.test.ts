import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { queryRows } from '../../bff/src/db/client';
import { CaseDeliveryDispatcher } from '../../bff/src/features/reports/case-delivery';
import { signWebhook } from '../../bff/src/ports/case-system/webhook-signature';
import { api, loginResident, PHOTOS_DIR, startTestApp, TEST_WEBHOOK_SECRET, uniqueName, uploadPhoto, waitFor, type TestApp } from '../support/test-app';

const JPEG = fs.readFileSync(path.join(PHOTOS_DIR, 'gps_DSCN0010.jpg'));

/** Somewhere no other suite reports, so nearby checks on a shared PostgreSQL see only this run. */
const randomSpot = () => ({ lat: 22 + Math.random() * 3, lng: 110 + Math.random() * 3 });

describe('随手拍 reports through the case system', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ caseSystem: true });
  });
  afterAll(() => t.close());

  async function resident() {
    const name = uniqueName('citizen');
    return { ...(await loginResident(t.baseUrl, name)), name };
  }

  async function submit(token: string, overrides: Record<string, unknown> = {}, key = uniqueName('key')) {
    const photo = await uploadPhoto(t.baseUrl, token, JPEG);
    expect(photo.status).toBe(201);
    const spot = randomSpot();
    const body = {
      category: 'exposed_garbage',
      description: '路边堆了很多生活垃圾，已经好几天没人清理',
      location: { ...spot, coordSystem: 'wgs84' },
      address: '测试路 8 号门口',
      photoIds: [photo.body.id],
      ...overrides,
    };
    const res = await api(t.baseUrl, '/api/v1/reports?coordSystem=wgs84', { json: body, token, headers: { 'idempotency-key': key } });
    return { res, body, key, photo: photo.body };
  }

  const getReport = async (token: string, id: string) => (await api(t.baseUrl, `/api/v1/reports/${id}?coordSystem=wgs84`, { token })).body.report;

  it('saves the report, delivers it anonymously, and follows the seven steps by signed webhook', async () => {
    const me = await resident();
    const { res, photo } = await submit(me.token);
    expect(res.status).toBe(201);
    const id = res.body.report.id;
    expect(res.body.report).toMatchObject({ status: 'submitted', statusName: '已提交', caseNumber: null, category: 'exposed_garbage', categoryName: '暴露垃圾' });
    expect(res.body.report.photos).toHaveLength(1);

    expect(await t.delivery.drain()).toBeGreaterThanOrEqual(1);
    const simulated = [...t.simulator.cases.values()].find((c) => c.clientRequestId === id)!;
    expect(simulated).toBeDefined();
    // 举报人保密: the case system never learns who reported (no user id, openid or name).
    expect(JSON.stringify(simulated)).not.toContain(me.userId);
    expect(JSON.stringify(simulated)).not.toContain(t.wechat.openidFor(me.name));
    const caseId = simulated.serviceRequestId;
    expect(Object.keys(simulated.form).filter((k) => /reporter/.test(k))).toEqual([]);

    const delivered = await getReport(me.token, id);
    expect(delivered.caseNumber).toBe(caseId);
    expect(delivered.status).toBe('received');

    // The case system can fetch the photo through the signed link it was given, without a token.
    const mediaUrl = simulated.form.media_url;
    expect(mediaUrl).toContain(photo.id);
    expect((await fetch(mediaUrl)).status).toBe(200);

    t.simulator.advance(caseId, 'register');
    t.simulator.advance(caseId, 'dispatch', { department: '市容环境卫生管理处', expected_datetime: '2026-12-01T18:00:00+08:00' });
    t.simulator.advance(caseId, 'handle', { note: '已清运完毕', media_urls: ['https://city.example/after/1.jpg'] });
    t.simulator.advance(caseId, 'close', { note: '经核查已解决' });
    const closed = await waitFor(
      async () => {
        const r = await getReport(me.token, id);
        return r.status === 'closed' ? r : undefined;
      },
      10_000,
      'the close webhook',
    );
    expect(closed).toMatchObject({ department: '市容环境卫生管理处', expectedAt: '2026-12-01T10:00:00.000Z', afterPhotos: ['https://city.example/after/1.jpg'] });
    const steps = closed.timeline.map((e: any) => e.status);
    expect(steps[0]).toBe('submitted');
    expect(steps).toEqual(expect.arrayContaining(['received', 'accepted', 'dispatched', 'handled', 'closed']));
    expect(steps.indexOf('accepted')).toBeLessThan(steps.indexOf('dispatched'));
    expect(steps.indexOf('handled')).toBeLessThan(steps.indexOf('closed'));
    expect(closed.timeline.find((e: any) => e.status === 'handled').note).toBe('已清运完毕');

    // The reporter hears about each step by subscribe message.
    await t.notifications.drain();
    const notices = t.wechat.messages.filter((m) => m.touser === t.wechat.openidFor(me.name));
    expect(notices.map((m) => m.data.phrase2.value)).toEqual(expect.arrayContaining(['已立案', '已派遣', '已处置', '已结案']));
  });

  it('answers a new report with exactly the detail GET shows, its photos in the order sent', async () => {
    const me = await resident();
    const more = [await uploadPhoto(t.baseUrl, me.token, JPEG), await uploadPhoto(t.baseUrl, me.token, JPEG)].map((p) => p.body.id as string);
    const first = (await uploadPhoto(t.baseUrl, me.token, JPEG)).body.id as string;
    const photoIds = [more[1], first, more[0]];
    const { res } = await submit(me.token, { photoIds });
    expect(res.status).toBe(201);
    const detail = await getReport(me.token, res.body.report.id);
    expect(res.body.report).toEqual(detail);
    expect(detail.photos.map((p: { id: string }) => p.id)).toEqual(photoIds);
    expect(detail.timeline).toHaveLength(1);
  });

  it('shows a rejection (不予立案) with its reason', async () => {
    const me = await resident();
    const { res } = await submit(me.token);
    await t.delivery.drain();
    const report = await getReport(me.token, res.body.report.id);
    t.simulator.advance(report.caseNumber, 'reject', { reason: '不属于城市管理职责范围，已转交物业' });
    const rejected = await waitFor(async () => {
      const r = await getReport(me.token, report.id);
      return r.status === 'rejected' ? r : undefined;
    });
    expect(rejected.statusName).toBe('不予立案');
    expect(rejected.timeline.at(-1).note).toContain('不属于城市管理职责范围');
  });

  describe('no report is lost', () => {
    it('waits as submitted while the case system answers 5xx, and is delivered when it recovers, even by a new dispatcher', async () => {
      const me = await resident();
      t.simulator.setFailure('http503');
      const { res } = await submit(me.token);
      const id = res.body.report.id;
      expect(await t.delivery.runOnce()).toBe(0);
      expect((await getReport(me.token, id)).status).toBe('submitted');
      const [job] = await queryRows<{ attempts: number; status: string; last_error: string }>(t.database.db, sql`select attempts, status, last_error from case_outbox where report_id = ${id}`);
      expect(job).toMatchObject({ attempts: 1, status: 'pending' });
      t.simulator.setFailure('none');
      // Time passes (the backoff elapses) and the BFF restarts: a fresh dispatcher finds the job in the database.
      await t.database.db.execute(sql`update case_outbox set next_attempt_at = now() where report_id = ${id}`);
      const restarted = new CaseDeliveryDispatcher((t.delivery as unknown as { deps: ConstructorParameters<typeof CaseDeliveryDispatcher>[0] }).deps);
      expect(await restarted.runOnce()).toBeGreaterThanOrEqual(1);
      expect((await getReport(me.token, id)).status).toBe('received');
    });

    it('once the case system answers again, releases every queued report from its backoff', async () => {
      const me = await resident();
      t.simulator.setFailure('http503');
      const ids = [(await submit(me.token)).res.body.report.id, (await submit(me.token)).res.body.report.id];
      await t.delivery.drain();
      t.simulator.setFailure('none');
      // Only the first one's backoff has elapsed; the second would wait its turn without the release.
      await t.database.db.execute(sql`update case_outbox set next_attempt_at = now() where report_id = ${ids[0]}`);
      await t.delivery.drain();
      await t.delivery.drain();
      for (const id of ids) expect((await getReport(me.token, id)).status).toBe('received');
    });

    it('creates the case once even when delivery is repeated', async () => {
      const me = await resident();
      const { res } = await submit(me.token);
      const id = res.body.report.id;
      await t.delivery.drain();
      // As if the BFF crashed after the case system answered but before our commit: deliver again.
      await t.database.db.execute(sql`update case_outbox set status = 'pending', next_attempt_at = now() where report_id = ${id}`);
      await t.database.db.execute(sql`update reports set case_id = null where id = ${id}`);
      await t.delivery.drain();
      const matching = [...t.simulator.cases.values()].filter((c) => c.clientRequestId === id);
      expect(matching).toHaveLength(1);
    });
  });

  describe('idempotency and validation', () => {
    it('replays the same key and body, refuses the same key with another body, and wants a key', async () => {
      const me = await resident();
      const first = await submit(me.token);
      const again = await api(t.baseUrl, '/api/v1/reports', { json: first.body, token: me.token, headers: { 'idempotency-key': first.key } });
      expect(again.status).toBe(200);
      expect(again.body.report.id).toBe(first.res.body.report.id);
      const changed = await api(t.baseUrl, '/api/v1/reports', { json: { ...first.body, description: '另一个不同的问题描述内容' }, token: me.token, headers: { 'idempotency-key': first.key } });
      expect(changed.status).toBe(409);
      expect(changed.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
      const noKey = await api(t.baseUrl, '/api/v1/reports', { json: first.body, token: me.token });
      expect(noKey.status).toBe(400);
      expect(noKey.body.error.code).toBe('IDEMPOTENCY_KEY_REQUIRED');
      for (const bad of ['k'.repeat(101), 'key with spaces']) {
        const res = await api(t.baseUrl, '/api/v1/reports', { json: first.body, token: me.token, headers: { 'idempotency-key': bad } });
        expect([bad, res.status, res.body.error.code, res.body.error.details]).toEqual([bad, 400, 'IDEMPOTENCY_KEY_INVALID', expect.objectContaining({ header: 'Idempotency-Key', maxLength: 100 })]);
      }
      const count = await queryRows(t.database.db, sql`select 1 from reports where user_id = ${me.userId}`);
      expect(count).toHaveLength(1);
    });

    it('keeps the street (街道) when the client knows it, for the published figures', async () => {
      const me = await resident();
      const { res } = await submit(me.token, { street: '吴井街道' });
      expect(res.status).toBe(201);
      const [row] = await queryRows<{ street: string | null }>(t.database.db, sql`select street from reports where id = ${res.body.report.id}`);
      expect(row.street).toBe('吴井街道');
    });

    it.each([
      ['a missing category', { category: undefined }],
      ['an unknown category', { category: 'ufo_sighting' }],
      ['latitude out of range', { location: { lat: 95, lng: 110, coordSystem: 'wgs84' } }],
      ['an unknown coordinate system', { location: { lat: 23, lng: 110, coordSystem: 'bd09' } }],
      ['too many photos', { photoIds: Array.from({ length: 10 }, () => '00000000-0000-4000-8000-000000000000') }],
      ['no photo where one is required', { photoIds: [] }],
      ['a description too short', { description: '垃圾' }],
      ['a description of 501 Chinese characters', { description: '垃'.repeat(501) }],
      ['a numeric description', { description: 12345 }],
      ['an unknown field', { reward: 100 }],
      ['a street of 51 characters', { street: '街'.repeat(51) }],
      ['a numeric street', { street: 7 }],
    ])('%s → 400 VALIDATION_FAILED', async (_label, overrides) => {
      const me = await resident();
      const { res } = await submit(me.token, overrides);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
    });

    it('accepts 500 Chinese characters (the limit counts characters, not bytes)', async () => {
      const me = await resident();
      const { res } = await submit(me.token, { description: '垃'.repeat(500) });
      expect(res.status).toBe(201);
    });

    it("refuses someone else's photo and a photo already used", async () => {
      const me = await resident();
      const other = await resident();
      const theirs = await uploadPhoto(t.baseUrl, other.token, JPEG);
      const { res } = await submit(me.token, { photoIds: [theirs.body.id] });
      expect(res.status).toBe(400);
      const used = await submit(me.token);
      const reuse = await submit(me.token, { photoIds: [used.photo.id] });
      expect(reuse.res.status).toBe(400);
    });

    it('refuses blocked residents', async () => {
      const me = await resident();
      await t.database.db.execute(sql`update users set blocked_at = now() where id = ${me.userId}`);
      const photo = await uploadPhoto(t.baseUrl, me.token, JPEG);
      expect(photo.status).toBe(403);
      expect(photo.body.error.code).toBe('USER_BLOCKED');
    });
  });

  describe('following my reports', () => {
    it("lists only my reports, newest first with cursor paging, and hides others' reports as 404", async () => {
      const me = await resident();
      const other = await resident();
      const ids = [];
      for (let i = 0; i < 3; i += 1) ids.push((await submit(me.token)).res.body.report.id);
      const theirs = (await submit(other.token)).res.body.report.id;
      const page1 = await api(t.baseUrl, '/api/v1/me/reports?limit=2', { token: me.token });
      const page2 = await api(t.baseUrl, `/api/v1/me/reports?limit=2&cursor=${page1.body.nextCursor}`, { token: me.token });
      expect([...page1.body.items, ...page2.body.items].map((r: any) => r.id)).toEqual([...ids].reverse());
      expect(page2.body.nextCursor).toBeNull();
      expect(page1.body.items[0].thumbUrl).toMatch(/\/thumb\?exp=/);
      const peek = await api(t.baseUrl, `/api/v1/reports/${theirs}`, { token: me.token });
      expect(peek.status).toBe(404);
      expect((await api(t.baseUrl, '/api/v1/reports/not-a-uuid', { token: me.token })).status).toBe(404);
      expect((await api(t.baseUrl, `/api/v1/reports/${theirs}`)).status).toBe(401);
      const staff = await t.staffToken();
      const asStaff = await api(t.baseUrl, `/api/v1/staff/reports/${theirs}`, { token: staff });
      expect(asStaff.status).toBe(200);
      expect((await fetch(t.baseUrl + asStaff.body.report.photos[0].url)).status).toBe(200);
      expect((await api(t.baseUrl, `/api/v1/staff/reports/${theirs}`, { token: me.token })).status).toBe(401);
    });

    it('shows open reports of the same category nearby, without who reported them', async () => {
      const me = await resident();
      const first = await submit(me.token);
      const neighbour = await resident();
      const { lat, lng } = first.body.location as { lat: number; lng: number };
      const near = await api(t.baseUrl, `/api/v1/reports/nearby?category=exposed_garbage&lat=${lat + 0.0002}&lng=${lng}&coordSystem=wgs84`, { token: neighbour.token });
      expect(near.status).toBe(200);
      expect(near.body.items).toHaveLength(1);
      expect(near.body.items[0]).toEqual({
        id: first.res.body.report.id,
        category: 'exposed_garbage',
        categoryName: '暴露垃圾',
        status: 'submitted',
        statusName: '已提交',
        address: '测试路 8 号门口',
        distanceMeters: 22,
        location: { lat: Math.round(lat * 1e7) / 1e7, lng: Math.round(lng * 1e7) / 1e7 },
        createdAt: expect.any(String),
        own: false,
        followed: false,
        followers: 0,
      });
      const otherCategory = await api(t.baseUrl, `/api/v1/reports/nearby?category=street_light&lat=${lat}&lng=${lng}&coordSystem=wgs84`, { token: neighbour.token });
      expect(otherCategory.body.items).toEqual([]);
      const far = await api(t.baseUrl, `/api/v1/reports/nearby?category=exposed_garbage&lat=${lat + 0.01}&lng=${lng}&coordSystem=wgs84`, { token: neighbour.token });
      expect(far.body.items).toEqual([]);
      expect((await api(t.baseUrl, `/api/v1/reports/nearby?category=exposed_garbage&lat=abc&lng=1`, { token: neighbour.token })).status).toBe(400);
    });
  });

  describe('webhooks', () => {
    async function deliveredReport() {
      const me = await resident();
      const { res } = await submit(me.token);
      await t.delivery.drain();
      return { me, report: await getReport(me.token, res.body.report.id) };
    }
    const push = (body: Record<string, unknown>, opts: { secret?: string; timestamp?: number } = {}) => {
      const raw = JSON.stringify(body);
      const ts = opts.timestamp ?? Math.floor(Date.now() / 1000);
      return api(t.baseUrl, '/api/v1/hooks/case-system', {
        rawBody: raw,
        headers: { 'content-type': 'application/json', 'x-case-timestamp': String(ts), 'x-case-signature': signWebhook(opts.secret ?? TEST_WEBHOOK_SECRET, ts, raw) },
      });
    };
    const update = (caseId: string, status: string, at: string, id = uniqueName('u')) => ({ update_id: id, service_request_id: caseId, status, description: `${status} note`, updated_datetime: at });

    it('refuses forged and stale signatures', async () => {
      const { report } = await deliveredReport();
      const forged = await push(update(report.caseNumber, 'accepted', new Date().toISOString()), { secret: 'not-the-shared-secret' });
      expect(forged.status).toBe(401);
      expect(forged.body.error.code).toBe('WEBHOOK_SIGNATURE_INVALID');
      const stale = await push(update(report.caseNumber, 'accepted', new Date().toISOString()), { timestamp: Math.floor(Date.now() / 1000) - 3600 });
      expect(stale.status).toBe(401);
      const unsigned = await api(t.baseUrl, '/api/v1/hooks/case-system', { json: update(report.caseNumber, 'accepted', new Date().toISOString()) });
      expect(unsigned.status).toBe(401);
    });

    it('applies a replayed update once and never moves a report backwards', async () => {
      const { me, report } = await deliveredReport();
      const later = update(report.caseNumber, 'closed', '2030-01-02T00:00:00Z');
      expect((await push(later)).body).toEqual({ applied: true });
      expect((await push(later)).body).toEqual({ applied: false });
      const earlier = update(report.caseNumber, 'dispatched', '2030-01-01T00:00:00Z');
      expect((await push(earlier)).body).toEqual({ applied: true });
      const after = await getReport(me.token, report.id);
      expect(after.status).toBe('closed');
      expect(after.timeline.filter((e: any) => e.status === 'closed')).toHaveLength(1);
      expect(after.timeline.map((e: any) => e.status).slice(-2)).toEqual(['dispatched', 'closed']);
    });

    it('refuses malformed payloads with 400, unknown cases with 404', async () => {
      const { report } = await deliveredReport();
      expect((await push({ ...update(report.caseNumber, 'accepted', new Date().toISOString()), status: 'teleported' })).status).toBe(400);
      expect((await push(update('NO-SUCH-CASE', 'accepted', new Date().toISOString()))).status).toBe(404);
    });
  });
});

describe('polling fallback', () => {
  it('catches up on updates whose webhooks never arrived', async () => {
    // The simulator signs with the wrong secret, so every push is refused; only polling can help.
    const t = await startTestApp({ caseSystem: true, simulatorWebhookSecret: 'a-secret-the-bff-does-not-share' });
    try {
      const { token } = await loginResident(t.baseUrl, uniqueName('poller'));
      const photo = await uploadPhoto(t.baseUrl, token, JPEG);
      const res = await api(t.baseUrl, '/api/v1/reports', {
        json: { category: 'street_light', description: '路灯一整晚都不亮', location: { ...randomSpot(), coordSystem: 'wgs84' }, address: '测试大道 1 号', photoIds: [photo.body.id] },
        token,
        headers: { 'idempotency-key': uniqueName('k') },
      });
      await t.delivery.drain();
      const caseId = (await api(t.baseUrl, `/api/v1/reports/${res.body.report.id}`, { token })).body.report.caseNumber;
      t.simulator.advance(caseId, 'register');
      t.simulator.advance(caseId, 'dispatch', { department: '路灯管理所' });
      expect(await t.pollCases()).toBeGreaterThanOrEqual(2);
      const report = (await api(t.baseUrl, `/api/v1/reports/${res.body.report.id}`, { token })).body.report;
      expect(report).toMatchObject({ status: 'dispatched', department: '路灯管理所' });
      expect(t.logs.join('\n')).toContain('case webhook refused');
    } finally {
      await t.close();
    }
  });
});
