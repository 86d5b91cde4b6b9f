import { DEVELOPER_MESSAGE_CODES, ERRORS, type ErrorCode } from '@cityloop/shared';
import { signWebhook } from '../../bff/src/ports/case-system/webhook-signature';
import { api, loginResident, startTestApp, TEST_WEBHOOK_SECRET, uniqueName, type ApiResponse, type TestApp } from '../support/test-app';
import { ID, CASES, ROUTES, leafPaths, withValue, csvCell, type Who, type Json, type RouteCase, type FuzzContext } from '../support/fuzz-routes';

describe('fuzz corpus: every route × hostile values → 4xx with the error shape, never 5xx', () => {
  let t: TestApp;
  let ctx: FuzzContext;
  let resident: string;
  const statuses = new Map<number, number>();
  let requests = 0;
  const accepted: string[] = [];

  beforeAll(async () => {
    t = await startTestApp({ rateLimit: { writesPerMinute: 1_000_000, wechatLoginsPerMinute: 1_000_000, staffLoginsPerMinute: 1_000_000, publicReadsPerMinute: 1_000_000 } });
    ctx = { t, staff: await t.staffToken('admin') };
    resident = (await loginResident(t.baseUrl, uniqueName('fuzz'))).token;
  });
  afterAll(async () => {
    const routes = Object.keys(ROUTES).length;
    const byStatus = Object.fromEntries([...statuses.entries()].sort(([a], [b]) => a - b));
    // The figures the release note reports.
    console.log(
      `fuzz corpus: ${routes} routes × ${CASES.length} cases in every path parameter, query parameter and body field = ${requests} requests; by status ${JSON.stringify(byStatus)}; accepted as valid (2xx) ${accepted.length}: ${accepted.join('; ')}`,
    );
    await t?.close();
  });

  it('covers every route the router has', () => {
    const dispatch = t.app.middleware.find((m) => 'router' in m) as unknown as { router: { stack: { methods: string[]; path: string }[] } };
    const live = dispatch.router.stack.filter((l) => l.methods.length).flatMap((l) => l.methods.filter((m) => m !== 'HEAD').map((m) => `${m} ${l.path}`));
    expect(live.sort()).toEqual(Object.keys(ROUTES).sort());
  });

  const headersFor = (who: Who, route: RouteCase): Record<string, string> => ({
    ...(who === 'resident' ? { authorization: `Bearer ${resident}` } : who === 'staff' ? { authorization: `Bearer ${ctx.staff}` } : {}),
    ...(route.idempotent ? { 'idempotency-key': uniqueName('fuzz') } : {}),
  });

  async function send(method: string, path: string, route: RouteCase, body: { json?: Json; raw?: string | Buffer; type?: string } = {}): Promise<ApiResponse> {
    const headers = headersFor(route.who, route);
    let raw: string | Buffer | undefined = body.raw;
    if (body.json !== undefined) raw = JSON.stringify(body.json);
    if (raw !== undefined) headers['content-type'] = body.type ?? 'application/json';
    if (route.who === 'webhook' && raw !== undefined) {
      const ts = Math.floor(Date.now() / 1000);
      headers['x-case-timestamp'] = String(ts);
      headers['x-case-signature'] = signWebhook(TEST_WEBHOOK_SECRET, ts, raw);
    }
    if (route.multipart) {
      const form = new FormData();
      form.append('file', new Blob([new Uint8Array(body.raw as Buffer)], { type: 'image/jpeg' }), 'photo.jpg');
      const res = await fetch(t.baseUrl + path, { method, headers, body: form });
      const text = await res.text();
      return { status: res.status, headers: res.headers, body: res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text };
    }
    return api(t.baseUrl, path, { method, headers, rawBody: raw });
  }

  /** Records one answer; returns a problem description, or null when the answer is acceptable. */
  function judge(label: string, res: ApiResponse): string | null {
    requests += 1;
    statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    if (res.status >= 500) return `${label} → ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`;
    if (res.status < 400) {
      accepted.push(`${label} → ${res.status}`);
      // Some values are valid somewhere (q=null, lat=-1, an optional null); a NUL or 10 kB never is.
      return /=(NUL|10 kB string)$/.test(label) ? `${label} → ${res.status}: accepted` : null;
    }
    const error = (res.body as { error?: { code?: unknown; message?: unknown } })?.error;
    if (typeof error?.code !== 'string' || !(error.code in ERRORS) || typeof error.message !== 'string')
      return `${label} → ${res.status} without the error shape: ${String(JSON.stringify(res.body)).slice(0, 200)}`;
    // Clients show the message of every code but the developer ones (userMessageZh), so it must be Chinese.
    if (!DEVELOPER_MESSAGE_CODES.has(error.code as ErrorCode) && !/[\u4e00-\u9fff]/.test(error.message)) return `${label} → ${error.code} with a message not for residents: ${error.message}`;
    return null;
  }

  const queryString = (q: Record<string, string>, fuzzKey?: string, c?: (typeof CASES)[number]) =>
    Object.entries(q)
      .map(([k, v]) => {
        if (k !== fuzzKey || !c) return `${k}=${encodeURIComponent(v)}`;
        return c.name === 'wrong type' ? `${k}=${encodeURIComponent(v)}&${k}=${encodeURIComponent(v)}` : `${k}=${c.text}`;
      })
      .join('&');

  it.each(Object.keys(ROUTES))('%s', async (key) => {
    const route = ROUTES[key];
    const [method, template] = key.split(' ');
    const problems: string[] = [];
    const pathWith = (params: Record<string, string> = {}) => template.replace(/:(\w+)/g, (_m, name: string) => params[name] ?? (name === 'variant' ? 'display' : ID));
    const query = route.query ?? {};
    const withQuery = (path: string, qs: string) => (qs ? `${path}?${qs}` : path);
    const body = typeof route.body === 'function' ? await route.body(ctx) : route.body;
    const baseBody = route.csv
      ? { raw: `${Object.keys(route.csv).join(',')}\n${Object.values(route.csv).map(csvCell).join(',')}\n`, type: 'text/csv' }
      : route.multipart
        ? { raw: Buffer.from('not a photo') }
        : body !== undefined
          ? { json: body }
          : {};

    for (const c of CASES) {
      // Path parameters.
      for (const name of template.match(/:(\w+)/g) ?? []) {
        const label = `${key} path ${name}=${c.name}`;
        const problem = judge(label, await send(method, withQuery(pathWith({ [name.slice(1)]: c.text }), queryString(query)), route, baseBody));
        if (problem) problems.push(problem);
      }
      // Query parameters.
      for (const param of Object.keys(query)) {
        const problem = judge(`${key} query ${param}=${c.name}`, await send(method, withQuery(pathWith(), queryString(query, param, c)), route, baseBody));
        if (problem) problems.push(problem);
      }
      // Body fields (JSON leaves), CSV cells, or the uploaded file.
      if (route.csv) {
        for (const column of Object.keys(route.csv)) {
          const cells = Object.entries(route.csv).map(([k, v]) => csvCell(k === column ? (typeof c.json === 'string' ? c.json : JSON.stringify(c.json)) : v));
          const raw = `${Object.keys(route.csv).join(',')}\n${cells.join(',')}\n`;
          const problem = judge(`${key} csv ${column}=${c.name}`, await send(method, withQuery(pathWith(), queryString(query)), route, { raw, type: 'text/csv' }));
          if (problem) problems.push(problem);
        }
      } else if (route.multipart) {
        const bytes = Buffer.from(typeof c.json === 'string' ? c.json : JSON.stringify(c.json));
        const problem = judge(`${key} file=${c.name}`, await send(method, pathWith(), route, { raw: bytes }));
        if (problem) problems.push(problem);
      } else if (body !== undefined) {
        for (const leaf of leafPaths(body)) {
          if (!leaf.length) continue;
          const problem = judge(`${key} body ${leaf.join('.')}=${c.name}`, await send(method, withQuery(pathWith(), queryString(query)), route, { json: withValue(body, leaf, c.json) }));
          if (problem) problems.push(problem);
        }
        // The whole body replaced by the value.
        const problem = judge(`${key} body=${c.name}`, await send(method, withQuery(pathWith(), queryString(query)), route, { json: c.json }));
        if (problem) problems.push(problem);
      }
    }
    // A route with no input at all still gets one plain request.
    if (!template.includes(':') && !route.query && route.body === undefined && !route.csv && !route.multipart) {
      const problem = judge(`${key} plain`, await send(method, pathWith(), route));
      if (problem) problems.push(problem);
    }
    expect(problems).toEqual([]);
  });
});
