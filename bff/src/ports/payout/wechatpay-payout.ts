import { createPrivateKey, createPublicKey, randomBytes } from 'node:crypto';
import { cutText } from '@cityloop/shared';
import { PayoutError, type PayoutNotification, type PayoutProvider, type PayoutRequest, type PayoutState } from './payout';
import { buildAuthorization, decryptResource, verifyWechatpayHeaders } from './wechatpay-signing';

export interface WechatPayConfig {
  /** https://api.mch.weixin.qq.com, or the local stand-in. */
  baseUrl: string;
  mchId: string;
  appId: string;
  merchantSerialNo: string;
  merchantPrivateKeyPem: string;
  /** The platform key (or WeChat Pay public key) that signs responses and callbacks, and its serial/ID. */
  platformSerial: string;
  platformPublicKeyPem: string;
  /** 32-byte APIv3 key that encrypts callback resources. */
  apiV3Key: string;
  notifyUrl: string;
  transferSceneId: string;
  timeoutMs: number;
}

interface TransferBill {
  out_bill_no: string;
  transfer_bill_no?: string;
  state: string;
  fail_reason?: string;
}

const TRANSFER_PATH = '/v3/fund-app/mch-transfer/transfer-bills';
const BILL_NO = /^[0-9A-Za-z]{1,32}$/;
const RETRYABLE_CODES = new Set(['SYSTEM_ERROR', 'FREQUENCY_LIMITED']);
const STATES = new Map<string, PayoutState['state']>([
  ['ACCEPTED', 'accepted'],
  ['PROCESSING', 'accepted'],
  ['TRANSFERING', 'accepted'],
  ['WAIT_USER_CONFIRM', 'accepted'],
  ['SUCCESS', 'paid'],
  ['FAIL', 'failed'],
  ['CANCELLED', 'failed'],
  ['CANCELING', 'failed'],
]);

/** Maps a transfer bill to our state; null when the shape or state is unknown. */
function toPayoutState(bill: unknown): PayoutState | null {
  const b = bill as Partial<TransferBill> | null;
  const state = typeof b?.state === 'string' ? STATES.get(b.state) : undefined;
  if (!b || !state) return null;
  return {
    state,
    providerBillNo: typeof b.transfer_bill_no === 'string' ? b.transfer_bill_no : null,
    failureReason: state === 'failed' ? (typeof b.fail_reason === 'string' ? b.fail_reason : b.state!) : null,
  };
}

/** WeChat Pay v3 商家转账 (merchant transfer to a user's change) over plain fetch. */
export class WechatPayPayout implements PayoutProvider {
  readonly method = 'wechatpay' as const;
  private readonly now: () => number;

  constructor(
    private readonly config: WechatPayConfig,
    options: { now?: () => number } = {},
  ) {
    this.now = options.now ?? Date.now;
    // Fail at start-up, not on the first payout, when a key is malformed.
    createPrivateKey(config.merchantPrivateKeyPem);
    createPublicKey(config.platformPublicKeyPem);
    if (Buffer.byteLength(config.apiV3Key, 'utf8') !== 32) throw new Error('WeChat Pay APIv3 key must be 32 bytes');
  }

  async transfer(req: PayoutRequest): Promise<PayoutState> {
    if (!BILL_NO.test(req.outBillNo)) throw new PayoutError('out_bill_no must be 1-32 letters or digits', false);
    const body = JSON.stringify({
      appid: this.config.appId,
      out_bill_no: req.outBillNo,
      transfer_scene_id: this.config.transferSceneId,
      openid: req.openid,
      transfer_amount: req.amountFen,
      transfer_remark: req.remark,
      notify_url: this.config.notifyUrl,
      transfer_scene_report_infos: [
        { info_type: '活动名称', info_content: '有奖举报' },
        { info_type: '奖励说明', info_content: '举报奖励' },
      ],
    });
    const res = await this.call('POST', TRANSFER_PATH, body, req.openid);
    return this.stateOf(res.data);
  }

  async query(outBillNo: string): Promise<PayoutState | null> {
    if (!BILL_NO.test(outBillNo)) throw new PayoutError('out_bill_no must be 1-32 letters or digits', false);
    const res = await this.call('GET', `${TRANSFER_PATH}/out-bill-no/${outBillNo}`);
    return res.status === 404 ? null : this.stateOf(res.data);
  }

