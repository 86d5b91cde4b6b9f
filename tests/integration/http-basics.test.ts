import http from 'node:http';
import { api, startTestApp, type TestApp } from '../support/test-app';

/** The cross-cutting HTTP behaviour every route inherits: errors, limits, headers, CORS, rate limits. */
describe('HTTP basics', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ rateLimit: { writesPerMinute: 3, wechatLoginsPerMinute: 3, staffLoginsPerMinute: 3 } });
  });
  afterAll(() => t.close());

  it('malformed JSON → 400 MALFORMED_JSON', async () => {
    const res = await api(t.baseUrl, '/api/v1/auth/wechat', { rawBody: '{"code":', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: { code: 'MALFORMED_JSON', message: expect.any(String) } });
  });

  it('a wrong content type → 415 UNSUPPORTED_MEDIA_TYPE', async () => {
    const res = await api(t.baseUrl, '/api/v1/auth/wechat', { rawBody: 'code=dev:a', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(res.status).toBe(415);
    expect(res.body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('an oversized body with Content-Length → 413 PAYLOAD_TOO_LARGE', async () => {
    const res = await api(t.baseUrl, '/api/v1/auth/wechat', { json: { code: 'x'.repeat(70 * 1024) } });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('an oversized chunked body (no Content-Length) → 413, and the server keeps serving', async () => {
    const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(`${t.baseUrl}/api/v1/auth/wechat`, { method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } }, (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      });
      req.on('error', reject);
      const chunk = Buffer.alloc(16 * 1024, 'a');
      let sent = 0;
      const pump = () => {
        while (sent < 10 && req.write(chunk)) sent += 1;
        if (sent < 10)
          req.once('drain', () => {
            sent += 1;
            pump();
          });
        else req.end();
      };
      pump();
    });
    expect(status).toBe(413);
    expect(JSON.parse(body).error.code).toBe('PAYLOAD_TOO_LARGE');
    expect((await api(t.baseUrl, '/api/v1/health')).status).toBe(200);
  });

  it('an unknown API route → 404 NOT_FOUND as JSON', async () => {
    const res = await api(t.baseUrl, '/api/v1/does-not-exist');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('NOT_FOUND');
  });

  it('a wrong method on a known route → 405 METHOD_NOT_ALLOWED', async () => {
    const res = await api(t.baseUrl, '/api/v1/health', { method: 'DELETE' });
    expect(res.status).toBe(405);
    expect(res.body.error.code).toBe('METHOD_NOT_ALLOWED');
  });

  it('sets security headers and echoes a request id', async () => {
    const res = await api(t.baseUrl, '/api/v1/health', { headers: { 'x-request-id': 'abc12345-trace' } });
    expect(res.headers.get('x-request-id')).toBe('abc12345-trace');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const generated = await api(t.baseUrl, '/api/v1/health', { headers: { 'x-request-id': 'bad id with spaces' } });
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('CORS allows the configured H5 origin and localhost, not others', async () => {
    const preflight = (origin: string) =>
      fetch(`${t.baseUrl}/api/v1/me`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' } });
    const allowed = await preflight('https://h5.cityloop.example');
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://h5.cityloop.example');
    expect(allowed.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
    const local = await preflight('http://localhost:10086');
    expect(local.headers.get('access-control-allow-origin')).toBe('http://localhost:10086');
    const evil = await preflight('https://evil.example');
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('rate-limits login attempts per client with 429 and Retry-After', async () => {
    const statuses: number[] = [];
    let last;
    for (let i = 0; i < 5; i += 1) {
      last = await api(t.baseUrl, '/api/v1/auth/wechat', { json: { code: 'not-valid' } });
      statuses.push(last.status);
    }
    // wechatLoginsPerMinute is 3 here; the malformed and oversized bodies above were refused before the limiter counted them.
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    expect(last!.body.error.code).toBe('RATE_LIMITED');
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
