import { sql } from 'drizzle-orm';
import type { LedgerKind, RewardReason } from '@cityloop/shared';
import { queryRows, type Database } from '../../db/client';

export interface LedgerEntryInput {
  kind: LedgerKind;
  /** Signed change to the available balance, fen. */
  amountFen: number;
  reportId?: string | null;
  claimId?: string | null;
  reason?: RewardReason | null;
  note?: string | null;
}

export interface LedgerRow {
  id: number;
  user_id: string;
  seq: number;
  kind: LedgerKind;
  amount_fen: string | number;
  balance_fen: string | number;
  report_id: string | null;
  claim_id: string | null;
  reason: RewardReason | null;
  note: string | null;
  created_at: Date | string;
}

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
  const [last] = await queryRows<{ seq: number; balance_fen: string }>(db, sql`select seq, balance_fen from reward_ledger where user_id = ${userId} order by seq desc limit 1`);
  return last ? { seq: last.seq, balanceFen: Number(last.balance_fen) } : { seq: 0, balanceFen: 0 };
}

/**
 * Appends one entry after the user's newest. Call inside a transaction that holds lockUserLedger;
 * a claim or expiry that would take the balance below zero is refused by the database itself.
 */
export async function appendLedgerEntry(tx: Database, userId: string, entry: LedgerEntryInput): Promise<LedgerRow> {
  const prev = await ledgerBalance(tx, userId);
  const [row] = await queryRows<LedgerRow>(
    tx,
    sql`insert into reward_ledger (user_id, seq, prev_seq, kind, amount_fen, prev_balance_fen, balance_fen, report_id, claim_id, reason, note)
        values (${userId}, ${prev.seq + 1}, ${prev.seq === 0 ? null : prev.seq}, ${entry.kind}, ${entry.amountFen}, ${prev.balanceFen},
                ${prev.balanceFen + entry.amountFen}, ${entry.reportId ?? null}, ${entry.claimId ?? null}, ${entry.reason ?? null}, ${entry.note ?? null})
        returning *`,
  );
  return row;
}

/** Postgres `check_violation` (23514): here, the ledger refusing an overdraw. */
export function isCheckViolation(err: unknown, constraint?: string): boolean {
  for (let e = err as { code?: string; constraint?: string; cause?: unknown } | undefined, depth = 0; e && depth < 4; e = e.cause as typeof e, depth += 1) {
    if (e.code === '23514' && (!constraint || e.constraint === constraint)) return true;
  }
  return false;
}
