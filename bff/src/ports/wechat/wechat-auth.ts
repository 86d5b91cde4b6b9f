import { AppError } from '../../http/errors';

/** What the WeChat login exchange yields. Both fields stay on the server. */
export interface WechatSession {
  openid: string;
  unionid?: string;
  sessionKey: string;
}

/** Port: exchanges a `wx.login` code for the user's WeChat session. */
export interface WechatAuth {
  code2Session(code: string): Promise<WechatSession>;
}

export interface WechatHttpOptions {
  apiBase: string;
  appId: string;
  secret: string;
  timeoutMs: number;
  onUpstreamError?: (info: { errcode?: number; errmsg?: string; status?: number; reason: string }) => void;
}

/**
 * Adapter for WeChat's `auth.code2Session` (GET /sns/jscode2session). The base URL is configurable
 * so tests and dev point it at a local server speaking the same protocol.
 * https://developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/user-login/code2Session.html
 */
export class WechatHttpAuth implements WechatAuth {
  constructor(private readonly options: WechatHttpOptions) {}

  async code2Session(code: string): Promise<WechatSession> {
    const { apiBase, appId, secret, timeoutMs } = this.options;
    const url = new URL('/sns/jscode2session', apiBase);
    url.search = new URLSearchParams({ appid: appId, secret, js_code: code, grant_type: 'authorization_code' }).toString();

    let response: Response;
    try {
      response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json' } });
    } catch (err) {
      const reason = (err as Error).name === 'TimeoutError' ? `timed out after ${timeoutMs} ms` : 'unreachable';
      this.options.onUpstreamError?.({ reason });
      throw new AppError('WECHAT_UNAVAILABLE', undefined, undefined, { cause: err });
    }
    if (!response.ok) {
      this.options.onUpstreamError?.({ status: response.status, reason: 'http error' });
      throw new AppError('WECHAT_UNAVAILABLE');
    }
    let body: { openid?: unknown; session_key?: unknown; unionid?: unknown; errcode?: unknown; errmsg?: unknown };
    try {
      body = (await response.json()) as typeof body;
    } catch {
      this.options.onUpstreamError?.({ status: response.status, reason: 'response is not JSON' });
      throw new AppError('WECHAT_UNAVAILABLE');
    }
    const errcode = typeof body.errcode === 'number' ? body.errcode : 0;
    if (errcode !== 0) throw this.mapErrcode(errcode, String(body.errmsg ?? ''));
    if (typeof body.openid !== 'string' || typeof body.session_key !== 'string') {
      this.options.onUpstreamError?.({ reason: 'response lacks openid or session_key' });
      throw new AppError('WECHAT_UNAVAILABLE');
    }
    return {
      openid: body.openid,
      sessionKey: body.session_key,
      unionid: typeof body.unionid === 'string' ? body.unionid : undefined,
    };
  }

  private mapErrcode(errcode: number, errmsg: string): AppError {
    switch (errcode) {
      case 40029: // invalid code
      case 40163: // code already used
        return new AppError('WECHAT_CODE_INVALID');
      case 40226: // high-risk user, login intercepted by WeChat
        return new AppError('WECHAT_CODE_INVALID', '微信判定当前账号存在风险，暂时无法登录');
      case 45011: // per-user frequency limit
        return new AppError('WECHAT_RATE_LIMITED');
      default:
        // -1 (busy), 40013/40125 (our appid/secret are wrong) and anything new are not the user's fault.
        this.options.onUpstreamError?.({ errcode, errmsg, reason: 'errcode' });
        return new AppError('WECHAT_UNAVAILABLE');
    }
  }
}
