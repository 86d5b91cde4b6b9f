import { createHash } from 'node:crypto';
import { claimAmountProblem } from '@cityloop/shared';
import { inTransaction, isUniqueViolation, type Database } from '../../db/client';
import { AppError } from '../../http/errors';
import type { PayoutState } from '../../ports/payout/payout';
import { recordAudit } from '../audit/audit';
import { appendLedgerEntry, isCheckViolation, ledgerBalance, lockUserLedger } from './ledger';
import { loadRewardRules } from './reward-rules';
import { presentClaim, type PayoutWorkingDays } from './rewards.presenter';
import { claimsRepository } from './rewards.repository';

const claimHash = (amountFen: number) => createHash('sha256').update(JSON.stringify({ amountFen })).digest('hex');

/**
 * 提现: the claim row and its ledger debit in one transaction. The ledger refuses an overdraw by
 * constraint, so even writers that skipped the lock could not take more than the balance.
 */
export async function createClaim(db: Database, userId: string, idempotencyKey: string, amountFen: number, method: 'manual' | 'wechatpay', workingDays: PayoutWorkingDays, now: Date) {
  const hash = claimHash(amountFen);
  try {
    return await inTransaction(db, async (t) => {
      const claims = claimsRepository(t);
      await lockUserLedger(t, userId);
      const previous = await claims.byIdempotencyKey(userId, idempotencyKey);
      if (previous) {
        if (previous.requestHash !== hash) throw new AppError('IDEMPOTENCY_KEY_REUSED');
        return { claim: presentClaim(previous, workingDays), balanceFen: (await ledgerBalance(t, userId)).balanceFen, created: false };
      }
      const rules = await loadRewardRules(t);
      const { balanceFen } = await ledgerBalance(t, userId);
      const problem = claimAmountProblem(amountFen, balanceFen, rules);
      if (problem) {
        const details = { amountFen, balanceFen, claimMinFen: rules.claimMinFen, claimMaxFen: rules.claimMaxFen };
        throw new AppError(amountFen > balanceFen && amountFen >= rules.claimMinFen && amountFen <= rules.claimMaxFen ? 'INSUFFICIENT_BALANCE' : 'REWARD_CLAIM_INVALID', problem, details);
      }
      const claim = await claims.insert({ userId, amountFen, method, idempotencyKey, requestHash: hash, createdAt: now, updatedAt: now });
      const entry = await appendLedgerEntry(t, userId, { kind: 'claim', amountFen: -amountFen, claimId: claim.id, at: now });
      return { claim: presentClaim(claim, workingDays), balanceFen: entry.balanceFen, created: true };
    });
  } catch (err) {
    if (isCheckViolation(err, 'reward_ledger_no_overdraw_check')) throw new AppError('INSUFFICIENT_BALANCE');
    // The same key sent twice at once: the unique (user, key) index lets one in, the other is still running.
    if (isUniqueViolation(err)) throw new AppError('IDEMPOTENT_REQUEST_IN_PROGRESS');
    throw err;
  }
}

/**
 * Settles a claim once: paid (a zero-amount `payout` entry records it) or failed (the amount returns
 * to the balance). Repeats — callbacks, polls, a staff double-click — find it settled and change nothing.
 */
export async function settleClaim(db: Database, claimId: string, state: PayoutState, actor: { kind: 'staff' | 'system'; id: string | null }, now: Date = new Date()): Promise<boolean> {
  if (state.state === 'accepted') {
    await claimsRepository(db).markAccepted(claimId, state.providerBillNo, now);
    return false;
  }
  return inTransaction(db, async (t) => {
    const claims = claimsRepository(t);
    const claim = await claims.lock(claimId);
    if (!claim || claim.status === 'paid' || claim.status === 'failed') return false;
    await lockUserLedger(t, claim.userId);
    if (state.state === 'paid') {
      await claims.markPaid(claimId, state.providerBillNo, now);
      await appendLedgerEntry(t, claim.userId, { kind: 'payout', amountFen: 0, claimId, note: `已发放 ${claim.amountFen} 分`, at: now });
    } else {
      const reason = state.failureReason ?? '发放失败';
      await claims.markFailed(claimId, reason, now);
      await appendLedgerEntry(t, claim.userId, { kind: 'payout_failed', amountFen: claim.amountFen, claimId, note: reason, at: now });
    }
    await recordAudit(t, {
      actorKind: actor.kind,
      actorId: actor.id,
      action: `reward_claim.${state.state}`,
      entityType: 'reward_claim',
      entityId: claimId,
      details: { failureReason: state.failureReason },
    });
    return true;
  });
}
