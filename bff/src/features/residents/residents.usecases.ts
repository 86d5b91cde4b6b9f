import { and, eq, isNull, sql } from 'drizzle-orm';
import { inTransaction, type Database } from '../../db/client';
import { users } from '../../db/schema';
import { AppError } from '../../http/errors';
import { recordAudit } from '../audit/audit';

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