  parseCallback(headers: Record<string, string | undefined>, rawBody: Buffer): PayoutNotification | null {
    try {
      const check = verifyWechatpayHeaders(headers, rawBody, this.config, Math.floor(this.now() / 1000));
      if (check !== 'ok') return null;
      const event = JSON.parse(rawBody.toString('utf8'));
      if (event?.resource_type !== 'encrypt-resource' || event.event_type !== 'MCHTRANSFER.BILL.FINISHED' || event.resource?.algorithm !== 'AEAD_AES_256_GCM') return null;
      const bill = JSON.parse(decryptResource(this.config.apiV3Key, event.resource)) as TransferBill;
      const state = toPayoutState(bill);
      return state && typeof bill.out_bill_no === 'string' ? { outBillNo: bill.out_bill_no, state } : null;
    } catch {
      return null;
    }
  }

  private stateOf(data: unknown): PayoutState {
    const state = toPayoutState(data);
    if (!state) throw new PayoutError('WeChat Pay answered an unknown transfer state', true);
    return state;
  }

  /**
   * One signed call. 2xx answers must carry a valid platform signature; 404 NOT_FOUND comes back as
   * { status: 404 }; everything else becomes a PayoutError. `secret` (the openid) never reaches a message.
   */
  private async call(method: 'GET' | 'POST', path: string, body = '', secret?: string): Promise<{ status: number; data: unknown }> {
    const url = new URL(`${this.config.baseUrl.replace(/\/+$/, '')}${path}`);
    const timestamp = String(Math.floor(this.now() / 1000));
    const nonce = randomBytes(16).toString('hex');
    const signer = { mchId: this.config.mchId, serialNo: this.config.merchantSerialNo, privateKeyPem: this.config.merchantPrivateKeyPem };
    const headers: Record<string, string> = {
      authorization: buildAuthorization(signer, method, `${url.pathname}${url.search}`, body, timestamp, nonce),
      accept: 'application/json',
      'user-agent': 'cityloop-bff',
    };
    if (method === 'POST') headers['content-type'] = 'application/json';

    let res: Response;
    let raw: Buffer;
    try {
      res = await fetch(url, { method, headers, body: method === 'POST' ? body : undefined, signal: AbortSignal.timeout(this.config.timeoutMs) });
      raw = Buffer.from(await res.arrayBuffer());
    } catch (err) {
      const timedOut = (err as Error).name === 'TimeoutError';
      throw new PayoutError(`WeChat Pay ${method} ${path}: ${timedOut ? 'timed out' : 'network error'}`, true);
    }
    const redact = (s: string) => (secret ? s.split(secret).join('***') : s);

    if (res.ok) {
      const signed: Record<string, string> = {};
      res.headers.forEach((value, name) => (signed[name] = value));
      const check = verifyWechatpayHeaders(signed, raw, this.config, Math.floor(this.now() / 1000));
      // A 2xx we cannot authenticate may have been tampered with: retry (same out_bill_no) rather than trust it.
      if (check !== 'ok') throw new PayoutError(`WeChat Pay response signature check failed (${check})`, true, res.status);
      try {
        return { status: res.status, data: JSON.parse(raw.toString('utf8')) };
      } catch {
        throw new PayoutError('WeChat Pay answered a signed body that is not JSON', true, res.status);
      }
    }

    let code = '';
    let message = '';
    try {
      const error = JSON.parse(raw.toString('utf8')) as { code?: unknown; message?: unknown };
      code = typeof error.code === 'string' ? error.code : '';
      message = typeof error.message === 'string' ? error.message : '';
    } catch {
      // not JSON: the status decides
    }
    if (res.status === 404 && code === 'NOT_FOUND' && method === 'GET') return { status: 404, data: null };
    const retryable = res.status >= 500 || res.status === 429 || res.status === 408 || RETRYABLE_CODES.has(code);
    const detail = redact(cutText(`${code || 'no code'} ${message}`.trim(), 200, ''));
    throw new PayoutError(`WeChat Pay ${method} ${path}: HTTP ${res.status} ${detail}`, retryable, res.status);
  }
}
