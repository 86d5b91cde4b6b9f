import { generateKeyPairSync } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startWechatPayFakeServer, type WechatPayFakeServer } from '../../bff/src/dev/wechatpay-fake-server';
import { PayoutError, type PayoutRequest } from '../../bff/src/ports/payout/payout';
import { WechatPayPayout, type WechatPayConfig } from '../../bff/src/ports/payout/wechatpay-payout';
import { signWechatpayHeaders } from '../../bff/src/ports/payout/wechatpay-signing';

function rsaPair() {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(), privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
}

type Callback = { headers: Record<string, string | undefined>; body: Buffer };

/** Our side of the callback: records each POST and answers 200, like the BFF route will. */
async function startNotifyServer() {
  const queue: Callback[] = [];
  const waiting: ((c: Callback) => void)[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : v]));
      const callback = { headers, body: Buffer.concat(chunks) };
      const waiter = waiting.shift();
      if (waiter) waiter(callback);
      else queue.push(callback);
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/hooks/wechatpay`,
    next: () => (queue.length ? Promise.resolve(queue.shift()!) : new Promise<Callback>((resolve) => waiting.push(resolve))),
    reset: () => (queue.length = 0),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const merchant = rsaPair();
const MERCHANT_SERIAL = '408B07E79B8269FEC3D5D3E6AB8ED163A6A380DB';
const OPENID = 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o';
const request = (outBillNo: string, over: Partial<PayoutRequest> = {}): PayoutRequest => ({ outBillNo, openid: OPENID, amountFen: 500, remark: '有奖举报奖励', ...over });

async function payoutError(promise: Promise<unknown>): Promise<PayoutError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(PayoutError);
    expect((err as Error).message).not.toContain(OPENID);
    return err as PayoutError;
  }
  throw new Error('expected a PayoutError');
}

describe('WeChat Pay v3 merchant transfer against the local stand-in', () => {
  let notify: Awaited<ReturnType<typeof startNotifyServer>>;
  let fake: WechatPayFakeServer;
  let config: WechatPayConfig;
  let payout: WechatPayPayout;

  const start = async (options: Partial<Parameters<typeof startWechatPayFakeServer>[0]> = {}) => {
    fake = await startWechatPayFakeServer({ merchantPublicKeyPem: merchant.publicKeyPem, merchantSerialNo: MERCHANT_SERIAL, holdMs: 1500, ...options });
    const { mchId, appId, platformSerial, platformPublicKeyPem, apiV3Key } = fake.config;
    config = {
      baseUrl: fake.url,
      mchId,
      appId,
      merchantSerialNo: MERCHANT_SERIAL,
      merchantPrivateKeyPem: merchant.privateKeyPem,
      platformSerial,
      platformPublicKeyPem,
      apiV3Key,
      notifyUrl: notify.url,
      transferSceneId: '1000',
      timeoutMs: 5000,
    };
    payout = new WechatPayPayout(config);
  };

  beforeAll(async () => {
    notify = await startNotifyServer();
  });
  afterAll(() => notify.close());
  beforeEach(async () => {
    notify.reset();
    await start();
  });
  afterEach(() => fake.close());

  it('accepts a transfer, completes it, and the signed, encrypted callback parses to paid', async () => {
    const accepted = await payout.transfer(request('CL0001'));
    expect(accepted).toEqual({ state: 'accepted', providerBillNo: expect.stringMatching(/^\d+$/), failureReason: null });
    expect(await payout.query('CL0001')).toEqual(accepted);
    expect(fake.transfers.get('CL0001')).toMatchObject({ openid: OPENID, amountFen: 500, notifyUrl: notify.url, state: 'ACCEPTED' });

    const callback = notify.next();
    expect(await fake.complete('CL0001', 'SUCCESS')).toBe(200);
    const { headers, body } = await callback;
    expect(payout.parseCallback(headers, body)).toEqual({ outBillNo: 'CL0001', state: { state: 'paid', providerBillNo: accepted.providerBillNo, failureReason: null } });
    expect(await payout.query('CL0001')).toEqual({ state: 'paid', providerBillNo: accepted.providerBillNo, failureReason: null });
    expect(fake.paidCount()).toBe(1);
  });

  it('reports a failed transfer with its reason', async () => {
    await payout.transfer(request('CL0002'));
    const callback = notify.next();
    await fake.complete('CL0002', 'FAIL', 'OPENID_INVALID');
    const { headers, body } = await callback;
    expect(payout.parseCallback(headers, body)?.state).toMatchObject({ state: 'failed', failureReason: 'OPENID_INVALID' });
    expect(await payout.query('CL0002')).toMatchObject({ state: 'failed', failureReason: 'OPENID_INVALID' });
    expect(fake.paidCount()).toBe(0);
  });

  it('treats the same out_bill_no as the same transfer, and refuses it with other parameters', async () => {
    const first = await payout.transfer(request('CL0003'));
    const second = await payout.transfer(request('CL0003'));
    expect(second).toEqual(first);
    expect(fake.transfers.size).toBe(1);

    const changed = await payoutError(payout.transfer(request('CL0003', { amountFen: 600 })));
    expect(changed).toMatchObject({ retryable: false, status: 400 });
    expect(changed.message).toContain('INVALID_REQUEST');
    expect(fake.transfers.size).toBe(1);
  });

  it('timed out but the money moved: the retry with the same out_bill_no finds the bill, and one payment is made', async () => {
    fake.setFailure('timeout-once');
    const impatient = new WechatPayPayout({ ...config, timeoutMs: 200 });
    const timedOut = await payoutError(impatient.transfer(request('CL0004')));
    expect(timedOut.retryable).toBe(true);
    expect(timedOut.message).toContain('timed out');
    expect(fake.transfers.size).toBe(1);

    const retried = await impatient.transfer(request('CL0004'));
    expect(retried).toMatchObject({ state: 'accepted', providerBillNo: fake.transfers.get('CL0004')!.transferBillNo });
    expect(fake.transfers.size).toBe(1);
    await fake.complete('CL0004', 'SUCCESS');
    expect(fake.paidCount()).toBe(1);
  });

  it('completes new transfers by itself with autoComplete', async () => {
    await fake.close();
    await start({ autoComplete: 'SUCCESS' });
    const callback = notify.next();
    await payout.transfer(request('CL0005'));
    const { headers, body } = await callback;
    expect(payout.parseCallback(headers, body)).toMatchObject({ outBillNo: 'CL0005', state: { state: 'paid' } });
    await payout.transfer(request('CL0005'));
    expect(fake.paidCount()).toBe(1);
  });

  it('is refused (401, not retryable) when signed with another merchant key or serial', async () => {
    const impostor = new WechatPayPayout({ ...config, merchantPrivateKeyPem: rsaPair().privateKeyPem });
    const refused = await payoutError(impostor.transfer(request('CL0006')));
    expect(refused).toMatchObject({ retryable: false, status: 401 });
    expect(refused.message).toContain('SIGN_ERROR');
    const wrongSerial = await payoutError(new WechatPayPayout({ ...config, merchantSerialNo: 'ABC' }).query('CL0006'));
    expect(wrongSerial).toMatchObject({ retryable: false, status: 401 });
    const wrongMchId = await payoutError(new WechatPayPayout({ ...config, mchId: '1900000999' }).transfer(request('CL0006')));
    expect(wrongMchId).toMatchObject({ retryable: false, status: 401 });
    expect(fake.transfers.size).toBe(0);
  });

  it('refuses bad parameters (400, not retryable)', async () => {
    const tooSmall = await payoutError(payout.transfer(request('CL0007', { amountFen: 5 })));
    expect(tooSmall).toMatchObject({ retryable: false, status: 400 });
    expect(tooSmall.message).toContain('PARAM_ERROR');
    await expect(payout.transfer(request('CL0007', { remark: '备'.repeat(33) }))).rejects.toMatchObject({ retryable: false, status: 400 });
    await expect(new WechatPayPayout({ ...config, appId: 'wxsomeoneelse' }).transfer(request('CL0007'))).rejects.toMatchObject({ retryable: false, status: 400 });
    await expect(payout.transfer(request('CL-0007'))).rejects.toMatchObject({ retryable: false });
    expect(fake.transfers.size).toBe(0);
  });

  it('does not trust a 2xx whose signature fails: retryable', async () => {
    const misconfigured = new WechatPayPayout({ ...config, platformPublicKeyPem: rsaPair().publicKeyPem });
    const untrusted = await payoutError(misconfigured.transfer(request('CL0008')));
    expect(untrusted).toMatchObject({ retryable: true, status: 200 });
    expect(await payout.transfer(request('CL0008'))).toMatchObject({ state: 'accepted' });
    expect(fake.transfers.size).toBe(1);
  });

  it('ignores forged, altered, stale and malformed callbacks', async () => {
    await payout.transfer(request('CL0009'));
    await fake.complete('CL0009', 'SUCCESS');
    await notify.next();
    const genuine = fake.callbackFor('CL0009');
    expect(payout.parseCallback(genuine.headers, genuine.body)).toMatchObject({ outBillNo: 'CL0009' });

    const forgedBody = genuine.body;
    const forged = signWechatpayHeaders(rsaPair().privateKeyPem, config.platformSerial, forgedBody, genuine.headers['Wechatpay-Timestamp'], 'forged');
    expect(payout.parseCallback(forged, forgedBody)).toBeNull();

    const altered = Buffer.from(genuine.body.toString().replace('"event_type":"MCHTRANSFER.BILL.FINISHED"', '"event_type":"MCHTRANSFER.BILL.FINISHED" '));
    expect(payout.parseCallback(genuine.headers, altered)).toBeNull();

    const stale = fake.callbackFor('CL0009', Math.floor(Date.now() / 1000) - 600);
    expect(payout.parseCallback(stale.headers, stale.body)).toBeNull();

    // Genuinely signed by the platform, but not a transfer notification we can read.
    const signedJunk = (text: string) => {
      const raw = Buffer.from(text);
      return [signWechatpayHeaders(fake.config.platformPrivateKeyPem, config.platformSerial, raw, String(Math.floor(Date.now() / 1000)), 'n'), raw] as const;
    };
    const event = JSON.parse(genuine.body.toString());
    for (const text of [
      'not json',
      'null',
      JSON.stringify({ ...event, resource: { ...event.resource, ciphertext: 'AAAA' } }),
      JSON.stringify({ ...event, resource: { ...event.resource, ciphertext: 42 } }),
      JSON.stringify({ ...event, event_type: 'TRANSACTION.SUCCESS' }),
    ]) {
      expect(payout.parseCallback(...signedJunk(text))).toBeNull();
    }
    expect(payout.parseCallback({}, genuine.body)).toBeNull();

    // A later clock (injected) makes even the genuine callback stale.
    const later = new WechatPayPayout(config, { now: () => Date.now() + 10 * 60_000 });
    expect(later.parseCallback(genuine.headers, genuine.body)).toBeNull();
  });

  it('answers null for an unknown bill and a retryable error for HTTP 500 and an unreachable server', async () => {
    expect(await payout.query('CL9999')).toBeNull();
    fake.setFailure('http500');
    expect(await payoutError(payout.transfer(request('CL0010')))).toMatchObject({ retryable: true, status: 500 });
    expect(await payoutError(payout.query('CL0010'))).toMatchObject({ retryable: true, status: 500 });
    expect(fake.transfers.size).toBe(0);
    const baseUrl = fake.url;
    await fake.close();
    await start();
    expect(await payoutError(new WechatPayPayout({ ...config, baseUrl }).transfer(request('CL0010')))).toMatchObject({ retryable: true });
  });

  it('refuses to start with NODE_ENV=production', async () => {
    const previous = process.env.NODE_ENV;
    process.env.NODE_ENV = 'production';
    try {
      await expect(startWechatPayFakeServer({ merchantPublicKeyPem: merchant.publicKeyPem })).rejects.toThrow(/production/);
    } finally {
      process.env.NODE_ENV = previous;
    }
  });
});
