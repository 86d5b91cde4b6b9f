import jwt from 'jsonwebtoken';
import { api, loginResident, startTestApp, TEST_JWT_SECRET, uniqueName, type TestApp } from '../support/test-app';

describe('resident login through the WeChat adapter', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ wechatTimeoutMs: 300 });
  });
  afterAll(() => t.close());
  afterEach(() => {
    t.wechat.setFailure('none');
    t.wechat.setDelay(0);
  });

  it('exchanges a code, issues our own JWT for the user id and never returns openid or session_key', async () => {
    const res = await api(t.baseUrl, '/api/v1/auth/wechat', { json: { code: `dev:${uniqueName('alice')}` } });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['expiresIn', 'token', 'user']);
    expect(Object.keys(res.body.user).sort()).toEqual(['blocked', 'createdAt', 'id', 'nickname', 'role']);
    expect(JSON.stringify(res.body)).not.toMatch(/openid|session_key|sessionKey/i);
    const claims = jwt.verify(res.body.token, TEST_JWT_SECRET) as jwt.JwtPayload;
    expect(claims.sub).toBe(res.body.user.id);
    expect(claims.aud).toBe('resident');
    expect(claims.exp! - claims.iat!).toBe(600);
    expect(res.body.expiresIn).toBe(600);
  });

  it('upserts by openid: the same WeChat user logging in twice is one user', async () => {
    const name = uniqueName('bob');
    const first = await loginResident(t.baseUrl, name);
    const second = await loginResident(t.baseUrl, name);
    const other = await loginResident(t.baseUrl, uniqueName('carol'));
    expect(second.userId).toBe(first.userId);
    expect(other.userId).not.toBe(first.userId);
  });

  it('GET /me returns the current user', async () => {
    const { token, userId } = await loginResident(t.baseUrl, uniqueName('dave'));
    const res = await api(t.baseUrl, '/api/v1/me', { token });
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ id: userId, role: 'resident', blocked: false });
    expect(new Date(res.body.user.createdAt).toISOString()).toBe(res.body.user.createdAt);
  });

  describe('tokens that must be refused', () => {
    let userId: string;
    beforeAll(async () => {
      ({ userId } = await loginResident(t.baseUrl, uniqueName('eve')));
    });
    const cases: Array<[string, () => Record<string, string>, string]> = [
      ['missing', () => ({}), 'UNAUTHENTICATED'],
      ['not a bearer token', () => ({ authorization: 'Basic Zm9vOmJhcg==' }), 'TOKEN_INVALID'],
      ['expired', () => ({ authorization: `Bearer ${jwt.sign({}, TEST_JWT_SECRET, { subject: userId, audience: 'resident', issuer: 'cityloop-bff', expiresIn: -10 })}` }), 'TOKEN_EXPIRED'],
      [
        'tampered (payload swapped, old signature)',
        () => {
          const good = jwt.sign({}, TEST_JWT_SECRET, { subject: userId, audience: 'resident', issuer: 'cityloop-bff', expiresIn: 60 });
          const [h, , s] = good.split('.');
          const payload = Buffer.from(JSON.stringify({ sub: '00000000-0000-0000-0000-000000000000', aud: 'resident', iss: 'cityloop-bff', exp: 9999999999 })).toString('base64url');
          return { authorization: `Bearer ${h}.${payload}.${s}` };
        },
        'TOKEN_INVALID',
      ],
      [
        'alg: none',
        () => {
          const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
          const payload = Buffer.from(JSON.stringify({ sub: userId, aud: 'resident', iss: 'cityloop-bff', exp: 9999999999 })).toString('base64url');
          return { authorization: `Bearer ${header}.${payload}.` };
        },
        'TOKEN_INVALID',
      ],
      [
        'signed with another secret',
        () => ({ authorization: `Bearer ${jwt.sign({}, 'another-secret-another-secret-another', { subject: userId, audience: 'resident', issuer: 'cityloop-bff' })}` }),
        'TOKEN_INVALID',
      ],
      ['a staff-audience token', () => ({ authorization: `Bearer ${jwt.sign({ role: 'admin' }, TEST_JWT_SECRET, { subject: userId, audience: 'staff', issuer: 'cityloop-bff' })}` }), 'TOKEN_INVALID'],
      [
        'for a user that does not exist',
        () => ({ authorization: `Bearer ${jwt.sign({}, TEST_JWT_SECRET, { subject: '00000000-0000-0000-0000-000000000000', audience: 'resident', issuer: 'cityloop-bff' })}` }),
        'TOKEN_INVALID',
      ],
    ];
    it.each(cases)('%s → 401 %s', async (_label, headers, code) => {
      const res = await api(t.baseUrl, '/api/v1/me', { headers: headers() });
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ error: { code, message: expect.any(String) } });
    });
  });

  describe('bad input and a misbehaving WeChat', () => {
    it.each([
      ['missing code', {}],
      ['numeric code', { code: 12345 }],
      ['empty code', { code: '   ' }],
      ['huge code', { code: 'x'.repeat(5000) }],
      ['unknown field', { code: 'dev:zed', admin: true }],
      ['array body', ['dev:zed']],
    ])('%s → 400 VALIDATION_FAILED', async (_label, json) => {
      const res = await api(t.baseUrl, '/api/v1/auth/wechat', { json });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
    });

    it('an invalid code (WeChat errcode 40029) → 401 WECHAT_CODE_INVALID', async () => {
      const res = await api(t.baseUrl, '/api/v1/auth/wechat', { json: { code: '0a3Xyz-not-a-real-code' } });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('WECHAT_CODE_INVALID');
    });

    it.each([
      ['busy (errcode -1)', 'busy', 503, 'WECHAT_UNAVAILABLE'],
      ['HTTP 500', 'http500', 503, 'WECHAT_UNAVAILABLE'],
      ['an HTML gateway page', 'not-json', 503, 'WECHAT_UNAVAILABLE'],
      ['its per-user limit (45011)', 'rate-limited', 429, 'WECHAT_RATE_LIMITED'],
    ] as const)('WeChat answering %s → %d %s', async (_label, mode, status, code) => {
      t.wechat.setFailure(mode);
      const res = await api(t.baseUrl, '/api/v1/auth/wechat', { json: { code: 'dev:frank' } });
      expect(res.status).toBe(status);
      expect(res.body.error.code).toBe(code);
    });

    it('a slow WeChat times out into 503 while the server keeps serving', async () => {
      t.wechat.setDelay(2000);
      const started = Date.now();
      const [login, health] = await Promise.all([api(t.baseUrl, '/api/v1/auth/wechat', { json: { code: 'dev:gina' } }), api(t.baseUrl, '/api/v1/health')]);
      expect(login.status).toBe(503);
      expect(login.body.error.code).toBe('WECHAT_UNAVAILABLE');
      expect(Date.now() - started).toBeLessThan(1900); // gave up at the 300 ms timeout, not after WeChat's 2 s
      expect(health.status).toBe(200);
    });

    it('a WeChat that is down → 503, and the next login works once it is back', async () => {
      const down = await startTestApp();
      await down.wechat.close();
      const res = await api(down.baseUrl, '/api/v1/auth/wechat', { json: { code: 'dev:hana' } });
      expect(res.status).toBe(503);
      expect(res.body.error.code).toBe('WECHAT_UNAVAILABLE');
      expect((await api(down.baseUrl, '/api/v1/health')).status).toBe(200);
      await down.close();
    });
  });

  it('logs carry a request id and never the token, the code or the openid', async () => {
    const name = uniqueName('ivan');
    const { token } = await loginResident(t.baseUrl, name);
    await api(t.baseUrl, '/api/v1/me', { token, headers: { 'x-request-id': 'req-test-12345' } });
    const all = t.logs.join('\n');
    expect(all).toContain('"requestId":"req-test-12345"');
    expect(all).not.toContain(token);
    expect(all).not.toContain(`dev:${name}`);
    expect(all).not.toMatch(/"openid"/);
  });
});
