import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { encryptResource, parseAuthorization, signWechatpayHeaders, verifyAuthorization } from '../ports/payout/wechatpay-signing';

/**
 * A local stand-in for WeChat Pay v3 商家转账 that checks the protocol the way WeChat does:
 * - every request's Authorization must be signed by the merchant key (401 SIGN_ERROR otherwise);
 * - POST /v3/fund-app/mch-transfer/transfer-bills validates the body (400 PARAM_ERROR) and is idempotent
 *   on out_bill_no (same amount/openid: the existing bill; different: 400 INVALID_REQUEST);
 * - GET /v3/fund-app/mch-transfer/transfer-bills/out-bill-no/{no} reads a bill (404 NOT_FOUND);
 * - answers are signed with its own platform key; `complete()` posts an encrypted, signed
 *   MCHTRANSFER.BILL.FINISHED callback to the bill's notify_url.
 * Dev and tests only: it refuses to start with NODE_ENV=production.
 */
export type FakeTransferState = 'ACCEPTED' | 'SUCCESS' | 'FAIL';

export interface FakeTransfer {
  outBillNo: string;
  transferBillNo: string;
  openid: string;
  amountFen: number;
  remark: string;
  notifyUrl: string | null;
  state: FakeTransferState;
  failReason: string | null;
  createTime: string;
}

export interface WechatPayFakeServerOptions {
  /** Verifies every request's Authorization. */
  merchantPublicKeyPem: string;
  /** When set, the Authorization's serial_no must match. */
  merchantSerialNo?: string;
  mchId?: string;
  appId?: string;
  /** How long 'timeout-once' holds its answer back (default 2000 ms). */
  holdMs?: number;
  /** Complete every new transfer right after answering (the callback is sent in the background). */
  autoComplete?: 'SUCCESS' | 'FAIL' | false;
  port?: number;
}

export type WechatPayFailureMode = 'none' | 'http500' | 'timeout-once';

export interface WechatPayFakeServer {
  url: string;
  /** What the adapter's WechatPayConfig needs from WeChat's side (plus the platform private key, for forging tests). */
  config: { mchId: string; appId: string; platformSerial: string; platformPublicKeyPem: string; platformPrivateKeyPem: string; apiV3Key: string };
  /** Every distinct transfer created, by out_bill_no. */
  readonly transfers: ReadonlyMap<string, FakeTransfer>;
  /** Requests received (any path, any outcome). */
  readonly requests: number;
  /** Transfers that reached SUCCESS: "exactly one payment" is paidCount() === 1. */
  paidCount(): number;
  /**
   * Moves a bill to a final state and posts the callback to its notify_url; resolves with the callback's
   * HTTP status (0 without a notify_url). Repeating the same outcome re-delivers the callback.
   */
  complete(outBillNo: string, state: 'SUCCESS' | 'FAIL', failReason?: string): Promise<number>;
  /** The signed callback for a bill as WeChat would post it; `timestamp` (seconds) lets tests build stale ones. */
  callbackFor(outBillNo: string, timestamp?: number): { headers: Record<string, string>; body: Buffer };
  setFailure(mode: WechatPayFailureMode): void;
  close(): Promise<void>;
}

const TRANSFER_PATH = '/v3/fund-app/mch-transfer/transfer-bills';
const BY_OUT_BILL_NO = /^\/v3\/fund-app\/mch-transfer\/transfer-bills\/out-bill-no\/([^/?]+)$/;

