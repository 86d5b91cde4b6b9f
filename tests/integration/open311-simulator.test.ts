import path from 'node:path';
import { startCaseSimulator, type CaseSimulator } from '../../bff/src/dev/case-simulator/simulator';
import { parseOpen311Xml } from '../../bff/src/ports/case-system/open311-xml';
import { loadSchema } from '../support/json-schema';
import { OPEN311_FIXTURES } from '../support/open311-fixture-server';

/** The case-system simulator as an Open311 server, spoken to as raw HTTP in both formats. */

const API_KEY = 'sim-api-key-for-open311-tests-0123';
const SCHEMAS = path.join(OPEN311_FIXTURES, 'schema');
const DAY = 86_400_000;

type Format = 'xml' | 'json';

async function call(sim: CaseSimulator, format: Format, resource: string, init: { query?: Record<string, string>; form?: Record<string, string | string[]>; body?: FormData } = {}) {
  const url = new URL(`${sim.url}/${resource}.${format}`);
  for (const [k, v] of Object.entries(init.query ?? {})) url.searchParams.set(k, v);
  let body: BodyInit | undefined = init.body;
  if (init.form) {
    const form = new URLSearchParams();
    for (const [k, v] of Object.entries(init.form)) for (const one of Array.isArray(v) ? v : [v]) form.append(k, one);
    body = form;
  }
  const res = await fetch(url, { method: body ? 'POST' : 'GET', body });
  const text = await res.text();
  const type = res.headers.get('content-type') ?? '';
  const parsed = format === 'xml' ? parseOpen311Xml(text) : (JSON.parse(text) as unknown);
  return { status: res.status, type, text, body: parsed as any };
}

const createForm = (overrides: Record<string, string | string[]> = {}) => ({
  api_key: API_KEY,
  service_code: 'SJ-0401',
  lat: '24.8801',
  long: '102.8329',
  description: '人行道上有流动摊贩占道经营',
  ...overrides,
});

