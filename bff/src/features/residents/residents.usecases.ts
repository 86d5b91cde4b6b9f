import { maskName, type StaffResidentDto } from '@cityloop/shared';
import { and, eq, isNull, sql } from 'drizzle-orm';
import { inTransaction, type Database } from '../../db/client';
import { reports, users } from '../../db/schema';
import { AppError } from '../../http/errors';
import { recordAudit } from '../audit/audit';
import { ledgerBalance } from '../rewards/ledger';

/** Blocked residents may sign in and read, but every write is refused (refuseBlocked). */
export async function setResidentBlocked(db: Database, staffId: string, userId: string, blocked: boolean, reason: string | null) {
  return inTransaction(db, async (tx) => {
    const [row] = await tx
      .update(users)
      .set({ blockedAt: blocked ? sql`coalesce(${users.blockedAt}, now())` : null, blockedReason: blocked ? reason : null, updatedAt: sql`now()` })
      .where(and(eq(users.id, userId), isNull(users.erasedAt)))
      .returning({ id: users.id, blockedAt: users.blockedAt });
    if (!row) throw new AppError('NOT_FOUND', '用户不存在');
    await recordAudit(tx, { actorKind: 'staff', actorId: staffId, action: blocked ? 'user.block' : 'user.unblock', entityType: 'user', entityId: userId, details: blocked ? { reason } : {} });
    return { userId, blocked: row.blockedAt !== null, blockedAt: row.blockedAt?.toISOString() ?? null };
  });
}

/** What staff may see of a resident: never the openid or session key; the nickname masked. */
export async function residentForStaff(db: Database, userId: string): Promise<StaffResidentDto> {
  const [row] = await db
    .select({
      id: users.id,
      nickname: users.nickname,
      blockedAt: users.blockedAt,
      blockedReason: users.blockedReason,
      rewardExclusion: users.rewardExclusion,
      erasedAt: users.erasedAt,
      createdAt: users.createdAt,
      lastLoginAt: users.lastLoginAt,
      // Qualified by hand: drizzle leaves a one-table select's columns unqualified, which a subquery would misread.
      reportCount: sql<number>`(select count(*) from reports r where r.user_id = "users"."id")`.mapWith(Number),
    })
    .from(users)
    .where(eq(users.id, userId))
    .limit(1);
  if (!row) throw new AppError('NOT_FOUND', '用户不存在');
  const balance = await ledgerBalance(db, userId);
  return {
    id: row.id,
    maskedNickname: maskName(row.nickname, row.id),
    blocked: row.blockedAt !== null,
    blockedAt: row.blockedAt?.toISOString() ?? null,
    blockedReason: row.blockedReason,
    rewardExclusion: row.rewardExclusion ?? null,
    erased: row.erasedAt !== null,
    reportCount: row.reportCount,
    balanceFen: balance.balanceFen,
    createdAt: row.createdAt.toISOString(),
    lastLoginAt: row.lastLoginAt.toISOString(),
  };
}

/** The reporter of a report, found by its id or its case number, for staff to exclude or block. */
export async function reporterOf(db: Database, by: { reportId?: string; caseNumber?: string }): Promise<StaffResidentDto> {
  const [row] = await db
    .select({ userId: reports.userId })
    .from(reports)
    .where(by.reportId ? eq(reports.id, by.reportId) : eq(reports.caseId, by.caseNumber ?? ''))
    .limit(1);
  if (!row) throw new AppError('NOT_FOUND', '举报不存在');
  return residentForStaff(db, row.userId);
}
