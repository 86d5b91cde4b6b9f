import { sql } from 'drizzle-orm';
import { claimExpectedBy, DEFAULT_REWARD_RULES } from '@cityloop/shared';
import { queryRows, type Database } from '../../bff/src/db/client';
import { expireUnclaimedRewards } from '../../bff/src/features/rewards/rewards.usecases';
import { TestClock } from '../support/clock';
import { api, startTestApp, uniqueName, waitFor, type TestApp } from '../support/test-app';
import { claim, decided, getReport, grant, resident, rewards, submit } from '../support/reward-moves';

describe('有奖举报: claims, payout batches and their checks', () => {
  let t: TestApp;
  let staff: string;
  /** 管审分离: a second member confirms what `staff` prepared. */
  let finance: string;
  const db = () => t.database.db as Database;

  beforeAll(async () => {
    t = await startTestApp({ caseSystem: true, clock: new TestClock() });
    staff = await t.staffToken();
    finance = await t.staffToken('finance');
  });
  afterAll(async () => {
    await api(t.baseUrl, '/api/v1/staff/rewards/rules', { method: 'PUT', token: staff, json: DEFAULT_REWARD_RULES });
    await t.close();
  });

  describe('claims', () => {
    it('refuses bad amounts, a claim above the balance and a reused key with another body', async () => {
      const me = await resident(t);
      await grant(t, me.userId, 500);
      const cases: [unknown, number, string][] = [
        [{ amountFen: -100 }, 400, 'VALIDATION_FAILED'],
        [{ amountFen: 0 }, 400, 'VALIDATION_FAILED'],
        [{ amountFen: 150.5 }, 400, 'VALIDATION_FAILED'],
        [{ amountFen: '200' }, 400, 'VALIDATION_FAILED'],
        [{ amountFen: 1e20 }, 400, 'VALIDATION_FAILED'],
        [{ amountFen: 200, extra: true }, 400, 'VALIDATION_FAILED'],
        [{ amountFen: 50 }, 422, 'REWARD_CLAIM_INVALID'],
        [{ amountFen: 30_000 }, 422, 'REWARD_CLAIM_INVALID'],
        [{ amountFen: 600 }, 409, 'INSUFFICIENT_BALANCE'],
      ];
      for (const [body, status, code] of cases) {
        const res = await claim(t, me.token, body);
        expect([JSON.stringify(body), res.status, res.body.error?.code]).toEqual([JSON.stringify(body), status, code]);
      }
      expect((await api(t.baseUrl, '/api/v1/me/rewards/claims', { token: me.token, json: { amountFen: 200 } })).body.error.code).toBe('IDEMPOTENCY_KEY_REQUIRED');
      const key = uniqueName('claim');
      const first = await claim(t, me.token, { amountFen: 200 }, key);
      expect(first.status).toBe(201);
      expect(first.body).toMatchObject({ balanceFen: 300, claim: { amountFen: 200, status: 'pending', statusName: '待发放', method: 'manual', channelName: '线下发放（工作人员核对后转账）' } });
      // The confirmation says by when: five working days (Mon–Fri, Shanghai) after the day of the claim, by default.
      expect(first.body.claim.expectedBy).toBe(claimExpectedBy(new Date(first.body.claim.createdAt), 5).toISOString());
      const replay = await claim(t, me.token, { amountFen: 200 }, key);
      expect(replay.status).toBe(200);
      expect(replay.body.claim.id).toBe(first.body.claim.id);
      const reused = await claim(t, me.token, { amountFen: 300 }, key);
      expect(reused.status).toBe(409);
      expect(reused.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
      expect((await rewards(t, me.token)).balanceFen).toBe(300);
    });

    it('50 parallel claims on one balance pay exactly what the balance allows', async () => {
      const me = await resident(t);
      await grant(t, me.userId, 1_000);
      const results = await Promise.all(Array.from({ length: 50 }, () => claim(t, me.token, { amountFen: 100 })));
      const statuses = results.map((r) => r.status);
      expect(statuses.filter((s) => s === 201)).toHaveLength(10);
      expect(statuses.filter((s) => s === 409)).toHaveLength(40);
      expect(results.filter((r) => r.status === 409).every((r) => r.body.error.code === 'INSUFFICIENT_BALANCE')).toBe(true);
      const mine = await rewards(t, me.token);
      expect(mine.balanceFen).toBe(0);
      expect(mine.inPayoutFen).toBe(1_000);
      const [sum] = await queryRows<{ total: string; n: number }>(db(), sql`select sum(amount_fen) as total, count(*)::int as n from reward_ledger where user_id = ${me.userId}`);
      expect([Number(sum.total), sum.n]).toEqual([0, 11]);
    });

    it('the database itself refuses an overdraw, a forked chain and any edit of the ledger', async () => {
      const me = await resident(t);
      await grant(t, me.userId, 100);
      // An overdrawing claim written straight to the table, past all application checks.
      await expect(
        db().execute(sql`insert into reward_ledger (user_id, seq, prev_seq, kind, amount_fen, prev_balance_fen, balance_fen, claim_id)
        values (${me.userId}, 2, 1, 'claim', -500, 100, -400, null)`),
      ).rejects.toThrow();
      // Two rows extending the same entry (a lost-update race) cannot both exist.
      await expect(
        db().execute(sql`insert into reward_ledger (user_id, seq, prev_seq, kind, amount_fen, prev_balance_fen, balance_fen)
        values (${me.userId}, 1, null, 'adjustment', 100, 0, 100)`),
      ).rejects.toThrow();
      // A row claiming a previous balance that is not the real one.
      await expect(
        db().execute(sql`insert into reward_ledger (user_id, seq, prev_seq, kind, amount_fen, prev_balance_fen, balance_fen)
        values (${me.userId}, 2, 1, 'adjustment', 100, 900, 1000)`),
      ).rejects.toThrow();
      const refusal = (q: Promise<unknown>) =>
        q.then(
          () => 'allowed',
          (err: { cause?: { message?: string } }) => err.cause?.message ?? String(err),
        );
      expect(await refusal(db().execute(sql`update reward_ledger set amount_fen = 1000000 where user_id = ${me.userId}`))).toMatch(/append-only/);
      expect(await refusal(db().execute(sql`delete from reward_ledger where user_id = ${me.userId}`))).toMatch(/append-only/);
      expect((await rewards(t, me.token)).balanceFen).toBe(100);
    });

    it('pays through a manual batch: CSV export without openids, then paid or failed (failed money returns)', async () => {
      const me = await resident(t);
      await grant(t, me.userId, 1_000);
      const a = (await claim(t, me.token, { amountFen: 300 })).body.claim;
      const b = (await claim(t, me.token, { amountFen: 200 })).body.claim;
      const batch = await api(t.baseUrl, '/api/v1/staff/rewards/payout-batches', { token: staff, method: 'POST' });
      expect(batch.status).toBe(201);
      expect(batch.body.batch.claimCount).toBeGreaterThanOrEqual(2);
      const csv = await api(t.baseUrl, `/api/v1/staff/rewards/payout-batches/${batch.body.batch.id}/csv`, { token: staff });
      expect(csv.headers.get('content-type')).toContain('text/csv');
      // A UTF-8 byte-order mark first, so Excel reads the Chinese names (fetch's text() hides it).
      const bytes = Buffer.from(await (await fetch(`${t.baseUrl}/api/v1/staff/rewards/payout-batches/${batch.body.batch.id}/csv`, { headers: { authorization: `Bearer ${staff}` } })).arrayBuffer());
      expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      expect(csv.body).toContain(a.id);
      expect(csv.body).not.toContain(t.wechat.openidFor(me.name));
      expect((await rewards(t, me.token)).claims.map((c: { status: string }) => c.status)).toEqual(['processing', 'processing']);

      // The member who prepared the batch cannot confirm it.
      const self = await api(t.baseUrl, `/api/v1/staff/rewards/payout-batches/${batch.body.batch.id}/results`, { token: staff, json: { paid: [a.id] } });
      expect(self.status).toBe(403);
      expect(self.body.error.code).toBe('SECOND_STAFF_REQUIRED');
      // Another batch's or an unknown claim id is refused as a whole.
      const stranger = await api(t.baseUrl, `/api/v1/staff/rewards/payout-batches/${batch.body.batch.id}/results`, { token: finance, json: { paid: [a.id, '00000000-0000-4000-8000-000000000000'] } });
      expect([stranger.status, stranger.body.error.code, stranger.body.error.details]).toEqual([400, 'PAYOUT_CLAIMS_NOT_IN_BATCH', { claimIds: ['00000000-0000-4000-8000-000000000000'] }]);
      // Every pending manual claim is in a batch now: another batch has nothing to take.
      const empty = await api(t.baseUrl, '/api/v1/staff/rewards/payout-batches', { token: staff, method: 'POST' });
      expect([empty.status, empty.body.error.code]).toEqual([409, 'PAYOUT_NOTHING_TO_BATCH']);
      const results = await api(t.baseUrl, `/api/v1/staff/rewards/payout-batches/${batch.body.batch.id}/results`, {
        token: finance,
        json: { paid: [a.id], failed: [{ claimId: b.id, reason: '收款账户未实名' }] },
      });
      expect(results.body).toEqual({ settled: 2, alreadySettled: 0 });
      const repeat = await api(t.baseUrl, `/api/v1/staff/rewards/payout-batches/${batch.body.batch.id}/results`, {
        token: finance,
        json: { paid: [a.id], failed: [{ claimId: b.id, reason: '再次' }] },
      });
      expect(repeat.body).toEqual({ settled: 0, alreadySettled: 2 });

      const mine = await rewards(t, me.token);
      expect(mine.balanceFen).toBe(700);
      expect(mine.inPayoutFen).toBe(0);
      const byClaim = Object.fromEntries(mine.claims.map((c: { id: string; status: string; statusName: string; expectedBy: string | null }) => [c.id, [c.status, c.statusName, c.expectedBy]]));
      // 已发放 only once paid out; settled claims no longer carry an expected date.
      expect(byClaim).toEqual({ [a.id]: ['paid', '已发放', null], [b.id]: ['failed', '发放失败，已退回余额', null] });
      expect(mine.entries.slice(0, 2).map((e: { kind: string; kindName: string; amountFen: number }) => [e.kind, e.kindName, e.amountFen])).toEqual([
        ['payout_failed', '提现失败退回', 200],
        ['payout', '提现已发放', 0],
      ]);
    });

    it('a reversal after payment leaves a visible negative balance, never a silent change', async () => {
      const me = await resident(t);
      const earlier = await submit(t, me.token);
      const later = await submit(t, me.token, { category: 'illegal_parking' });
      t.simulator.advance(later.caseId, 'register');
      expect(await decided(t, me.token, later.id)).toMatchObject({ state: 'accrued', amountFen: 200 });
      const c = (await claim(t, me.token, { amountFen: 200 })).body.claim;
      const batch = (await api(t.baseUrl, '/api/v1/staff/rewards/payout-batches', { token: staff, method: 'POST' })).body.batch;
      await api(t.baseUrl, `/api/v1/staff/rewards/payout-batches/${batch.id}/results`, { token: finance, json: { paid: [c.id] } });
      // The case system later merges the registered case into an earlier one.
      t.simulator.advance(later.caseId, 'merge', { into: earlier.caseId });
      await waitFor(async () => (await getReport(t, me.token, later.id)).reward.state === 'reversed', 10_000, 'reversal');
      const mine = await rewards(t, me.token);
      expect(mine.balanceFen).toBe(-200);
      expect(mine.entries[0]).toMatchObject({ kind: 'reversal', amountFen: -200, balanceFen: -200, reportId: later.id, reason: 'reversed_duplicate' });
      expect(mine.entries.map((e: { kind: string }) => e.kind)).toEqual(['reversal', 'payout', 'claim', 'accrual']);
      expect((await claim(t, me.token, { amountFen: 100 })).body.error.code).toBe('INSUFFICIENT_BALANCE');
    });

    it('expires what is left of rewards older than the expiry period, oldest first', async () => {
      const me = await resident(t);
      const clock = t.clock!;
      // A reward booked today; then 50 days pass (the clock moves, nothing in the ledger is edited).
      await grant(t, me.userId, 500, clock.now());
      clock.advanceDays(50);
      try {
        await grant(t, me.userId, 300, clock.now());
        expect((await claim(t, me.token, { amountFen: 200 })).status).toBe(201);
        await expireUnclaimedRewards(db(), { expiryDays: 42 }, clock.now());
        const mine = await rewards(t, me.token);
        // 500 old − 200 claimed = 300 of the old reward expires; the 300 granted "today" stays.
        expect(mine.entries[0]).toMatchObject({ kind: 'expiry', amountFen: -300, balanceFen: 300 });
        await expireUnclaimedRewards(db(), { expiryDays: 42 }, clock.now());
        expect((await rewards(t, me.token)).balanceFen).toBe(300);
      } finally {
        clock.reset();
      }
    });
  });
});
