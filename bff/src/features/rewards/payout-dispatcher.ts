import { sql } from 'drizzle-orm';
import { queryRows, type Database } from '../../db/client';
import { int, row as rowOf, text } from '../../db/rows';
import { OutboxDispatcher, type Outbox } from '../../jobs/outbox-worker';
import type { Logger } from '../../logger';
import { PayoutError, type PayoutProvider } from '../../ports/payout/payout';
import { settleClaim } from './rewards.usecases';

const claimRow = rowOf({ id: text, status: text, out_bill_no: text, amount_fen: int, openid: text, attempts: int });
type ClaimRow = ReturnType<typeof claimRow>;

/** A provider that did not answer is retried without end; a refusal it marks final fails the claim. */
const PAYOUT_RETRY = {
  /** 10 s, 20 s, 40 s … capped at 30 min. */
  backoffSeconds: (attempts: number) => Math.min(1800, 10 * 2 ** (attempts - 1)),
  retryable: (err: unknown) => !(err instanceof PayoutError) || err.retryable,
};

/**
 * Sends WeChat Pay claims through the outbox worker. The bill number is fixed at claim time, so a
 * transfer that timed out and is retried is recognised by WeChat as the same transfer: one payment,
 * however many attempts. Accepted transfers are re-read until final, in case the callback is lost.
 */
export class PayoutDispatcher extends OutboxDispatcher<ClaimRow> {
  private readonly now = () => (this.deps.now ?? (() => new Date()))();

  constructor(private readonly deps: { db: Database; provider: PayoutProvider; logger: Logger; now?: () => Date }) {
    super();
  }

  protected log() {
    return this.deps.logger;
  }

  protected outbox(): Outbox<ClaimRow> {
    const { db, provider } = this.deps;
    return {
      name: 'payout',
      batch: 20,
      lease: (batch) =>
        queryRows(
          db,
          sql`update reward_claims c set attempts = c.attempts + 1, next_attempt_at = now() + interval '5 minutes'
              from users u
              where u.id = c.user_id and c.id in (
                select id from reward_claims where method = 'wechatpay' and status in ('pending', 'processing') and next_attempt_at <= now()
                order by next_attempt_at limit ${batch} for update skip locked)
              returning c.id, c.status, c.out_bill_no, c.amount_fen, u.openid, c.attempts`,
          claimRow,
        ),
      // A pending claim is transferred; one the provider accepted is read back until final.
      send: async (claim) => {
        const state =
          claim.status === 'pending'
            ? await provider.transfer({ outBillNo: claim.out_bill_no, openid: claim.openid, amountFen: claim.amount_fen, remark: '有奖举报奖励' })
            : await provider.query(claim.out_bill_no);
        if (!state) return false;
        return settleClaim(db, claim.id, state, { kind: 'system', id: null }, this.now());
      },
      retry: PAYOUT_RETRY,
      postpone: async (claim, error, delaySeconds) => {
        await db.execute(sql`update reward_claims set last_error = ${error}, next_attempt_at = now() + make_interval(secs => ${delaySeconds}) where id = ${claim.id}`);
      },
      giveUp: (claim) => settleClaim(db, claim.id, { state: 'failed', providerBillNo: null, failureReason: '支付平台拒绝了此笔转账' }, { kind: 'system', id: null }, this.now()),
      describeFailure: (claim) => ({ context: { claimId: claim.id }, message: 'payout not done' }),
    };
  }
}
