/** One WeChat subscribe message (订阅消息) to one user. */
export interface SubscribeMessage {
  openid: string;
  templateId: string;
  /** Mini-program page opened from the notice, e.g. "packages/stalls/detail/index?id=…". */
  page: string;
  /** Template fields, e.g. { thing1: "斗南湿地公园", time2: "2026-11-22 18:00" }. */
  data: Record<string, string>;
}

/** `sent`, or `refused` when the user has not subscribed (a permanent no for this message). Throws on transient failures. */
export type SendOutcome = 'sent' | 'refused';

/** Port for WeChat subscribe messages. */
export interface SubscribeMessenger {
  send(message: SubscribeMessage): Promise<SendOutcome>;
}

export class TransientSendError extends Error {}

export interface WechatMessengerOptions {
  apiBase: string;
  appId: string;
  secret: string;
  timeoutMs: number;
  /** developer | trial | formal: which version of the mini-program the notice opens. */
  miniprogramState: 'developer' | 'trial' | 'formal';
  now?: () => number;
}

/**
 * Adapter for subscribeMessage.send. It gets an access_token from /cgi-bin/token, caches it until
 * five minutes before it expires, shares one refresh between concurrent sends, and refreshes once
 * when WeChat says the token is invalid (40001/42001) before giving up.
 * https://developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/mp-message-management/subscribe-message/sendMessage.html
 */
export class WechatSubscribeMessenger implements SubscribeMessenger {
  private token: { value: string; expiresAt: number } | null = null;
  private refreshing: Promise<string> | null = null;
  private readonly now: () => number;

  constructor(private readonly options: WechatMessengerOptions) {
    this.now = options.now ?? Date.now;
  }

  async send(message: SubscribeMessage): Promise<SendOutcome> {
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const token = await this.accessToken();
      const url = new URL('/cgi-bin/message/subscribe/send', this.options.apiBase);
      url.searchParams.set('access_token', token);
      const body = {
        touser: message.openid,
        template_id: message.templateId,
        page: message.page,
        miniprogram_state: this.options.miniprogramState,
        lang: 'zh_CN',
        data: Object.fromEntries(Object.entries(message.data).map(([k, value]) => [k, { value }])),
      };
      const result = await this.call(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const errcode = typeof result.errcode === 'number' ? result.errcode : 0;
      if (errcode === 0) return 'sent';
      if (errcode === 43101) return 'refused'; // the user has not accepted this template
      if ((errcode === 40001 || errcode === 42001) && attempt === 0) {
        this.token = null;
        continue;
      }
      throw new TransientSendError(`subscribe send errcode ${errcode}: ${String(result.errmsg ?? '')}`);
    }
    throw new TransientSendError('access_token rejected twice');
  }

  private accessToken(): Promise<string> {
    if (this.token && this.token.expiresAt > this.now()) return Promise.resolve(this.token.value);
    this.refreshing ??= this.fetchToken().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  private async fetchToken(): Promise<string> {
    const url = new URL('/cgi-bin/token', this.options.apiBase);
    url.search = new URLSearchParams({ grant_type: 'client_credential', appid: this.options.appId, secret: this.options.secret }).toString();
    const result = await this.call(url, { method: 'GET' });
    if (typeof result.access_token !== 'string') throw new TransientSendError(`token errcode ${String(result.errcode)}: ${String(result.errmsg ?? '')}`);
    const ttlMs = (typeof result.expires_in === 'number' ? result.expires_in : 7200) * 1000;
    this.token = { value: result.access_token, expiresAt: this.now() + Math.max(60_000, ttlMs - 300_000) };
    return this.token.value;
  }

  private async call(url: URL, init: RequestInit): Promise<Record<string, unknown>> {
    let res: Response;
    try {
      res = await fetch(url, { ...init, signal: AbortSignal.timeout(this.options.timeoutMs) });
    } catch (err) {
      throw new TransientSendError(`WeChat unreachable: ${(err as Error).name}`);
    }
    if (!res.ok) throw new TransientSendError(`WeChat HTTP ${res.status}`);
    try {
      return (await res.json()) as Record<string, unknown>;
    } catch {
      throw new TransientSendError('WeChat answered with something that is not JSON');
    }
  }
}