describe.each(['xml', 'json'] as const)('the simulator as a GeoReport v2 server (%s)', (format) => {
  let sim: CaseSimulator;
  let now = Date.parse('2026-11-22T01:30:00Z');
  beforeAll(async () => {
    sim = await startCaseSimulator({ apiKey: API_KEY, now: () => new Date(now), casePrefix: format.toUpperCase() });
  });
  afterAll(() => sim.close());

  it('answers in the asked format with the spec’s element names and content type', async () => {
    const services = await call(sim, format, 'services');
    expect(services.status).toBe(200);
    if (format === 'xml') {
      expect(services.type).toBe('text/xml; charset=utf-8');
      expect(services.text).toMatch(/^<\?xml version="1.0" encoding="utf-8"\?>\n<services><service><service_code>SJ-0101<\/service_code><service_name>暴露垃圾<\/service_name>/);
    } else expect(services.type).toBe('application/json; charset=utf-8');
    expect(services.body[0]).toMatchObject({ service_code: 'SJ-0101', metadata: true, type: 'realtime', keywords: 'exposed_garbage, 垃圾, 脏, 乱扔, 卫生', group: '市容环境' });
    expect(loadSchema(SCHEMAS, 'services.json')(services.body)).toEqual([]);
  });

  it('has a service definition per service: the photo rule shown, our extensions declared; an unknown code is 404', async () => {
    const def = await call(sim, format, 'services/SJ-0401');
    expect(def.status).toBe(200);
    if (format === 'xml') expect(def.text).toContain('<service_definition><service_code>SJ-0401</service_code><attributes><attribute><variable>false</variable><code>photo_rule</code>');
    expect(def.body.attributes.map((a: { code: string }) => a.code)).toEqual(['photo_rule', 'client_request_id', 'media_urls', 'reporter_id']);
    expect(def.body.attributes[0]).toMatchObject({ variable: false, description: '须附 1–9 张现场照片', order: 1 });
    expect(loadSchema(SCHEMAS, 'service-definition.json')(def.body)).toEqual([]);
    const unknown = await call(sim, format, 'services/XX-9999');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual([{ code: 404, description: 'service_code XX-9999 not found' }]);
    const post = await call(sim, format, 'requests', { form: createForm({ service_code: 'XX-9999' }) });
    expect(post.status).toBe(404);
    const missing = await call(sim, format, 'requests', { form: createForm({ service_code: '' }) });
    expect(missing.status).toBe(400);
  });

  it('takes address_id as the location, keeps every repeated media_url, and refuses a post with no location', async () => {
    const { lat: _lat, long: _long, ...noPoint } = createForm();
    const created = await call(sim, format, 'requests', { form: { ...noPoint, address_id: 'KM-530114-0042', media_url: ['https://m.example/1.jpg', 'https://m.example/2.jpg'] } });
    expect(created.status).toBe(201);
    const id = created.body[0].service_request_id as string;
    if (format === 'xml')
      expect(created.text).toContain(`<service_requests><request><service_request_id>${id}</service_request_id><service_notice>已受理</service_notice><account_id/></request></service_requests>`);
    const one = await call(sim, format, `requests/${id}`, { query: { extensions: 'true' } });
    expect(one.body[0]).toMatchObject({ address_id: 'KM-530114-0042', lat: null, media_url: 'https://m.example/1.jpg' });
    expect(one.body[0].extended_attributes.media_urls).toEqual(['https://m.example/1.jpg', 'https://m.example/2.jpg']);
    const { extended_attributes: _ext, ...core } = one.body[0];
    expect(loadSchema(SCHEMAS, 'requests.json')([core])).toEqual([]);
    expect((await call(sim, format, 'requests', { form: noPoint })).status).toBe(400);
  });

  it('takes multipart/form-data with a photo file and serves the photo back', async () => {
    const body = new FormData();
    for (const [k, v] of Object.entries(createForm())) body.append(k, v as string);
    const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 0xff, 0xd9]);
    body.append('media', new Blob([jpeg], { type: 'image/jpeg' }), 'photo.jpg');
    const created = await call(sim, format, 'requests', { body });
    expect(created.status).toBe(201);
    const id = created.body[0].service_request_id as string;
    const mediaUrl = sim.cases.get(id)!.mediaUrls[0];
    expect(mediaUrl).toMatch(new RegExp(`^${sim.url}/media/[0-9a-f]{16}$`));
    const photo = await fetch(mediaUrl);
    expect(photo.headers.get('content-type')).toBe('image/jpeg');
    expect(Buffer.from(await photo.arrayBuffer())).toEqual(jpeg);
    const text = new FormData();
    for (const [k, v] of Object.entries(createForm())) text.append(k, v as string);
    text.append('media', new Blob(['hello'], { type: 'text/plain' }), 'a.txt');
    expect((await call(sim, format, 'requests', { body: text })).status).toBe(400);
  });

  it('filters GET requests by comma lists and by start_date/end_date, the last 90 days by default', async () => {
    const old = now;
    now = old - 100 * DAY;
    const ancient = (await call(sim, format, 'requests', { form: createForm({ service_code: 'BJ-0201' }) })).body[0].service_request_id;
    now = old;
    const light = (await call(sim, format, 'requests', { form: createForm({ service_code: 'BJ-0201' }) })).body[0].service_request_id;
    const sign = (await call(sim, format, 'requests', { form: createForm({ service_code: 'BJ-0202' }) })).body[0].service_request_id;
    sim.advance(sign, 'reject', { reason: '不属于城市管理范围' });

    const ids = async (query: Record<string, string>) => {
      const res = await call(sim, format, 'requests', { query });
      expect(res.status).toBe(200);
      return (res.body as { service_request_id: string }[]).map((r) => r.service_request_id);
    };
    const both = await ids({ service_code: 'BJ-0201,BJ-0202' });
    expect(both).toEqual(expect.arrayContaining([light, sign]));
    expect(both).not.toContain(ancient);
    expect(await ids({ service_code: 'BJ-0201,BJ-0202', status: 'closed' })).toEqual([sign]);
    expect(await ids({ service_code: 'BJ-0201,BJ-0202', status: 'open,closed' })).toEqual(both);
    const since = new Date(old - 101 * DAY).toISOString();
    expect(await ids({ service_code: 'BJ-0201', start_date: since, end_date: new Date(old - 50 * DAY).toISOString() })).toEqual([ancient]);
    // service_request_id overrides every other argument.
    expect(await ids({ service_request_id: `${ancient},${sign}`, status: 'open' })).toEqual([ancient, sign]);
    expect((await call(sim, format, 'requests', { query: { start_date: since, end_date: new Date(old).toISOString() } })).status).toBe(400);
    expect((await call(sim, format, 'requests', { query: { start_date: '2026-11-22 09:00' } })).status).toBe(400);
    expect((await call(sim, format, 'requests', { query: { status: 'pending' } })).status).toBe(400);
  });

  it('serves mySociety’s servicerequestupdates and takes a citizen’s update', async () => {
    const start = new Date(now - 60_000).toISOString();
    const id = (await call(sim, format, 'requests', { form: createForm() })).body[0].service_request_id as string;
    sim.advance(id, 'register');
    sim.advance(id, 'dispatch');
    const feed = await call(sim, format, 'servicerequestupdates', { query: { start_date: start, service_request_id: id } });
    expect(feed.status).toBe(200);
    if (format === 'xml') expect(feed.text).toContain('<service_requests_updates><request_update><update_id>');
    expect(feed.body.map((u: { status: string }) => u.status)).toEqual(['open', 'investigating', 'action_scheduled']);
    expect(feed.body[2]).toMatchObject({ service_request_id: id, external_status_code: 'dispatched', description: expect.stringContaining('已派遣至') });

    const posted = await call(sim, format, 'servicerequestupdates', {
      form: { api_key: API_KEY, service_request_id: id, status: 'OPEN', description: '摊贩又回来了', updated_datetime: new Date(now).toISOString(), email: 'someone@example.org' },
    });
    expect(posted.status).toBe(200);
    expect(posted.body[0].update_id).toBe(`${id}-04`);
    const c = sim.cases.get(id)!;
    expect(c.status).toBe('dispatched');
    expect(c.updates.at(-1)!.description).toBe('市民补充：摊贩又回来了');
    expect(JSON.stringify(c)).not.toContain('someone@example.org');
    const refused = await call(sim, format, 'servicerequestupdates', { form: { api_key: 'wrong', service_request_id: id, status: 'OPEN', description: 'x' } });
    expect(refused.status).toBe(403);
    expect((await call(sim, format, 'servicerequestupdates', { form: { api_key: API_KEY, service_request_id: id, status: 'MAYBE', description: 'x' } })).status).toBe(400);
  });

  it('answers errors in the asked format', async () => {
    const res = await call(sim, format, 'requests/NOPE');
    expect(res.status).toBe(404);
    if (format === 'xml') expect(res.text).toContain('<errors><error><code>404</code><description>service_request_id NOPE not found</description></error></errors>');
    expect(res.body).toEqual([{ code: 404, description: 'service_request_id NOPE not found' }]);
  });
});

