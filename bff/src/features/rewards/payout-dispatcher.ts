import { sql } from 'drizzle-orm';
import { queryRows, type Database } from '../../db/client';
import { SerialJob } from '../../jobs/serial-job';
import type { Logger } from '../../logger';
import { PayoutError, type PayoutProvider } from '../../ports/payout/payout';
import { settleClaim } from './rewards.usecases';

/** Backoff for a payment provider that did not answer: 10 s, 20 s, 40 s … capped at 30 min. */
const payoutBackoffSeconds = (attempts: number) => Math.min(1800, 10 * 2 ** (attempts - 1));

/**
 * Sends WeChat Pay claims. The bill number is fixed at claim time, so a transfer that timed out and
 * is retried is recognised by WeChat as the same transfer: one payment, however many attempts.
 * Accepted transfers are re-read until final, in case the callback is lost.
 */
export class PayoutDispatcher {
  private readonly job: SerialJob<number>;

  constructor(private readonly deps: { db: Database; provider: PayoutProvider; logger: Logger }) {
    this.job = new SerialJob('payout', () => this.dispatch(), deps.logger);
  }

  runOnce() {
    return this.job.run();
  }

  start(intervalMs: number) {
    this.job.start(intervalMs);
  }

  stop() {
    return this.job.stop();
  }

  private async dispatch(): Promise<number> {
    const { db, provider } = this.deps;
    const due = await queryRows<{ id: string; status: string; out_bill_no: string; amount_fen: number; openid: string; attempts: number }>(
      db,
      sql`update reward_claims c set attempts = c.attempts + 1, next_attempt_at = now() + interval '5 minutes'
          from users u
          where u.id = c.user_id and c.id in (
            select id from reward_claims where method = 'wechatpay' and status in ('pending', 'processing') and next_attempt_at <= now()
            order by next_attempt_at limit 20 for update skip locked)
          returning c.id, c.status, c.out_bill_no, c.amount_fen, u.openid, c.attempts`,
    );
    let settled = 0;
    for (const claim of due) {
      try {
        const state =
          claim.status === 'pending'
            ? await provider.transfer({ outBillNo: claim.out_bill_no, openid: claim.openid, amountFen: Number(claim.amount_fen), remark: '有奖举报奖励' })
            : await provider.query(claim.out_bill_no);
        if (!state) continue;
        if (await settleClaim(db, claim.id, state, { kind: 'system', id: null })) settled += 1;
      } catch (err) {
        const retryable = !(err instanceof PayoutError) || err.retryable;
        const message = err instanceof Error ? err.message : String(err);
        if (retryable) {
          await db.execute(sql`update reward_claims set last_error = ${message}, next_attempt_at = now() + make_interval(secs => ${payoutBackoffSeconds(claim.attempts)}) where id = ${claim.id}`);
        } else if (await settleClaim(db, claim.id, { state: 'failed', providerBillNo: null, failureReason: '支付平台拒绝了此笔转账' }, { kind: 'system', id: null })) {
          settled += 1;
        }
        this.deps.logger[retryable ? 'warn' : 'error']({ claimId: claim.id, attempts: claim.attempts, retryable, error: message }, 'payout not done');
      }
    }
    return settled;
  }
}
