import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createWithAuth, needsRelogin } from '../../miniapp/src/services/relogin';

/**
 * The mini-program's re-login rule (services/relogin.ts, behind request.ts's withAuth) driven
 * against a real HTTP server on 127.0.0.1 that hands out tokens and expires them on demand.
 */
interface Auth {
  logins: number;
  valid: Set<string>;
  /** The code a refused token gets. */
  refuseWith: string;
  /** Refuse every token, including fresh ones. */
  refuseAll: boolean;
  calls: string[];
}

let server: http.Server;
let base: string;
const auth: Auth = { logins: 0, valid: new Set(), refuseWith: 'TOKEN_EXPIRED', refuseAll: false, calls: [] };

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method === 'POST' && req.url === '/auth/wechat') {
      auth.logins += 1;
      const token = `t${auth.logins}`;
      auth.valid.add(token);
      return send(200, { token });
    }
    const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
    auth.calls.push(token || '(none)');
    if (!token) return send(401, { error: { code: 'UNAUTHENTICATED', message: 'sign in' } });
    if (auth.refuseAll || !auth.valid.has(token)) return send(401, { error: { code: auth.refuseWith, message: 'refused' } });
    return send(200, { user: 'u1', token });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
  ) {
    super(code);
  }
}

/** A client like request.ts: a token store, one shared login at a time, and calls that throw on non-2xx. */
function client() {
  let token: string | null = null;
  let loggingIn: Promise<void> | null = null;
  const login = () => {
    loggingIn ??= fetch(`${base}/auth/wechat`, { method: 'POST' })
      .then((r) => r.json() as Promise<{ token: string }>)
      .then((body) => {
        token = body.token;
      })
      .finally(() => {
        loggingIn = null;
      });
    return loggingIn;
  };
  const withAuth = createWithAuth({ getToken: () => token, setToken: (t) => (token = t), login });
  const me = () =>
    withAuth(async (t) => {
      const res = await fetch(`${base}/me`, { headers: t ? { authorization: `Bearer ${t}` } : {} });
      const body = (await res.json()) as { token?: string; error?: { code: string } };
      if (!res.ok) throw new HttpError(res.status, body.error?.code ?? 'INTERNAL');
      return body.token;
    });
  return { me, token: () => token, setToken: (t: string | null) => (token = t) };
}

beforeEach(() => {
  auth.logins = 0;
  auth.valid.clear();
  auth.refuseWith = 'TOKEN_EXPIRED';
  auth.refuseAll = false;
  auth.calls = [];
});

test('without a token it signs in first, then calls once', async () => {
  const c = client();
  await expect(c.me()).resolves.toBe('t1');
  expect(auth.logins).toBe(1);
  expect(auth.calls).toEqual(['t1']);
});

test('an expired token is replaced by one fresh login and the call is made once more', async () => {
  const c = client();
  await c.me();
  auth.valid.clear(); // the server forgets t1
  await expect(c.me()).resolves.toBe('t2');
  expect(auth.logins).toBe(2);
  expect(auth.calls).toEqual(['t1', 't1', 't2']);
});

test('a second 401 after the fresh login is thrown, not retried again', async () => {
  const c = client();
  await c.me();
  auth.refuseAll = true;
  await expect(c.me()).rejects.toMatchObject({ status: 401, code: 'TOKEN_EXPIRED' });
  expect(auth.logins).toBe(2);
  expect(auth.calls).toEqual(['t1', 't1', 't2']);
});

test('a 401 that a login cannot fix is thrown at once', async () => {
  const c = client();
  await c.me();
  auth.valid.clear();
  auth.refuseWith = 'WECHAT_CODE_INVALID';
  await expect(c.me()).rejects.toMatchObject({ status: 401, code: 'WECHAT_CODE_INVALID' });
  expect(auth.logins).toBe(1);
});

test('concurrent calls with one expired token share a single fresh login', async () => {
  const c = client();
  await c.me();
  auth.valid.clear();
  const answers = await Promise.all([c.me(), c.me(), c.me()]);
  expect(answers).toEqual(['t2', 't2', 't2']);
  expect(auth.logins).toBe(2);
});

test('a token replaced by another call while this one was in flight is used without logging in again', async () => {
  const c = client();
  await c.me(); // t1
  auth.valid.clear();
  const slow = c.me(); // will be refused with t1
  c.setToken('t9'); // meanwhile another call stored a newer token
  auth.valid.add('t9');
  await expect(slow).resolves.toBe('t9');
  expect(auth.logins).toBe(1);
});

test('needsRelogin: only 401s with a login-fixable code', () => {
  expect(needsRelogin({ status: 401, code: 'TOKEN_EXPIRED' })).toBe(true);
  expect(needsRelogin({ status: 401, code: 'TOKEN_INVALID' })).toBe(true);
  expect(needsRelogin({ status: 401, code: 'UNAUTHENTICATED' })).toBe(true);
  expect(needsRelogin({ status: 403, code: 'TOKEN_EXPIRED' })).toBe(false);
  expect(needsRelogin({ status: 401, code: 'FORBIDDEN' })).toBe(false);
  expect(needsRelogin(new Error('boom'))).toBe(false);
  expect(needsRelogin(null)).toBe(false);
});
