import fs from 'node:fs';
import path from 'node:path';
import { eq, inArray } from 'drizzle-orm';
import { startCaseSimulator, type CaseSimulator } from '../../bff/src/dev/case-simulator/simulator';
import { caseOutbox, reports } from '../../bff/src/db/schema';
import { CaseDeliveryDispatcher, pollOpenCases } from '../../bff/src/features/reports/case-delivery';
import { PhotoUrlSigner } from '../../bff/src/features/photos/photo-urls';
import { createLogger } from '../../bff/src/logger';
import { Open311CaseSystem } from '../../bff/src/ports/case-system/open311-case-system';
import { api, loginResident, PHOTOS_DIR, startTestApp, uniqueName, uploadPhoto, type TestApp } from '../support/test-app';

const JPEG = fs.readFileSync(path.join(PHOTOS_DIR, 'gps_DSCN0010.jpg'));
const API_KEY = 'blackbox-sim-key-0123456789';

/**
 * A city whose service is blackbox (Open311: neither id nor token comes back). Delivery must not count
 * that as a failure to retry (each retry would be one more case on a server that does not dedupe):
 * the report is delivered without a number, and the number is found when the poll runs.
 */
describe.each(['json', 'xml'] as const)('delivery to a blackbox service (%s)', (format) => {
  let t: TestApp;
  let sim: CaseSimulator;
  let delivery: CaseDeliveryDispatcher;
  let caseSystem: Open311CaseSystem;
  const logger = createLogger('silent');
  beforeAll(async () => {
    t = await startTestApp();
    sim = await startCaseSimulator({ apiKey: API_KEY, serviceTypes: { 'SJ-0101': 'blackbox' } });
    caseSystem = new Open311CaseSystem({ baseUrl: sim.url, apiKey: API_KEY, timeoutMs: 2000, format });
    delivery = new CaseDeliveryDispatcher({
      db: t.database.db,
      caseSystem,
      signer: new PhotoUrlSigner('blackbox-photo-url-secret-at-least-32-chars'),
      publicBaseUrl: t.baseUrl,
      shareReporterIdentity: false,
      logger,
      now: () => new Date(),
    });
  });
  afterAll(async () => {
    await delivery.stop();
    await sim.close();
    await t.close();
  });

  async function submit(me: { token: string }): Promise<string> {
    const photo = await uploadPhoto(t.baseUrl, me.token, JPEG);
    const body = {
      category: 'exposed_garbage',
      description: '路边堆了很多生活垃圾',
      location: { lat: 23 + Math.random(), lng: 111 + Math.random(), coordSystem: 'wgs84' },
      address: '测试路 8 号',
      photoIds: [photo.body.id],
    };
    const res = await api(t.baseUrl, '/api/v1/reports?coordSystem=wgs84', { json: body, token: me.token, headers: { 'idempotency-key': uniqueName('key') } });
    expect(res.status).toBe(201);
    return res.body.report.id as string;
  }

  it('delivers once, without a number, and finds the number by our report id when it polls', async () => {
    const me = await loginResident(t.baseUrl, uniqueName('citizen'));
    const id = await submit(me);

    expect(await delivery.drain()).toBe(1);
    expect(sim.cases.size).toBe(1);
    const [row] = await t.database.db.select().from(reports).where(eq(reports.id, id));
    expect(row).toMatchObject({ status: 'received', caseId: null, deliveredWithoutIdAt: expect.any(Date) });
    const jobs = await t.database.db.select().from(caseOutbox).where(eq(caseOutbox.reportId, id));
    expect(jobs.map((j) => j.status)).toEqual(['done']);
    // Nothing is posted again.
    expect(await delivery.drain()).toBe(0);
    expect(sim.cases.size).toBe(1);

    const caseId = [...sim.cases.keys()][0];
    sim.advance(caseId, 'register');
    await pollOpenCases({ db: t.database.db, caseSystem, logger }, { olderThanSeconds: 0, batch: 10 });
    const report = (await api(t.baseUrl, `/api/v1/reports/${id}?coordSystem=wgs84`, { token: me.token })).body.report;
    expect(report).toMatchObject({ caseNumber: caseId, status: 'accepted' });
    const [after] = await t.database.db.select().from(reports).where(eq(reports.id, id));
    expect(after.caseToken).toBeNull();
  });

  it('does not let a case the server never shows keep the next report from being looked up', async () => {
    const me = await loginResident(t.baseUrl, uniqueName('citizen'));
    const lost = await submit(me);
    expect(await delivery.drain()).toBe(1);
    const lostCase = [...sim.cases.keys()].at(-1)!;
    expect(sim.lose(lostCase)).toBe(true); // the server took it and then lost it: no lookup will ever find it
    const next = await submit(me);
    expect(await delivery.drain()).toBe(1);

    // One lookup a run: the first looks for the lost one, the second must move on to the next report.
    const deps = { db: t.database.db, caseSystem, logger };
    await pollOpenCases(deps, { olderThanSeconds: 0, batch: 1 });
    await pollOpenCases(deps, { olderThanSeconds: 0, batch: 1 });
    const rows = await t.database.db
      .select()
      .from(reports)
      .where(inArray(reports.id, [lost, next]));
    const byId = new Map(rows.map((r) => [r.id, r]));
    expect(byId.get(lost)).toMatchObject({ caseId: null, caseLookupAt: expect.any(Date) });
    expect(byId.get(next)!.caseId).toEqual(expect.any(String));
  });
});
