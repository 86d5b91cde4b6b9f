import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startCaseSimulator, type CaseSimulator, type CaseSimulatorOptions } from '../../bff/src/dev/case-simulator/simulator';
import { CaseSystemError, type NewCase } from '../../bff/src/ports/case-system/case-system';
import { Open311CaseSystem, type Open311Options } from '../../bff/src/ports/case-system/open311-case-system';
import { uniqueName } from '../support/test-app';

/** The Open311 client against the simulator set up as the servers cities really run, in both formats. */

const API_KEY = 'sim-api-key-for-client-tests-0123';

function newCase(overrides: Partial<NewCase> = {}): NewCase {
  return {
    clientRequestId: uniqueName('report'),
    serviceCode: 'SJ-0401',
    lat: 24.8801 + Math.random() / 100,
    lng: 102.8329,
    address: '昆明市呈贡区仕林街 12 号',
    description: `人行道上有流动摊贩占道经营 ${uniqueName('d')}`,
    mediaUrls: ['https://media.cityloop.example/p/1.webp', 'https://media.cityloop.example/p/2.webp', 'https://media.cityloop.example/p/3.webp'],
    ...overrides,
  };
}

async function failure(promise: Promise<unknown>): Promise<CaseSystemError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CaseSystemError);
  return err as CaseSystemError;
}

