import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEV_WECHAT_CODE_PATTERN } from '@cityloop/shared';
import { delayedReplies } from './delayed-replies';

/**
 * A local stand-in for the WeChat APIs we call, speaking the same protocol over HTTP:
 * - GET /sns/jscode2session: codes of the form `dev:<name>` log in as a stable per-name user;
 *   anything else is answered with errcode 40029;
 * - GET /cgi-bin/token and POST /cgi-bin/message/subscribe/send: tokens expire on `revokeTokens()`,
 *   and openids listed with `refuseSubscriptions()` answer 43101 like a user who did not subscribe.
 * Dev mode (H5, local runs) and the tests point the real adapters at it.
 */
export interface ReceivedSubscribeMessage {
  touser: string;
  template_id: string;
  page: string;
  data: Record<string, { value: string }>;
}

export interface WechatFakeServer {
  url: string;
  /** Subscribe messages accepted so far, oldest first. */
  readonly messages: ReceivedSubscribeMessage[];
  revokeTokens(): void;
  refuseSubscriptions(openids: string[]): void;
  /** The openid the stand-in gives a `dev:<name>` code; tests use it to find a user's messages. */
  openidFor(name: string): string;
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
  const replies = delayedReplies();
  const messages: ReceivedSubscribeMessage[] = [];
  const tokens = new Set<string>();
  const refused = new Set<string>();
  const openidFor = (name: string) => `o${createHash('sha256').update(`${options.appId}:${name}`).digest('base64url').slice(0, 27)}`;

  const handleCgi = async (req: http.IncomingMessage, res: http.ServerResponse, url: URL) => {
    if (req.method === 'GET' && url.pathname === '/cgi-bin/token') {
      const q = url.searchParams;
      if (q.get('appid') !== options.appId || q.get('secret') !== options.secret) return json(res, 200, { errcode: 40013, errmsg: 'invalid appid or secret' });
      const token = randomBytes(24).toString('base64url');
      tokens.add(token);
      return json(res, 200, { access_token: token, expires_in: 7200 });
    }
    if (req.method === 'POST' && url.pathname === '/cgi-bin/message/subscribe/send') {
      if (!tokens.has(url.searchParams.get('access_token') ?? '')) return json(res, 200, { errcode: 40001, errmsg: 'invalid credential' });
      let body: ReceivedSubscribeMessage;
      try {
        body = JSON.parse(await readBody(req)) as ReceivedSubscribeMessage;
      } catch {
        return json(res, 200, { errcode: 47001, errmsg: 'data format error' });
      }
      if (typeof body.touser !== 'string' || typeof body.template_id !== 'string' || typeof body.data !== 'object') {
        return json(res, 200, { errcode: 47003, errmsg: 'argument invalid' });
      }
      if (refused.has(body.touser)) return json(res, 200, { errcode: 43101, errmsg: 'user refuse to accept the msg' });
      messages.push(body);
      return json(res, 200, { errcode: 0, errmsg: 'ok' });
    }
    return json(res, 404, { errcode: 404, errmsg: 'not found' });
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const reply = () => {
      calls += 1;
      if (failure === 'http500') return json(res, 500, { errcode: -1, errmsg: 'internal error' });
      if (url.pathname.startsWith('/cgi-bin/')) return void handleCgi(req, res, url);
      if (req.method !== 'GET' || url.pathname !== '/sns/jscode2session') return json(res, 404, { errcode: 404, errmsg: 'not found' });
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
      // Same shape as a real openid (28 characters starting with "o").
      return json(res, 200, { openid: openidFor(code.slice('dev:'.length)), session_key: randomBytes(16).toString('base64') });
    };
    replies.run(delayMs, reply);
  });

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    messages,
    revokeTokens: () => tokens.clear(),
    refuseSubscriptions: (openids) => openids.forEach((o) => refused.add(o)),
    openidFor,
    setDelay: (ms) => (delayMs = ms),
    setFailure: (mode) => (failure = mode),
    get calls() {
      return calls;
    },
    close: () =>
      new Promise<void>((resolve) => {
        replies.cancelAll();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      text += chunk;
      if (text.length > 1_000_000) req.destroy();
    });
    req.on('end', () => resolve(text));
    req.on('error', reject);
  });
}

function json(res: http.ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
