import { generateKeyPairSync } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { claimExpectedBy } from '@cityloop/shared';
import { queryRows, type Database } from '../../bff/src/db/client';
import { startWechatPayFakeServer } from '../../bff/src/dev/wechatpay-fake-server';
import { createLogger } from '../../bff/src/logger';
import { appendLedgerEntry, lockUserLedger } from '../../bff/src/features/rewards/ledger';
import { PayoutDispatcher } from '../../bff/src/features/rewards/payout-dispatcher';
import { WechatPayPayout, type WechatPayConfig } from '../../bff/src/ports/payout/wechatpay-payout';
import { signWechatpayHeaders } from '../../bff/src/ports/payout/wechatpay-signing';
import { api, loginResident, startTestApp, uniqueName, type TestApp } from '../support/test-app';

/** Claims paid by WeChat Pay 商家转账 through the BFF, against the local stand-in that checks every signature. */
describe('reward payouts by WeChat Pay', () => {
  const merchant = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
  let pay: Awaited<ReturnType<typeof startWechatPayFakeServer>>;
  let t: TestApp;
  let dispatcher: PayoutDispatcher;
  let config: WechatPayConfig;

  beforeAll(async () => {
    pay = await startWechatPayFakeServer({ merchantPublicKeyPem: merchant.publicKey, merchantSerialNo: 'ABCDEF0123456789', holdMs: 1500 });
    config = {
      baseUrl: pay.url,
      mchId: pay.config.mchId,
      appId: pay.config.appId,
      merchantSerialNo: 'ABCDEF0123456789',
      merchantPrivateKeyPem: merchant.privateKey,
      platformSerial: pay.config.platformSerial,
      platformPublicKeyPem: pay.config.platformPublicKeyPem,
      apiV3Key: pay.config.apiV3Key,
      notifyUrl: '', // set below, once the BFF's port is known
      transferSceneId: '1000',
      timeoutMs: 500,
    };
    const provider = new WechatPayPayout(config);
    t = await startTestApp({ payout: { method: 'wechatpay', provider } });
    config.notifyUrl = `${t.baseUrl}/api/v1/hooks/wechatpay/transfer`;
    dispatcher = new PayoutDispatcher({ db: t.database.db, provider, logger: createLogger('silent') });
  });
  afterAll(async () => {
    await dispatcher.stop();
    await t.close();
    await pay.close();
  });
  afterEach(() => pay.setFailure('none'));

  async function residentWithBalance(fen: number) {
    const me = await loginResident(t.baseUrl, uniqueName('payee'));
    await t.database.db.transaction(async (raw) => {
      const tx = raw as unknown as Database;
      await lockUserLedger(tx, me.userId);
      await appendLedgerEntry(tx, me.userId, { kind: 'adjustment', amountFen: fen, note: 'test grant' });
    });
    return me;
  }
  const claim = (token: string, amountFen: number) => api(t.baseUrl, '/api/v1/me/rewards/claims', { token, json: { amountFen }, headers: { 'idempotency-key': uniqueName('k') } });
  const rewards = async (token: string) => (await api(t.baseUrl, '/api/v1/me/rewards', { token })).body;
  const makeDue = (claimId: string) => t.database.db.execute(sql`update reward_claims set next_attempt_at = now() where id = ${claimId}`);

  it('pays a claim: transfer accepted, then the signed callback marks it paid', async () => {
    const me = await residentWithBalance(500);
    const c = (await claim(me.token, 300)).body.claim;
    expect(c).toMatchObject({ method: 'wechatpay', status: 'pending', channelName: '微信零钱' });
    // WeChat transfers are expected within one working day by default.
    expect(c.expectedBy).toBe(claimExpectedBy(new Date(c.createdAt), 1).toISOString());
    await dispatcher.runOnce();
    expect((await rewards(me.token)).claims[0].status).toBe('processing');
    const [row] = await queryRows<{ out_bill_no: string }>(t.database.db, sql`select out_bill_no from reward_claims where id = ${c.id}`);
    expect(pay.transfers.get(row.out_bill_no)).toMatchObject({ amountFen: 300, state: 'ACCEPTED' });
    expect(await pay.complete(row.out_bill_no, 'SUCCESS')).toBe(204);
    const mine = await rewards(me.token);
    expect(mine.claims[0]).toMatchObject({ id: c.id, status: 'paid' });
    expect(mine.balanceFen).toBe(200);
    expect(mine.entries[0]).toMatchObject({ kind: 'payout', amountFen: 0 });
    // The callback arriving again changes nothing.
    expect(await pay.complete(row.out_bill_no, 'SUCCESS')).toBe(204);
    const [n] = await queryRows<{ n: number }>(t.database.db, sql`select count(*)::int as n from reward_ledger where claim_id = ${c.id}`);
    expect(n.n).toBe(2); // claim + payout
  });

  it('a transfer that times out and is retried pays exactly once', async () => {
    const me = await residentWithBalance(1_000);
    const c = (await claim(me.token, 1_000)).body.claim;
    const before = pay.paidCount();
    pay.setFailure('timeout-once');
    await dispatcher.runOnce(); // times out after 500 ms; the stand-in has recorded the transfer anyway
    const [row] = await queryRows<{ out_bill_no: string; status: string; last_error: string }>(t.database.db, sql`select out_bill_no, status, last_error from reward_claims where id = ${c.id}`);
    expect(row.status).toBe('pending');
    expect(row.last_error).toBeTruthy();
    expect(pay.transfers.has(row.out_bill_no)).toBe(true);
    await makeDue(c.id);
    await dispatcher.runOnce(); // same out_bill_no: WeChat answers with the existing bill
    await pay.complete(row.out_bill_no, 'SUCCESS');
    await makeDue(c.id);
    await dispatcher.runOnce(); // a poll after the callback finds it settled
    expect(pay.paidCount() - before).toBe(1);
    expect([...pay.transfers.keys()].filter((k) => k === row.out_bill_no)).toHaveLength(1);
    const mine = await rewards(me.token);
    expect(mine.claims[0]).toMatchObject({ status: 'paid' });
    expect(mine.balanceFen).toBe(0);
  });

  it('a failed transfer returns the money to the balance', async () => {
    const me = await residentWithBalance(400);
    const c = (await claim(me.token, 400)).body.claim;
    await dispatcher.runOnce();
    const [row] = await queryRows<{ out_bill_no: string }>(t.database.db, sql`select out_bill_no from reward_claims where id = ${c.id}`);
    await pay.complete(row.out_bill_no, 'FAIL', 'PAYEE_ACCOUNT_ABNORMAL');
    const mine = await rewards(me.token);
    expect(mine.claims[0]).toMatchObject({ status: 'failed', failureReason: 'PAYEE_ACCOUNT_ABNORMAL' });
    expect(mine.balanceFen).toBe(400);
    expect(mine.entries[0]).toMatchObject({ kind: 'payout_failed', amountFen: 400 });
  });

  it('refuses a forged or replayed-late callback and changes nothing', async () => {
    const me = await residentWithBalance(300);
    const c = (await claim(me.token, 300)).body.claim;
    await dispatcher.runOnce();
    const [row] = await queryRows<{ out_bill_no: string }>(t.database.db, sql`select out_bill_no from reward_claims where id = ${c.id}`);
    const genuine = pay.callbackFor(row.out_bill_no);
    const url = `/api/v1/hooks/wechatpay/transfer`;
    // Body altered after signing.
    const altered = await api(t.baseUrl, url, { rawBody: genuine.body.toString('utf8').replace('"id":"', '"id":"x'), headers: { ...genuine.headers, 'content-type': 'application/json' } });
    expect(altered.status).toBe(401);
    expect(altered.body.error.code).toBe('WEBHOOK_SIGNATURE_INVALID');
    // Signed with a key that is not the platform's.
    const other = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
    const forged = signWechatpayHeaders(other.privateKey, pay.config.platformSerial, genuine.body, String(Math.floor(Date.now() / 1000)), 'n0nce');
    expect((await api(t.baseUrl, url, { rawBody: genuine.body, headers: { ...forged, 'content-type': 'application/json' } })).status).toBe(401);
    // A genuine callback from an hour ago.
    const stale = pay.callbackFor(row.out_bill_no, Math.floor(Date.now() / 1000) - 3600);
    expect((await api(t.baseUrl, url, { rawBody: stale.body, headers: { ...stale.headers, 'content-type': 'application/json' } })).status).toBe(401);
    expect((await rewards(me.token)).claims[0].status).toBe('processing');
  });
});
