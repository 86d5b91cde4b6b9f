// Checks an Open311 GeoReport v2 endpoint against the spec (open311.github.io GeoReport_v2) and the
// mySociety servicerequestupdates extension, as a city's integrator would before pointing CityLoop at it:
//   node bff/scripts/open311-check.mjs <endpoint root> <api_key>
// It creates a few requests. Prints one line per check and the count that pass; exits 1 if any fail.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { XMLParser } = require('fast-xml-parser');
const [base, apiKey] = process.argv.slice(2);
if (!base || !apiKey) {
  console.error('usage: node bff/scripts/open311-check.mjs <endpoint root> <api_key>');
  process.exit(2);
}
const root = base.endsWith('/') ? base : `${base}/`;
const xml = new XMLParser({ ignoreAttributes: true, parseTagValue: false, processEntities: false });

async function call(path, { query = {}, form, body, method } = {}) {
  const url = new URL(path, root);
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  let payload = body;
  if (form) {
    payload = new URLSearchParams();
    for (const [k, v] of Object.entries(form)) for (const one of [].concat(v)) payload.append(k, one);
  }
  try {
    const res = await fetch(url, { method: method ?? (payload ? 'POST' : 'GET'), body: payload, signal: AbortSignal.timeout(5000) });
    const text = await res.text();
    let parsed;
    try {
      parsed = path.endsWith('.xml') || url.pathname.endsWith('.xml') ? xml.parse(text) : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return { status: res.status, type: res.headers.get('content-type') ?? '', text, body: parsed };
  } catch (err) {
    return { status: 0, type: '', text: String(err), body: undefined };
  }
}

const results = [];
async function check(name, fn) {
  let ok = false;
  let why = '';
  try {
    ok = Boolean(await fn());
  } catch (err) {
    why = err instanceof Error ? err.message : String(err);
  }
  results.push(ok);
  console.log(`${ok ? 'PASS' : 'FAIL'} ${String(results.length).padStart(2)} ${name}${why ? ` (${why})` : ''}`);
}
const list = (v) => (v === undefined || v === '' ? [] : Array.isArray(v) ? v : [v]);
const iso = (ms) => new Date(ms).toISOString();
const DAY = 86_400_000;

const servicesJson = await call('services.json');
const services = Array.isArray(servicesJson.body) ? servicesJson.body : [];
const [s1, s2] = services;
const code1 = s1?.service_code ?? '001';
const code2 = s2?.service_code ?? code1;
const base311 = { api_key: apiKey, service_code: code1, lat: '24.8801', long: '102.8329', description: `open311-check ${Date.now()}` };
const created = [];
const idOf = (res) => (Array.isArray(res.body) ? res.body[0]?.service_request_id : list(res.body?.service_requests?.request)[0]?.service_request_id);

await check('GET services.xml answers 200 text/xml', async () => {
  const r = await call('services.xml');
  return r.status === 200 && r.type.startsWith('text/xml');
});
await check('services.xml is <services> of <service>', async () => list((await call('services.xml')).body?.services?.service).length > 0);
await check('GET services.json answers a JSON array', () => servicesJson.status === 200 && services.length > 0);
await check('keywords is a comma-separated string', () => services.every((s) => s.keywords === undefined || s.keywords === null || typeof s.keywords === 'string'));
await check('metadata is boolean and type realtime|batch|blackbox', () => services.every((s) => typeof s.metadata === 'boolean' && ['realtime', 'batch', 'blackbox'].includes(s.type)));
await check('a service with metadata true has services/{code}.json', async () => {
  const withMeta = services.find((s) => s.metadata === true);
  if (!withMeta) return false;
  const r = await call(`services/${encodeURIComponent(withMeta.service_code)}.json`);
  return r.status === 200 && r.body?.service_code === withMeta.service_code && Array.isArray(r.body.attributes);
});
await check('services/{code}.xml is <service_definition>', async () => (await call(`services/${encodeURIComponent(code1)}.xml`)).body?.service_definition !== undefined);
await check('an unknown service definition is 404', async () => (await call('services/NO-SUCH-CODE.json')).status === 404);
await check('POST requests with an unknown service_code is 404', async () => (await call('requests.json', { form: { ...base311, service_code: 'NO-SUCH-CODE' } })).status === 404);
await check('POST requests without service_code is 400', async () => (await call('requests.json', { form: { ...base311, service_code: '' } })).status === 400);
await check('POST requests.json (form) creates a request', async () => {
  const r = await call('requests.json', { form: base311 });
  if (idOf(r)) created.push(idOf(r));
  return (r.status === 200 || r.status === 201) && Array.isArray(r.body) && r.body.length === 1;
});
await check('POST requests.xml answers <service_requests><request>', async () => {
  const r = await call('requests.xml', { form: { ...base311, description: `${base311.description} xml` } });
  if (idOf(r)) created.push(idOf(r));
  return (r.status === 200 || r.status === 201) && r.body?.service_requests?.request !== undefined;
});
await check('a wrong api_key is 403', async () => (await call('requests.json', { form: { ...base311, api_key: 'wrong-key' } })).status === 403);
await check('address_id alone is a location', async () => {
  const { lat: _lat, long: _long, ...rest } = base311;
  const r = await call('requests.json', { form: { ...rest, address_id: 'ADDR-1' } });
  return r.status === 200 || r.status === 201;
});
await check('no location at all is 400', async () => {
  const { lat: _lat, long: _long, ...rest } = base311;
  return (await call('requests.json', { form: rest })).status === 400;
});
await check('multipart/form-data with a photo is taken', async () => {
  const body = new FormData();
  for (const [k, v] of Object.entries(base311)) body.append(k, v);
  body.append('media', new Blob([Buffer.from([0xff, 0xd8, 0xff, 0xd9])], { type: 'image/jpeg' }), 'p.jpg');
  const r = await call('requests.json', { body });
  return r.status === 200 || r.status === 201;
});
await check('repeated media_url are all kept', async () => {
  const urls = ['https://media.example/1.jpg', 'https://media.example/2.jpg'];
  const r = await call('requests.json', { form: { ...base311, media_url: urls } });
  const id = idOf(r);
  if (!id) return false;
  const got = await call(`requests/${encodeURIComponent(id)}.json`, { query: { extensions: 'true' } });
  return JSON.stringify(got.body).includes(urls[1]);
});
await check('a description over 4000 characters is 400', async () => (await call('requests.json', { form: { ...base311, description: 'x'.repeat(4001) } })).status === 400);
const id = created[0];
await check('GET requests/{id}.json answers that request', async () => {
  const r = await call(`requests/${encodeURIComponent(id)}.json`);
  return r.status === 200 && Array.isArray(r.body) && r.body[0]?.service_request_id === id && ['open', 'closed'].includes(r.body[0].status);
});
await check(
  'GET requests/{id}.xml answers <service_requests><request>',
  async () => list((await call(`requests/${encodeURIComponent(id)}.xml`)).body?.service_requests?.request)[0]?.service_request_id === id,
);
await check('an unknown request is 404', async () => (await call('requests/NO-SUCH-ID.json')).status === 404);
await check('service_request_id=a,b answers both', async () => {
  const r = await call('requests.json', { query: { service_request_id: created.join(',') } });
  return Array.isArray(r.body) && created.every((c) => r.body.some((x) => x.service_request_id === c));
});
await check('status=open,closed is a comma list', async () => {
  const r = await call('requests.json', { query: { status: 'open,closed' } });
  return r.status === 200 && Array.isArray(r.body) && r.body.some((x) => created.includes(x.service_request_id));
});
await check('service_code=a,b is a comma list', async () => {
  const r = await call('requests.json', { query: { service_code: `${code1},${code2}` } });
  return r.status === 200 && Array.isArray(r.body) && r.body.some((x) => created.includes(x.service_request_id));
});
await check('start_date/end_date filter on requested_datetime', async () => {
  const r = await call('requests.json', { query: { start_date: iso(Date.now() - 60 * DAY), end_date: iso(Date.now() - 30 * DAY) } });
  return r.status === 200 && Array.isArray(r.body) && !r.body.some((x) => created.includes(x.service_request_id));
});
await check('a window over 90 days is 400', async () => (await call('requests.json', { query: { start_date: iso(Date.now() - 120 * DAY), end_date: iso(Date.now()) } })).status === 400);
await check('a start_date that is no W3C date-time is 400', async () => (await call('requests.json', { query: { start_date: 'yesterday' } })).status === 400);
await check('GET requests.xml is <service_requests>', async () => (await call('requests.xml')).body?.service_requests !== undefined);
await check('an unknown token is 404', async () => (await call('tokens/NO-SUCH-TOKEN.json')).status === 404);
await check('errors in JSON are [{code, description}]', async () => {
  const r = await call('requests/NO-SUCH-ID.json');
  return Array.isArray(r.body) && typeof r.body[0]?.code === 'number' && typeof r.body[0]?.description === 'string';
});
await check('errors in XML are <errors><error>', async () => list((await call('requests/NO-SUCH-ID.xml')).body?.errors?.error)[0]?.description !== undefined);
await check('GET servicerequestupdates.xml answers <service_requests_updates>', async () => {
  const r = await call('servicerequestupdates.xml', { query: { start_date: iso(Date.now() - DAY), end_date: iso(Date.now() + 60_000) } });
  return r.status === 200 && r.body?.service_requests_updates !== undefined;
});
await check('POST servicerequestupdates.json takes a citizen update', async () => {
  const r = await call('servicerequestupdates.json', { form: { api_key: apiKey, service_request_id: id, status: 'OPEN', description: 'still there', updated_datetime: iso(Date.now()) } });
  return r.status === 200 && Array.isArray(r.body) && typeof r.body[0]?.update_id === 'string';
});

const passed = results.filter(Boolean).length;
console.log(`${passed} of ${results.length} checks pass`);
process.exit(passed === results.length ? 0 : 1);
