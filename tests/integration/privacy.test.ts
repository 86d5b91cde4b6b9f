import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { inTransaction, queryRows } from '../../bff/src/db/client';
import { appendLedgerEntry, lockUserLedger } from '../../bff/src/features/rewards/ledger';
import { api, loginResident, PHOTOS_DIR, startTestApp, uniqueName, uploadPhoto, waitFor, type TestApp } from '../support/test-app';

/** 个人信息保护法: a resident reads everything held about them (art. 45) and erases the account (art. 47). */
describe('personal data: export and erasure', () => {
  let t: TestApp;
  const photo = fs.readFileSync(path.join(PHOTOS_DIR, 'gps_DSCN0010.jpg'));
  beforeAll(async () => {
    t = await startTestApp({ caseSystem: true });
  });
  afterAll(() => t.close());

  async function residentWithReport() {
    const name = uniqueName('pipl');
    const me = await loginResident(t.baseUrl, name);
    const up = await uploadPhoto(t.baseUrl, me.token, photo);
    expect(up.status).toBe(201);
    const body = {
      category: 'exposed_garbage',
      description: '我家楼下垃圾堆了三天，电话 13912345678',
      location: { lat: 20 + Math.random() * 10, lng: 100 + Math.random() * 10, coordSystem: 'wgs84' } /* apart, so no report is another's duplicate */,
      address: '雨花街道 12 号',
      photoIds: [up.body.id],
    };
    const report = await api(t.baseUrl, '/api/v1/reports', { token: me.token, json: body, headers: { 'idempotency-key': uniqueName('k') } });
    expect(report.status).toBe(201);
    await api(t.baseUrl, '/api/v1/me/rewards/leaderboard', { method: 'PUT', token: me.token, json: { optIn: true } });
    return { ...me, name, reportId: report.body.report.id as string, photoId: up.body.id as string };
  }
  const grant = (userId: string, amountFen: number) =>
    inTransaction(t.database.db, async (tx) => {
      await lockUserLedger(tx, userId);
      await appendLedgerEntry(tx, userId, { kind: 'adjustment', amountFen, note: 'test grant' });
    });

  it('exports the profile, reports with photo links and timeline, ledger, claims and notices, never the openid', async () => {
    const me = await residentWithReport();
    await grant(me.userId, 300);
    const res = await api(t.baseUrl, '/api/v1/me/data-export', { token: me.token });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toContain('attachment');
    expect(res.body.profile).toMatchObject({ id: me.userId, leaderboardOptIn: true, blocked: false });
    expect(res.body.reports).toHaveLength(1);
    expect(res.body.reports[0]).toMatchObject({
      id: me.reportId,
      description: expect.stringContaining('垃圾'),
      photos: [expect.objectContaining({ id: me.photoId, url: expect.stringContaining('sig=') })],
    });
    expect(res.body.reports[0].timeline.length).toBeGreaterThan(0);
    expect(res.body.rewards.ledger).toEqual([expect.objectContaining({ kind: 'adjustment', amountFen: 300, balanceFen: 300 })]);
    expect(JSON.stringify(res.body)).not.toContain(t.wechat.openidFor(me.name));
    const audit = await queryRows<{ action: string }>(t.database.db, sql`select action from audit_log where entity_id = ${me.userId} and action = 'user.data_export'`);
    expect(audit).toHaveLength(1);
    // Nobody else's data: another resident's export holds none of these reports.
    const other = await loginResident(t.baseUrl, uniqueName('other'));
    expect((await api(t.baseUrl, '/api/v1/me/data-export', { token: other.token })).body.reports).toEqual([]);
  });

  it('refuses erasure without confirmation, with a balance unless given up, and while a claim is being paid', async () => {
    const me = await residentWithReport();
    const unconfirmed = await api(t.baseUrl, '/api/v1/me', { method: 'DELETE', token: me.token, json: { confirm: false } });
    expect(unconfirmed.body.error.code).toBe('CONFIRMATION_REQUIRED');
    await grant(me.userId, 500);
    const withBalance = await api(t.baseUrl, '/api/v1/me', { method: 'DELETE', token: me.token, json: { confirm: true } });
    expect(withBalance.status).toBe(409);
    expect(withBalance.body.error).toMatchObject({ code: 'ACCOUNT_HAS_BALANCE', message: expect.stringContaining('¥5.00'), details: { balanceFen: 500 } });
    const claim = await api(t.baseUrl, '/api/v1/me/rewards/claims', { token: me.token, json: { amountFen: 200 }, headers: { 'idempotency-key': uniqueName('c') } });
    expect(claim.status).toBe(201);
    const paying = await api(t.baseUrl, '/api/v1/me', { method: 'DELETE', token: me.token, json: { confirm: true, forfeitBalance: true } });
    expect(paying.status).toBe(409);
    expect(paying.body.error.code).toBe('ACCOUNT_PAYOUT_IN_PROGRESS');
    // Nothing was erased by the refusals.
    expect((await api(t.baseUrl, '/api/v1/me', { token: me.token })).status).toBe(200);
  });

  it('erases: identity, photos and words go; reports and ledger stay detached; the same WeChat user starts anew', async () => {
    const me = await residentWithReport();
    await grant(me.userId, 300);
    const [{ display_key: displayKey }] = await queryRows<{ display_key: string }>(t.database.db, sql`select display_key from photos where id = ${me.photoId}`);
    expect(fs.existsSync(path.join(t.photoDir, displayKey))).toBe(true);

    const erased = await api(t.baseUrl, '/api/v1/me', { method: 'DELETE', token: me.token, json: { confirm: true, forfeitBalance: true } });
    expect(erased.status).toBe(200);
    expect(erased.body).toEqual({ erased: true, reports: 1, photos: 1, forfeitedFen: 300 });

    // The old token no longer opens anything.
    expect((await api(t.baseUrl, '/api/v1/me', { token: me.token })).body.error.code).toBe('TOKEN_INVALID');
    expect((await api(t.baseUrl, '/api/v1/me/reports', { token: me.token })).status).toBe(401);
    // The photo is gone from the database and from storage.
    expect(await queryRows(t.database.db, sql`select 1 from photos where id = ${me.photoId}`)).toEqual([]);
    expect(fs.existsSync(path.join(t.photoDir, displayKey))).toBe(false);
    // The report stays for the figures, without what the resident wrote; the user row holds nothing personal.
    const [report] = await queryRows<{ description: string; category: string; user_id: string }>(t.database.db, sql`select description, category, user_id from reports where id = ${me.reportId}`);
    expect(report).toEqual({ description: '', category: 'exposed_garbage', user_id: me.userId });
    const [user] = await queryRows<{ openid: string; nickname: string | null; session_key: string | null; erased: boolean; leaderboard_opt_in: boolean }>(
      t.database.db,
      sql`select openid, nickname, session_key, erased_at is not null as erased, leaderboard_opt_in from users where id = ${me.userId}`,
    );
    expect(user).toMatchObject({ openid: `erased:${me.userId}`, nickname: null, session_key: null, leaderboard_opt_in: false, erased: true });
    // The ledger is kept, ending at zero with the forfeit booked as its own entry.
    const ledger = await queryRows<{ kind: string; amount_fen: string; balance_fen: string; note: string | null }>(
      t.database.db,
      sql`select kind, amount_fen, balance_fen, note from reward_ledger where user_id = ${me.userId} order by seq`,
    );
    expect(ledger.map((e) => [e.kind, Number(e.amount_fen), Number(e.balance_fen)])).toEqual([
      ['adjustment', 300, 300],
      ['adjustment', -300, 0],
    ]);
    const audit = await queryRows<{ action: string }>(t.database.db, sql`select action from audit_log where entity_id = ${me.userId} and action = 'user.erase'`);
    expect(audit).toHaveLength(1);

    // The case goes on in the case system; the erased reporter is sent nothing about it.
    await t.delivery.drain();
    const [{ case_id: caseId }] = await queryRows<{ case_id: string }>(t.database.db, sql`select case_id from reports where id = ${me.reportId}`);
    t.simulator.advance(caseId, 'register');
    await waitFor(async () => (await queryRows<{ status: string }>(t.database.db, sql`select status from reports where id = ${me.reportId}`))[0]?.status === 'accepted', 10_000, 'registration');
    expect(await queryRows(t.database.db, sql`select 1 from notifications where user_id = ${me.userId}`)).toEqual([]);
    // Nobody is left to pay: the registration decides no reward, and the ledger does not move.
    expect(await queryRows(t.database.db, sql`select outcome, reason from reward_decisions where report_id = ${me.reportId}`)).toEqual([{ outcome: 'none', reason: 'excluded_erased' }]);

    // Signing in again with the same WeChat identity makes a new, empty account.
    const again = await loginResident(t.baseUrl, me.name);
    expect(again.userId).not.toBe(me.userId);
    expect((await api(t.baseUrl, '/api/v1/me/reports', { token: again.token })).body.items).toEqual([]);
  });
});