describe('the simulator as other servers are', () => {
  it('strict: refuses an attribute its service did not declare', async () => {
    const sim = await startCaseSimulator({ apiKey: API_KEY, declareExtensions: false, strictAttributes: true });
    try {
      const res = await call(sim, 'json', 'requests', { form: createForm({ 'attribute[client_request_id]': 'r-1' }) });
      expect(res).toMatchObject({ status: 400, body: [{ description: 'attribute[client_request_id] is not an attribute of service SJ-0401' }] });
      // Without extensions and without a photo rule, a service has no attributes at all.
      const services = (await call(sim, 'json', 'services')).body as { service_code: string; metadata: boolean }[];
      expect(services.find((s) => s.service_code === 'SJ-0302')!.metadata).toBe(false);
    } finally {
      await sim.close();
    }
  });

  it('batch answers a token to exchange; blackbox answers neither id nor token', async () => {
    const sim = await startCaseSimulator({ apiKey: API_KEY, serviceTypes: { 'SJ-0401': 'batch', 'SJ-0402': 'blackbox' } });
    try {
      const batch = await call(sim, 'xml', 'requests', { form: createForm() });
      expect(batch.body[0].service_request_id).toBeUndefined();
      const token = batch.body[0].token as string;
      const resolved = await call(sim, 'xml', `tokens/${token}`);
      expect(resolved.body).toEqual([{ service_request_id: [...sim.cases.keys()][0], token }]);
      const blackbox = await call(sim, 'json', 'requests', { form: createForm({ service_code: 'SJ-0402' }) });
      expect(blackbox).toMatchObject({ status: 201, body: [{ service_notice: '已受理', account_id: null }] });
      expect(Object.keys(blackbox.body[0])).toEqual(['service_notice', 'account_id']);
    } finally {
      await sim.close();
    }
  });
});

describe('bff/scripts/open311-check.mjs', () => {
  it('passes the simulator on all 33 checks, and fails a server that is not Open311', async () => {
    const { execFile } = await import('node:child_process');
    const run = (url: string) =>
      new Promise<{ code: number | null; out: string }>((resolve) => {
        execFile(process.execPath, [path.join(__dirname, '../../bff/scripts/open311-check.mjs'), url, API_KEY], (err, stdout) =>
          resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: stdout }),
        );
      });
    const sim = await startCaseSimulator({ apiKey: API_KEY });
    try {
      const good = await run(sim.url);
      expect(good.out).toContain('33 of 33 checks pass');
      expect(good.code).toBe(0);
      // The operator console is JSON, not Open311: most checks fail there.
      const bad = await run(`${sim.url}/operator`);
      expect(bad.code).toBe(1);
      expect(bad.out).toMatch(/^FAIL {2}1 GET services.xml/m);
    } finally {
      await sim.close();
    }
  });
});
