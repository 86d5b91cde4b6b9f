import { and, desc, eq, gt, inArray, lt, sql } from 'drizzle-orm';
import type { LedgerKind, RewardReason } from '@cityloop/shared';
import type { Database } from '../../db/client';
import { rewardClaims, rewardLedger } from '../../db/schema';

export interface LedgerEntryInput {
  kind: LedgerKind;
  /** Signed change to the available balance, fen. */
  amountFen: number;
  reportId?: string | null;
  claimId?: string | null;
  reason?: RewardReason | null;
  note?: string | null;
  /** When it was booked; the database's clock when absent. */
  at?: Date;
}

export type LedgerRow = typeof rewardLedger.$inferSelect;

/**
 * Serialises ledger writers for one user inside the caller's transaction. The table's constraints
 * (unique seq, chained foreign key, no-overdraw check) are what make a double spend impossible; the
 * lock only saves the losers of a race from a constraint error.
 */
export async function lockUserLedger(tx: Database, userId: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${'ledger:' + userId}, 0))`);
}

/** The user's current balance: the newest entry's running balance (0 before the first entry). */
export async function ledgerBalance(db: Database, userId: string): Promise<{ seq: number; balanceFen: number }> {
  const [last] = await db.select({ seq: rewardLedger.seq, balanceFen: rewardLedger.balanceFen }).from(rewardLedger).where(eq(rewardLedger.userId, userId)).orderBy(desc(rewardLedger.seq)).limit(1);
  return last ?? { seq: 0, balanceFen: 0 };
}

/**
 * Appends one entry after the user's newest. Call inside a transaction that holds lockUserLedger;
 * a claim or expiry that would take the balance below zero is refused by the database itself.
 */
export async function appendLedgerEntry(tx: Database, userId: string, entry: LedgerEntryInput): Promise<LedgerRow> {
  const prev = await ledgerBalance(tx, userId);
  const [row] = await tx
    .insert(rewardLedger)
    .values({
      userId,
      seq: prev.seq + 1,
      prevSeq: prev.seq === 0 ? null : prev.seq,
      kind: entry.kind,
      amountFen: entry.amountFen,
      prevBalanceFen: prev.balanceFen,
      balanceFen: prev.balanceFen + entry.amountFen,
      reportId: entry.reportId ?? null,
      claimId: entry.claimId ?? null,
      reason: entry.reason ?? null,
      note: entry.note ?? null,
      ...(entry.at ? { createdAt: entry.at } : {}),
    })
    .returning();
  return row;
}

/** The user's entries, newest first, keyset-paged on seq. */
export function ledgerEntries(db: Database, userId: string, beforeSeq: number | undefined, limit: number): Promise<LedgerRow[]> {
  const where = beforeSeq ? and(eq(rewardLedger.userId, userId), lt(rewardLedger.seq, beforeSeq)) : eq(rewardLedger.userId, userId);
  return db.select().from(rewardLedger).where(where).orderBy(desc(rewardLedger.seq)).limit(limit);
}

/** All rewards earned (accruals net of reversals) and what is on its way out in claims. */
export async function earnedAndInPayout(db: Database, userId: string): Promise<{ earnedFen: number; inPayoutFen: number }> {
  const [[earned], [inPayout]] = await Promise.all([
    db
      .select({ fen: sql<number>`coalesce(sum(${rewardLedger.amountFen}), 0)`.mapWith(Number) })
      .from(rewardLedger)
      .where(and(eq(rewardLedger.userId, userId), inArray(rewardLedger.kind, ['accrual', 'reversal']))),
    db
      .select({ fen: sql<number>`coalesce(sum(${rewardClaims.amountFen}), 0)`.mapWith(Number) })
      .from(rewardClaims)
      .where(and(eq(rewardClaims.userId, userId), inArray(rewardClaims.status, ['pending', 'processing']))),
  ]);
  return { earnedFen: earned.fen, inPayoutFen: inPayout.fen };
}

/** Users holding a positive credit booked before `cutoff`: the expiry run's candidates. */
export async function usersWithCreditsBefore(db: Database, cutoff: Date): Promise<string[]> {
  const rows = await db
    .selectDistinct({ userId: rewardLedger.userId })
    .from(rewardLedger)
    .where(and(inArray(rewardLedger.kind, ['accrual', 'adjustment']), gt(rewardLedger.amountFen, 0), lt(rewardLedger.createdAt, cutoff)));
  return rows.map((r) => r.userId);
}

/** Credits booked before `cutoff`, and everything debited since the start (claims, reversals, expiries, net of failed payouts). */
export async function creditsAndDebits(db: Database, userId: string, cutoff: Date): Promise<{ oldCreditsFen: number; debitsFen: number }> {
  const [row] = await db
    .select({
      oldCreditsFen:
        sql<number>`coalesce(sum(${rewardLedger.amountFen}) filter (where ${rewardLedger.kind} in ('accrual', 'adjustment') and ${rewardLedger.amountFen} > 0 and ${rewardLedger.createdAt} < ${cutoff}::timestamptz), 0)`.mapWith(
          Number,
        ),
      debitsFen:
        sql<number>`coalesce(-sum(${rewardLedger.amountFen}) filter (where ${rewardLedger.kind} in ('claim', 'reversal', 'expiry') or (${rewardLedger.kind} = 'adjustment' and ${rewardLedger.amountFen} < 0)), 0)
        - coalesce(sum(${rewardLedger.amountFen}) filter (where ${rewardLedger.kind} = 'payout_failed'), 0)`.mapWith(Number),
    })
    .from(rewardLedger)
    .where(eq(rewardLedger.userId, userId));
  return row;
}

/** Postgres `check_violation` (23514): here, the ledger refusing an overdraw. */
export function isCheckViolation(err: unknown, constraint?: string): boolean {
  for (let e = err as { code?: string; constraint?: string; cause?: unknown } | undefined, depth = 0; e && depth < 4; e = e.cause as typeof e, depth += 1) {
    if (e.code === '23514' && (!constraint || e.constraint === constraint)) return true;
  }
  return false;
}
