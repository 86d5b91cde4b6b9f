import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { REPORT_CATEGORIES } from '@cityloop/shared';
import { startCaseSimulator, type CaseSimulator } from '../../bff/src/dev/case-simulator/simulator';
import { Open311CaseSystem } from '../../bff/src/ports/case-system/open311-case-system';
import { api } from '../support/test-app';

import { API_KEY, created, caseError, newCase, operator, steppingClock } from '../support/case-system-helpers';

describe('Open311 adapter against the case-system simulator', () => {
  let sim: CaseSimulator;
  let cs: Open311CaseSystem;
  beforeAll(async () => {
    sim = await startCaseSimulator({ apiKey: API_KEY, now: steppingClock() });
    cs = new Open311CaseSystem({ baseUrl: sim.url, apiKey: API_KEY, timeoutMs: 2000 });
  });
  afterAll(() => sim.close());
  afterEach(() => sim.setFailure('none'));

  it('numbers cases apart across restarts, so a restarted simulator never reissues a stored case number', async () => {
    // The simulator keeps cases in memory: a restart is a new simulator with the same settings.
    const numbers = new Set<string>();
    for (let start = 0; start < 3; start += 1) {
      const restarted = await startCaseSimulator({ apiKey: API_KEY, now: () => new Date('2026-11-22T02:00:00Z') });
      try {
        numbers.add((await created(new Open311CaseSystem({ baseUrl: restarted.url, apiKey: API_KEY, timeoutMs: 2000 }), newCase())).caseId);
      } finally {
        await restarted.close();
      }
    }
    expect(numbers.size).toBe(3);
  });

  it('lists a service for every report category', async () => {
    const services = await cs.listServices();
    for (const cat of REPORT_CATEGORIES) {
      expect(services).toContainEqual(expect.objectContaining({ serviceCode: cat.serviceCode, serviceName: cat.name, group: cat.group, metadata: true, type: 'realtime' }));
    }
    const raw = await api(sim.url, '/services.json');
    // The spec's keywords are one comma-separated string; metadata is true where a service has attributes.
    expect(raw.body[0]).toMatchObject({ metadata: true, type: 'realtime', keywords: expect.stringMatching(/^exposed_garbage, /) });
  });

  it('creates a case with a city-style number; a repeat with the same clientRequestId is the same case', async () => {
    const input = newCase();
    const first = await created(cs, input);
    expect(first.caseId).toMatch(/^CG2026112\d-[0-9A-Z]{5}-\d{6}$/);
    const again = await created(cs, { ...input, description: '重复提交' });
    expect(again.caseId).toBe(first.caseId);
    expect([...sim.cases.values()].filter((c) => c.clientRequestId === input.clientRequestId)).toHaveLength(1);

    const other = await created(cs, newCase());
    expect(other.caseId).not.toBe(first.caseId);

    // The form: Open311 fields, one media_url, the other photos and our id as extension attributes.
    const form = sim.cases.get(first.caseId)!.form;
    expect(form).toEqual({
      service_code: 'SJ-0401',
      lat: '24.8801',
      long: '102.8329',
      address_string: input.address,
      description: input.description,
      media_url: input.mediaUrls[0],
      'attribute[client_request_id]': input.clientRequestId,
      'attribute[media_urls]': JSON.stringify(input.mediaUrls.slice(1)),
    });
  });

  it('sends no reporter identity unless one is given', async () => {
    const anonymous = await created(cs, newCase({ mediaUrls: ['https://media.cityloop.example/p/only.webp'] }));
    const anonForm = sim.cases.get(anonymous.caseId)!.form;
    expect(Object.keys(anonForm).filter((k) => /reporter|user|openid|phone|email|name/i.test(k))).toEqual([]);
    expect(anonForm).not.toHaveProperty('attribute[media_urls]');

    const named = await created(cs, newCase({ reporter: { id: 'user-42' } }));
    expect(sim.cases.get(named.caseId)!.form['attribute[reporter_id]']).toBe('user-42');
    // …and the case system never gives it back out.
    const raw = await api(sim.url, `/requests/${named.caseId}.json?extensions=true`);
    expect(JSON.stringify(raw.body)).not.toContain('user-42');
  });

  it('follows a case through the loop: received → accepted → dispatched → handled → closed, each with its note', async () => {
    const { caseId } = await created(cs, newCase());
    const received = await cs.getCase(caseId);
    expect(received).toMatchObject({ caseId, status: 'received', department: null, expectedAt: null });
    expect(received.updates).toHaveLength(1);
    expect(received.updates[0]).toMatchObject({ caseId, status: 'received', note: expect.stringContaining(caseId), mediaUrls: [] });

    expect((await operator(sim, caseId, 'register')).status).toBe(200);
    const accepted = await cs.getCase(caseId);
    expect(accepted).toMatchObject({ status: 'accepted', note: '已立案，等待派遣' });

    const expected = '2026-11-25T18:00:00+08:00';
    const dispatched = await operator(sim, caseId, 'dispatch', { department: '城市管理综合执法大队', expected_datetime: expected });
    expect(dispatched.status).toBe(200);
    expect(dispatched.body).toMatchObject({ service_request_id: caseId, status: 'open', agency_responsible: '城市管理综合执法大队' });
    const afterDispatch = await cs.getCase(caseId);
    expect(afterDispatch).toMatchObject({ status: 'dispatched', note: '已派遣至 城市管理综合执法大队', department: '城市管理综合执法大队' });
    expect(afterDispatch.expectedAt?.toISOString()).toBe('2026-11-25T10:00:00.000Z');

    const afterPhotos = ['https://city.example/after/1.jpg', 'https://city.example/after/2.jpg'];
    expect((await operator(sim, caseId, 'handle', { note: '摊贩已劝离，路面已清理', media_urls: afterPhotos })).status).toBe(200);
    expect(await cs.getCase(caseId)).toMatchObject({ status: 'handled', note: '摊贩已劝离，路面已清理' });

    const closed = await operator(sim, caseId, 'close');
    expect(closed.body.status).toBe('closed');
    const snapshot = await cs.getCase(caseId);
    expect(snapshot).toMatchObject({ caseId, status: 'closed', note: '经核查，问题已解决，予以结案', department: '城市管理综合执法大队' });

    // The whole timeline, oldest first, each update once, with the official notes and times.
    expect(snapshot.updates.map((u) => [u.status, u.note])).toEqual([
      ['received', `已受理，案件编号 ${caseId}`],
      ['accepted', '已立案，等待派遣'],
      ['dispatched', '已派遣至 城市管理综合执法大队'],
      ['handled', '摊贩已劝离，路面已清理'],
      ['closed', '经核查，问题已解决，予以结案'],
    ]);
    expect(new Set(snapshot.updates.map((u) => u.updateId)).size).toBe(5);
    const times = snapshot.updates.map((u) => u.updatedAt.getTime());
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(new Set(times).size).toBe(5);
    expect(snapshot.updatedAt.getTime()).toBe(times[4]);
    expect(snapshot.updates.map((u) => u.department)).toEqual([null, null, '城市管理综合执法大队', '城市管理综合执法大队', '城市管理综合执法大队']);
    expect(snapshot.updates[2].expectedAt?.toISOString()).toBe('2026-11-25T10:00:00.000Z');
    expect(snapshot.updates[1].expectedAt).toBeNull();
    expect(snapshot.updates.map((u) => u.mediaUrls)).toEqual([[], [], [], afterPhotos, []]);
  });

  it('dispatch without a date expects the result three days later, at a default department for the category', async () => {
    const { caseId } = await created(cs, newCase({ serviceCode: 'BJ-0201' }));
    sim.advance(caseId, 'register');
    sim.advance(caseId, 'dispatch');
    const snapshot = await cs.getCase(caseId);
    expect(snapshot.department).toBe('交通运输局');
    const dispatchedAt = snapshot.updates[2].updatedAt.getTime();
    expect(snapshot.expectedAt!.getTime() - dispatchedAt).toBe(3 * 24 * 3600_000);
  });

  it('不予立案 needs a reason and shows it', async () => {
    const { caseId } = await created(cs, newCase());
    const noReason = await operator(sim, caseId, 'reject', {});
    expect(noReason.status).toBe(400);
    expect(noReason.body).toEqual([{ code: 400, description: 'reason is required' }]);

    expect((await operator(sim, caseId, 'reject', { reason: '该点位属于商场内部管理区域，不属于城管受理范围' })).status).toBe(200);
    const snapshot = await cs.getCase(caseId);
    expect(snapshot.status).toBe('rejected');
    expect(snapshot.note).toBe('不予立案：该点位属于商场内部管理区域，不属于城管受理范围');
    expect(snapshot.updates.at(-1)).toMatchObject({ status: 'rejected', note: snapshot.note });
    const raw = await api(sim.url, `/requests/${caseId}.json`);
    expect(raw.body[0].status).toBe('closed'); // Open311 core status
    expect(raw.body[0]).not.toHaveProperty('extended_attributes');
  });

  it('merges a case into an earlier one', async () => {
    const earlier = await created(cs, newCase());
    const later = await created(cs, newCase());
    sim.advance(earlier.caseId, 'register');
    const missing = await operator(sim, later.caseId, 'merge', { into: 'CG19990101-999999' });
    expect(missing.status).toBe(400);
    expect((await operator(sim, later.caseId, 'merge', { into: earlier.caseId })).status).toBe(200);
    const snapshot = await cs.getCase(later.caseId);
    expect(snapshot.status).toBe('duplicate');
    expect(snapshot.updates.at(-1)).toMatchObject({ status: 'duplicate', mergedInto: earlier.caseId, note: expect.stringContaining(earlier.caseId) });
    expect(snapshot.updates[0].mergedInto).toBeNull();
  });

  it('refuses steps out of order with 409, and operator calls without the key with 403', async () => {
    const { caseId } = await created(cs, newCase());
    const early = await operator(sim, caseId, 'dispatch', { department: '市容环境卫生管理处' });
    expect(early.status).toBe(409);
    expect(early.body).toEqual([{ code: 409, description: expect.stringContaining('dispatch') }]);
    sim.advance(caseId, 'register');
    expect((await operator(sim, caseId, 'close')).status).toBe(409);
    expect((await operator(sim, caseId, 'reopen', { reason: 'x' })).status).toBe(409);
    expect((await operator(sim, caseId, 'fly')).status).toBe(404);
    expect((await operator(sim, 'CG19990101-999999', 'register')).status).toBe(404);
    expect((await operator(sim, caseId, 'dispatch', {}, 'wrong-key')).status).toBe(403);
    expect((await api(sim.url, '/operator/requests')).status).toBe(403);
    const list = await api(sim.url, '/operator/requests', { headers: { 'x-operator-key': API_KEY } });
    expect(list.status).toBe(200);
    expect(list.body.map((c: { service_request_id: string }) => c.service_request_id)).toContain(caseId);
    expect((await cs.getCase(caseId)).updates.map((u) => u.status)).toEqual(['received', 'accepted']);
  });

  it('rework after close reopens the case; before close it is refused and not retryable', async () => {
    const { caseId } = await created(cs, newCase());
    const early = await caseError(cs.requestRework(caseId, '问题仍然存在'));
    expect(early).toMatchObject({ retryable: false, status: 409 });

    for (const action of ['register', 'dispatch', 'handle', 'close'] as const) sim.advance(caseId, action);
    await cs.requestRework(caseId, '摊贩第二天又回来了，问题仍然存在');
    const snapshot = await cs.getCase(caseId);
    expect(snapshot.status).toBe('reopened');
    expect(snapshot.note).toBe('重新办理：摊贩第二天又回来了，问题仍然存在');
    expect(snapshot.updates.map((u) => u.status)).toEqual(['received', 'accepted', 'dispatched', 'handled', 'closed', 'reopened']);
    // …and the loop continues from there.
    sim.advance(caseId, 'handle', { media_urls: ['https://city.example/after/again.jpg'] });
    sim.advance(caseId, 'close');
    expect((await cs.getCase(caseId)).status).toBe('closed');
  });

  it('validates what it is sent: unknown service, bad coordinates', async () => {
    const unknown = await caseError(cs.createCase(newCase({ serviceCode: 'XX-9999' })));
    // The spec: a service_code that does not exist is 404, one that is missing 400.
    expect(unknown).toMatchObject({ retryable: false, status: 404, message: 'service_code XX-9999 not found' });
    const badLat = await caseError(cs.createCase(newCase({ lat: Number.NaN })));
    expect(badLat).toMatchObject({ retryable: false, status: 400 });
    const farAway = await caseError(cs.createCase(newCase({ lat: 124.88 })));
    expect(farAway).toMatchObject({ retryable: false, status: 400 });
  });

  it('a wrong api_key → 403, not retryable, and the key is not in the message', async () => {
    const wrongKey = 'wrong-key-that-must-not-leak';
    const bad = new Open311CaseSystem({ baseUrl: sim.url, apiKey: wrongKey, timeoutMs: 2000 });
    const err = await caseError(bad.createCase(newCase()));
    expect(err).toMatchObject({ retryable: false, status: 403, message: 'Invalid api_key' });
    expect(`${err.message} ${err.stack}`).not.toContain(wrongKey);
    const rework = await caseError(bad.requestRework('CG20261122-000001', 'x'));
    expect(rework).toMatchObject({ retryable: false, status: 403 });
  });

  it('an unknown case → 404, not retryable', async () => {
    const err = await caseError(cs.getCase('CG19990101-999999'));
    expect(err).toMatchObject({ retryable: false, status: 404 });
  });

  it('a case system answering 503 → retryable, for every call', async () => {
    const { caseId } = await created(cs, newCase());
    sim.setFailure('http503');
    const errors = await Promise.all([cs.listServices(), cs.createCase(newCase()), cs.getCase(caseId), cs.requestRework(caseId, 'x')].map(caseError));
    for (const err of errors) expect(err).toMatchObject({ retryable: true, status: 503 });
    sim.setFailure('none');
    expect((await cs.getCase(caseId)).status).toBe('received');
  });

  it('a case system that hangs → retryable after the adapter timeout, quickly', async () => {
    const impatient = new Open311CaseSystem({ baseUrl: sim.url, apiKey: API_KEY, timeoutMs: 300 });
    sim.setFailure('hang');
    const started = Date.now();
    const err = await caseError(impatient.createCase(newCase()));
    expect(err.retryable).toBe(true);
    expect(err.status).toBeUndefined();
    expect(err.message).toContain('timed out after 300 ms');
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('a case system that is down (connection refused) → retryable', async () => {
    const gone = await startCaseSimulator({ apiKey: API_KEY });
    const url = gone.url;
    await gone.close();
    const err = await caseError(new Open311CaseSystem({ baseUrl: url, apiKey: API_KEY, timeoutMs: 2000 }).listServices());
    expect(err).toMatchObject({ retryable: true, status: undefined });
  });

  it('a case system answering something that is not Open311 JSON → retryable', async () => {
    const gateway = http.createServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>502 gateway</html>');
    });
    await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve));
    const { port } = gateway.address() as AddressInfo;
    try {
      const odd = new Open311CaseSystem({ baseUrl: `http://127.0.0.1:${port}/open311/v2`, apiKey: API_KEY, timeoutMs: 2000 });
      expect(await caseError(odd.getCase('CG20261122-000001'))).toMatchObject({ retryable: true });
      expect(await caseError(odd.createCase(newCase()))).toMatchObject({ retryable: true });
    } finally {
      gateway.closeAllConnections();
      await new Promise((resolve) => gateway.close(resolve));
    }
  });

  it('keeps a path prefix and sends jurisdiction_id', async () => {
    const seen: string[] = [];
    const proxy = http.createServer(async (req, res) => {
      seen.push(req.url ?? '');
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const upstream = await fetch(sim.url + (req.url ?? '').replace('/open311/v2', ''), {
        method: req.method,
        headers: { 'content-type': String(req.headers['content-type'] ?? 'text/plain') },
        body: req.method === 'POST' ? Buffer.concat(chunks) : undefined,
      });
      res.writeHead(upstream.status, { 'content-type': 'application/json' });
      res.end(await upstream.text());
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const { port } = proxy.address() as AddressInfo;
    try {
      const prefixed = new Open311CaseSystem({ baseUrl: `http://127.0.0.1:${port}/open311/v2`, apiKey: API_KEY, jurisdictionId: 'kunming.gov.cn', timeoutMs: 2000 });
      const { caseId } = await created(prefixed, newCase());
      expect(sim.cases.get(caseId)!.form.jurisdiction_id).toBe('kunming.gov.cn');
      expect((await prefixed.getCase(caseId)).status).toBe('received');
      // The service list and definition come first, to know which attributes the service declares.
      expect(seen.slice(0, 3)).toEqual(['/open311/v2/services.json?jurisdiction_id=kunming.gov.cn', '/open311/v2/services/SJ-0401.json?jurisdiction_id=kunming.gov.cn', '/open311/v2/requests.json']);
      expect(seen[3]).toBe(`/open311/v2/requests/${caseId}.json?jurisdiction_id=kunming.gov.cn&extensions=true`);
      expect(seen.join(' ')).not.toContain(API_KEY);
    } finally {
      proxy.closeAllConnections();
      await new Promise((resolve) => proxy.close(resolve));
    }
  });
});