describe.each(['xml', 'json'] as const)('Open311 client against the simulator (%s)', (format) => {
  const started: CaseSimulator[] = [];
  afterAll(() => Promise.all(started.map((s) => s.close())));
  async function setup(sim: Partial<CaseSimulatorOptions> = {}, client: Partial<Open311Options> = {}) {
    const s = await startCaseSimulator({ apiKey: API_KEY, ...sim });
    started.push(s);
    return { sim: s, cs: new Open311CaseSystem({ baseUrl: s.url, apiKey: API_KEY, timeoutMs: 2000, format, ...client }) };
  }
  const createdId = async (cs: Open311CaseSystem, input: NewCase) => {
    const { caseId } = await cs.createCase(input);
    expect(caseId).toEqual(expect.any(String));
    return caseId!;
  };

  it('follows a case through the loop with our declared extensions, and a repeat is the same case', async () => {
    const { sim, cs } = await setup();
    const input = newCase();
    const id = await createdId(cs, input);
    expect(await createdId(cs, input)).toBe(id);
    const c = sim.cases.get(id)!;
    expect(c.form['attribute[client_request_id]']).toBe(input.clientRequestId);
    expect(c.form.media_url).toBe(input.mediaUrls[0]);
    expect(c.mediaUrls).toEqual(input.mediaUrls);
    sim.advance(id, 'register');
    sim.advance(id, 'dispatch');
    sim.advance(id, 'handle', { media_urls: ['https://city.example/after.jpg'] });
    sim.advance(id, 'close');
    const snapshot = await cs.getCase(id);
    expect(snapshot.status).toBe('closed');
    expect(snapshot.updates.map((u) => u.status)).toEqual(['received', 'accepted', 'dispatched', 'handled', 'closed']);
    expect(snapshot.updates[3].mediaUrls).toEqual(['https://city.example/after.jpg']);
  });

  it('errors: wrong key 403 and unknown case 404 are final, 503 is retryable', async () => {
    const { sim, cs } = await setup();
    const wrong = new Open311CaseSystem({ baseUrl: sim.url, apiKey: 'wrong-key-0123456789', timeoutMs: 2000, format });
    expect(await failure(wrong.createCase(newCase()))).toMatchObject({ retryable: false, status: 403 });
    expect(await failure(cs.getCase('NOPE'))).toMatchObject({ retryable: false, status: 404, message: 'service_request_id NOPE not found' });
    sim.setFailure('http503');
    expect(await failure(cs.getCase('NOPE'))).toMatchObject({ retryable: true, status: 503 });
  });

  it('a strict server without our extensions gets none of them: every photo as media_url', async () => {
    const { sim, cs } = await setup({ declareExtensions: false, strictAttributes: true });
    const input = newCase({ reporter: { id: 'user-1' } });
    const id = await createdId(cs, input);
    const c = sim.cases.get(id)!;
    expect(Object.keys(c.form).filter((k) => k.startsWith('attribute['))).toEqual([]);
    expect(c.mediaUrls).toEqual(input.mediaUrls);
    // Told to send them anyway, the strict server refuses, and that is not worth retrying.
    const always = new Open311CaseSystem({ baseUrl: sim.url, apiKey: API_KEY, timeoutMs: 2000, format, extensions: 'always' });
    expect(await failure(always.createCase(newCase()))).toMatchObject({ retryable: false, status: 400, message: 'attribute[client_request_id] is not an attribute of service SJ-0401' });
  });

  it('fills a city’s required attribute from config, and refuses to post without it', async () => {
    const channel = {
      variable: true,
      code: 'channel',
      datatype: 'singlevaluelist' as const,
      required: true,
      datatype_description: null,
      order: 9,
      description: '来源渠道',
      values: [
        { key: 'cityloop', name: '随手拍' },
        { key: 'hotline', name: '12345' },
      ],
    };
    const { sim, cs } = await setup({ extraAttributes: { 'SJ-0401': [channel] }, strictAttributes: true });
    const err = await failure(cs.createCase(newCase()));
    expect(err).toMatchObject({ retryable: false, message: expect.stringContaining('channel') });
    expect(sim.cases.size).toBe(0);
    const configured = new Open311CaseSystem({ baseUrl: sim.url, apiKey: API_KEY, timeoutMs: 2000, format, attributeValues: { channel: 'cityloop' } });
    const id = await createdId(configured, newCase());
    expect(sim.cases.get(id)!.form['attribute[channel]']).toBe('cityloop');
  });

  it('a plain server (no extensions, no updates feed): states read from open/closed, notes and fields, each applied once', async () => {
    const { sim, cs } = await setup({ extensions: false, updatesFeed: false });
    const id = await createdId(cs, newCase());
    expect((await cs.getCase(id)).status).toBe('received');
    sim.advance(id, 'register');
    sim.advance(id, 'dispatch');
    const dispatched = await cs.getCase(id);
    expect(dispatched.status).toBe('dispatched');
    expect(dispatched.updates).toHaveLength(1);
    expect((await cs.getCase(id)).updates[0].updateId).toBe(dispatched.updates[0].updateId);
    sim.advance(id, 'handle');
    sim.advance(id, 'close');
    expect((await cs.getCase(id)).status).toBe('closed');

    const rejected = await createdId(cs, newCase());
    sim.advance(rejected, 'reject', { reason: '不属于城市管理范围' });
    expect((await cs.getCase(rejected)).status).toBe('rejected');
    const merged = await createdId(cs, newCase());
    sim.advance(merged, 'merge', { into: id });
    expect((await cs.getCase(merged)).status).toBe('duplicate');
  });

  it('a server with servicerequestupdates but no extended attributes: the detailed states come from the feed', async () => {
    const { sim, cs } = await setup({ extensions: false });
    const id = await createdId(cs, newCase());
    sim.advance(id, 'register');
    sim.advance(id, 'dispatch');
    sim.advance(id, 'handle');
    const snapshot = await cs.getCase(id);
    expect(snapshot.status).toBe('handled');
    expect(snapshot.updates.map((u) => [u.updateId, u.status])).toEqual([
      [`${id}-01`, 'received'],
      [`${id}-02`, 'accepted'],
      [`${id}-03`, 'dispatched'],
      [`${id}-04`, 'handled'],
    ]);
  });

  it('blackbox: delivered without an id, then found by our client_request_id, or on a plain server by text and place', async () => {
    const { sim, cs } = await setup({ serviceTypes: { 'SJ-0401': 'blackbox' } });
    const input = newCase();
    const sentAt = new Date();
    expect(await cs.createCase(input)).toEqual({ caseId: null });
    const lookup = { clientRequestId: input.clientRequestId, serviceCode: input.serviceCode, token: null, sentAt, description: input.description, lat: input.lat, lng: input.lng };
    const id = [...sim.cases.values()].find((c) => c.clientRequestId === input.clientRequestId)!.serviceRequestId;
    expect(await cs.findCase(lookup)).toBe(id);

    const plain = await setup({ serviceTypes: { 'SJ-0401': 'blackbox' }, extensions: false });
    const other = newCase();
    expect(await plain.cs.createCase(other)).toEqual({ caseId: null });
    await plain.cs.createCase(newCase());
    const found = await plain.cs.findCase({ ...lookup, clientRequestId: other.clientRequestId, description: other.description, lat: other.lat, lng: other.lng });
    expect(found).toBe([...plain.sim.cases.values()][0].serviceRequestId);
  });

  it('batch: the token is exchanged for the id at once, and kept', async () => {
    const { sim, cs } = await setup({ serviceTypes: { 'SJ-0401': 'batch' } });
    const created = await cs.createCase(newCase());
    expect(created).toEqual({ caseId: [...sim.cases.keys()][0], token: expect.stringMatching(/^TK/) });
  });
});

describe('Open311 client against a server that refuses its service list', () => {
  it('still posts, without definitions, and reads a feed that is not there as absent', async () => {
    const seen: string[] = [];
    const server = http.createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      req.resume();
      const json = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (req.url?.startsWith('/services.json')) return json(400, [{ code: 400, description: 'General service error' }]);
      if (req.method === 'POST' && req.url === '/requests.json') return json(201, [{ service_request_id: 'R-1' }]);
      if (req.url?.startsWith('/requests/R-1.json'))
        return json(200, [{ service_request_id: 'R-1', status: 'open', service_code: 'SJ-0401', requested_datetime: '2026-11-22T09:30:00+08:00', updated_datetime: '2026-11-22T09:30:00+08:00' }]);
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>not here</html>');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const cs = new Open311CaseSystem({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, apiKey: API_KEY, timeoutMs: 2000 });
      expect(await cs.createCase(newCase())).toEqual({ caseId: 'R-1' });
      expect((await cs.getCase('R-1')).status).toBe('received');
      expect((await cs.getCase('R-1')).status).toBe('received');
      expect(seen.filter((s) => s.includes('servicerequestupdates'))).toHaveLength(1);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