export async function startWechatPayFakeServer(options: WechatPayFakeServerOptions): Promise<WechatPayFakeServer> {
  if (process.env.NODE_ENV === 'production') throw new Error('the WeChat Pay stand-in must not run in production');
  const mchId = options.mchId ?? '1900000109';
  const appId = options.appId ?? 'wxcityloopdevpay01';
  const holdMs = options.holdMs ?? 2000;
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const platformPublicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const platformPrivateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const platformSerial = randomBytes(20).toString('hex').toUpperCase();
  const apiV3Key = randomBytes(16).toString('hex');

  const transfers = new Map<string, FakeTransfer>();
  const timers = new Set<NodeJS.Timeout>();
  const inFlight = new Set<Promise<unknown>>();
  let failure: WechatPayFailureMode = 'none';
  let requests = 0;
  let billSeq = 0;

  const nowSeconds = () => Math.floor(Date.now() / 1000);
  const nonce = () => randomBytes(16).toString('hex');

  const send = (res: http.ServerResponse, status: number, body: unknown, signed = true) => {
    if (res.destroyed) return;
    const text = JSON.stringify(body);
    const headers: Record<string, string> = { 'content-type': 'application/json', 'request-id': randomUUID() };
    // Like WeChat: a request whose own signature failed gets an unsigned answer.
    if (signed) Object.assign(headers, signWechatpayHeaders(platformPrivateKeyPem, platformSerial, text, String(nowSeconds()), nonce()));
    res.writeHead(status, headers);
    res.end(text);
  };

  const billView = (t: FakeTransfer) => ({
    out_bill_no: t.outBillNo,
    transfer_bill_no: t.transferBillNo,
    create_time: t.createTime,
    state: t.state,
    ...(t.failReason ? { fail_reason: t.failReason } : {}),
  });

  const callbackFor = (outBillNo: string, timestamp = nowSeconds()) => {
    const t = transfers.get(outBillNo);
    if (!t) throw new Error(`no transfer ${outBillNo}`);
    const resourceNonce = randomBytes(6).toString('hex');
    const plaintext = JSON.stringify({
      ...billView(t),
      mch_id: mchId,
      transfer_amount: t.amountFen,
      openid: t.openid,
      update_time: new Date().toISOString(),
    });
    const body = Buffer.from(
      JSON.stringify({
        id: randomUUID(),
        create_time: new Date().toISOString(),
        resource_type: 'encrypt-resource',
        event_type: 'MCHTRANSFER.BILL.FINISHED',
        summary: '商家转账单据终态通知',
        resource: {
          original_type: 'mch_payment',
          algorithm: 'AEAD_AES_256_GCM',
          ciphertext: encryptResource(apiV3Key, plaintext, 'mch_payment', resourceNonce),
          associated_data: 'mch_payment',
          nonce: resourceNonce,
        },
      }),
    );
    const headers = { 'content-type': 'application/json', ...signWechatpayHeaders(platformPrivateKeyPem, platformSerial, body, String(timestamp), nonce()) };
    return { headers, body };
  };

  const complete = async (outBillNo: string, state: 'SUCCESS' | 'FAIL', failReason?: string): Promise<number> => {
    const t = transfers.get(outBillNo);
    if (!t) throw new Error(`no transfer ${outBillNo}`);
    if (t.state !== 'ACCEPTED' && t.state !== state) throw new Error(`transfer ${outBillNo} is already ${t.state}`);
    t.state = state;
    t.failReason = state === 'FAIL' ? (failReason ?? 'TRANSFER_REMARK_SET_FAIL') : null;
    if (!t.notifyUrl) return 0;
    const { headers, body } = callbackFor(outBillNo);
    const delivery = fetch(t.notifyUrl, { method: 'POST', headers, body: new Uint8Array(body), signal: AbortSignal.timeout(5000) }).then(async (res) => {
      await res.arrayBuffer();
      return res.status;
    });
    inFlight.add(delivery);
    return delivery.finally(() => inFlight.delete(delivery));
  };

  /** The PARAM_ERROR message for a bad transfer body, or null when it is acceptable. */
  const invalidTransfer = (b: Record<string, unknown>): string | null => {
    if (b.appid !== appId) return 'appid does not belong to this merchant';
    if (typeof b.out_bill_no !== 'string' || !/^[0-9A-Za-z]{1,32}$/.test(b.out_bill_no)) return 'out_bill_no must be 1-32 letters or digits';
    if (typeof b.transfer_scene_id !== 'string' || !b.transfer_scene_id) return 'transfer_scene_id is required';
    if (typeof b.openid !== 'string' || !b.openid) return 'openid is required';
    const amount = b.transfer_amount;
    if (typeof amount !== 'number' || !Number.isInteger(amount) || amount < 10 || amount > 2_000_000) return 'transfer_amount must be an integer between 10 and 2000000 fen';
    if (typeof b.transfer_remark !== 'string' || !b.transfer_remark || [...b.transfer_remark].length > 32) return 'transfer_remark must be 1-32 characters';
    if (b.notify_url !== undefined && (typeof b.notify_url !== 'string' || !/^https?:\/\//.test(b.notify_url))) return 'notify_url must be an http(s) URL';
    const infos = b.transfer_scene_report_infos;
    if (!Array.isArray(infos) || !infos.length || !infos.every((i) => typeof i?.info_type === 'string' && typeof i?.info_content === 'string')) {
      return 'transfer_scene_report_infos is required';
    }
    return null;
  };

  const createTransfer = (res: http.ServerResponse, raw: Buffer) => {
    let b: Record<string, unknown>;
    try {
      b = JSON.parse(raw.toString('utf8'));
      if (typeof b !== 'object' || b === null || Array.isArray(b)) throw new Error();
    } catch {
      return send(res, 400, { code: 'PARAM_ERROR', message: 'body is not a JSON object' });
    }
    const problem = invalidTransfer(b);
    if (problem) return send(res, 400, { code: 'PARAM_ERROR', message: problem });
    const outBillNo = b.out_bill_no as string;
    let t = transfers.get(outBillNo);
    const isNew = !t;
    if (t && (t.amountFen !== b.transfer_amount || t.openid !== b.openid)) {
      return send(res, 400, { code: 'INVALID_REQUEST', message: 'out_bill_no was already used with different parameters' });
    }
    if (!t) {
      billSeq += 1;
      t = {
        outBillNo,
        transferBillNo: `1330000${String(Date.now()).slice(-8)}${String(billSeq).padStart(6, '0')}`,
        openid: b.openid as string,
        amountFen: b.transfer_amount as number,
        remark: b.transfer_remark as string,
        notifyUrl: typeof b.notify_url === 'string' ? b.notify_url : null,
        state: 'ACCEPTED',
        failReason: null,
        createTime: new Date().toISOString(),
      };
      transfers.set(outBillNo, t);
    }
    const bill = t;
    const answer = () => {
      send(res, 200, billView(bill));
      // complete() tracks the delivery itself; close() waits for it.
      if (isNew && options.autoComplete) complete(outBillNo, options.autoComplete).catch(() => 0);
    };
    if (failure !== 'timeout-once') return answer();
    // The transfer is recorded (the money moves) but the answer comes too late for the client.
    failure = 'none';
    const timer = setTimeout(() => {
      timers.delete(timer);
      answer();
    }, holdMs);
    timers.add(timer);
  };

  const handle = (req: http.IncomingMessage, res: http.ServerResponse, raw: Buffer) => {
    requests += 1;
    if (failure === 'http500') return send(res, 500, { code: 'SYSTEM_ERROR', message: 'system error, please retry' }, false);
    const auth = parseAuthorization(req.headers.authorization);
    const signError = (message: string) => send(res, 401, { code: 'SIGN_ERROR', message }, false);
    if (!auth) return signError('Authorization is missing or malformed');
    if (auth.mchId !== mchId) return signError('mchid does not match');
    if (options.merchantSerialNo && auth.serialNo !== options.merchantSerialNo) return signError('unknown merchant certificate serial_no');
    if (!/^\d{1,12}$/.test(auth.timestamp) || Math.abs(nowSeconds() - Number(auth.timestamp)) > 300) return signError('timestamp is out of range');
    if (!verifyAuthorization(options.merchantPublicKeyPem, auth, req.method ?? '', req.url ?? '', raw)) return signError('signature does not verify');

    const path = (req.url ?? '').split('?')[0];
    if (req.method === 'POST' && path === TRANSFER_PATH) return createTransfer(res, raw);
    const byNo = req.method === 'GET' ? BY_OUT_BILL_NO.exec(path) : null;
    if (byNo) {
      const t = transfers.get(decodeURIComponent(byNo[1]));
      return t ? send(res, 200, billView(t)) : send(res, 404, { code: 'NOT_FOUND', message: 'no such transfer bill' });
    }
    return send(res, 404, { code: 'NOT_FOUND', message: 'no such API' });
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > 1_000_000) req.destroy();
      else chunks.push(c);
    });
    req.on('end', () => handle(req, res, Buffer.concat(chunks)));
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    config: { mchId, appId, platformSerial, platformPublicKeyPem, platformPrivateKeyPem, apiV3Key },
    transfers,
    get requests() {
      return requests;
    },
    paidCount: () => [...transfers.values()].filter((t) => t.state === 'SUCCESS').length,
    complete,
    callbackFor,
    setFailure: (mode) => (failure = mode),
    close: async () => {
      for (const t of timers) clearTimeout(t);
      await Promise.allSettled(inFlight);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
