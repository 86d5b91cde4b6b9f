import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEV_WECHAT_CODE_PATTERN } from '@cityloop/shared';

/**
 * A local stand-in for WeChat's jscode2session endpoint, speaking the same protocol over HTTP.
 * Dev mode (H5, local runs) and the tests point the real adapter at it. Codes of the form
 * `dev:<name>` log in as a stable per-name user; anything else is answered with errcode 40029.
 */
export interface WechatFakeServer {
  url: string;
  /** Test controls for the other side misbehaving. */
  setDelay(ms: number): void;
  setFailure(mode: 'none' | 'http500' | 'busy' | 'not-json' | 'rate-limited'): void;
  /** How many exchanges were answered (successful or not). */
  readonly calls: number;
  close(): Promise<void>;
}

export async function startWechatFakeServer(options: { appId: string; secret: string; port?: number }): Promise<WechatFakeServer> {
  let delayMs = 0;
  let failure: Parameters<WechatFakeServer['setFailure']>[0] = 'none';
  let calls = 0;
  const timers = new Set<NodeJS.Timeout>();

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const reply = () => {
      calls += 1;
      if (req.method !== 'GET' || url.pathname !== '/sns/jscode2session') return json(res, 404, { errcode: 404, errmsg: 'not found' });
      if (failure === 'http500') return json(res, 500, { errcode: -1, errmsg: 'internal error' });
      if (failure === 'not-json') {
        res.writeHead(200, { 'content-type': 'text/html' });
        return res.end('<html>gateway</html>');
      }
      if (failure === 'busy') return json(res, 200, { errcode: -1, errmsg: 'system error' });
      if (failure === 'rate-limited') return json(res, 200, { errcode: 45011, errmsg: 'api minute-quota reach limit' });
      const q = url.searchParams;
      if (q.get('appid') !== options.appId) return json(res, 200, { errcode: 40013, errmsg: 'invalid appid' });
      if (q.get('secret') !== options.secret) return json(res, 200, { errcode: 40125, errmsg: 'invalid appsecret' });
      if (q.get('grant_type') !== 'authorization_code') return json(res, 200, { errcode: 40002, errmsg: 'invalid grant_type' });
      const code = q.get('js_code') ?? '';
      if (!DEV_WECHAT_CODE_PATTERN.test(code)) return json(res, 200, { errcode: 40029, errmsg: 'invalid code' });
      const name = code.slice('dev:'.length);
      const digest = createHash('sha256').update(`${options.appId}:${name}`).digest('base64url');
      // Same shape as a real openid (28 characters starting with "o").
      return json(res, 200, { openid: `o${digest.slice(0, 27)}`, session_key: randomBytes(16).toString('base64') });
    };
    if (delayMs > 0) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        reply();
      }, delayMs);
      timers.add(timer);
    } else reply();
  });

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    setDelay: (ms) => (delayMs = ms),
    setFailure: (mode) => (failure = mode),
    get calls() {
      return calls;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function json(res: http.ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
