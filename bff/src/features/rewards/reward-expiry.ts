import { expiringAmountFen, type RewardRules } from '@cityloop/shared';
import { inTransaction, type Database } from '../../db/client';
import { appendLedgerEntry, creditsAndDebits, ledgerBalance, lockUserLedger, usersWithCreditsBefore } from './ledger';

/**
 * Expires what is left of rewards older than the expiry period as of `now` (FIFO: claims and
 * reversals use the oldest credits first). One `expiry` entry per user per run; the ledger refuses an overdraw.
 */
export async function expireUnclaimedRewards(db: Database, rules: Pick<RewardRules, 'expiryDays'>, now: Date = new Date()): Promise<{ users: number; expiredFen: number }> {
  const cutoff = new Date(now.getTime() - rules.expiryDays * 86_400_000);
  let users = 0;
  let expiredFen = 0;
  for (const userId of await usersWithCreditsBefore(db, cutoff)) {
    const amount = await inTransaction(db, async (t) => {
      await lockUserLedger(t, userId);
      const sums = await creditsAndDebits(t, userId, cutoff);
      const { balanceFen } = await ledgerBalance(t, userId);
      const due = expiringAmountFen({ creditsBeforeCutoffFen: sums.oldCreditsFen, debitsFen: sums.debitsFen, balanceFen });
      if (due > 0) await appendLedgerEntry(t, userId, { kind: 'expiry', amountFen: -due, note: `超过 ${rules.expiryDays} 天未提现`, at: now });
      return due;
    });
    if (amount > 0) {
      users += 1;
      expiredFen += amount;
    }
  }
  return { users, expiredFen };
}
