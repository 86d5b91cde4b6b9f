import { and, eq, gte, lt, sql, type SQL } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { auditLog, staffAccounts } from '../../db/schema';
import { afterCursor, keysetOrder, timestampText, type Sort } from '../../http/paging';

export interface AuditFilter {
  actorKind?: 'staff' | 'resident' | 'system';
  actorId?: string;
  action?: string;
  entityType?: string;
  entityId?: string;
  start?: Date;
  end?: Date;
}

/** The audit log, newest first by default, keyset-paged on (created_at, id). */
export function auditRepository(db: Database) {
  return {
    async page(f: AuditFilter, sort: Sort<'createdAt'>, limit: number, after?: { value: string; id: string }) {
      const where: SQL[] = [];
      if (f.actorKind) where.push(eq(auditLog.actorKind, f.actorKind));
      if (f.actorId) where.push(eq(auditLog.actorId, f.actorId));
      if (f.action) where.push(eq(auditLog.action, f.action));
      if (f.entityType) where.push(eq(auditLog.entityType, f.entityType));
      if (f.entityId) where.push(eq(auditLog.entityId, f.entityId));
      if (f.start) where.push(gte(auditLog.createdAt, f.start));
      if (f.end) where.push(lt(auditLog.createdAt, f.end));
      if (after) where.push(afterCursor(auditLog.createdAt, auditLog.id, sort.direction, sql`${after.value}::timestamptz`, sql`${after.id}::bigint`));
      return db
        .select({
          id: auditLog.id,
          actorKind: auditLog.actorKind,
          actorId: auditLog.actorId,
          actorName: staffAccounts.displayName,
          action: auditLog.action,
          entityType: auditLog.entityType,
          entityId: auditLog.entityId,
          details: auditLog.details,
          createdAt: auditLog.createdAt,
          sortValue: timestampText(auditLog.createdAt),
        })
        .from(auditLog)
        .leftJoin(staffAccounts, and(eq(auditLog.actorKind, 'staff'), eq(staffAccounts.id, auditLog.actorId)))
        .where(and(...where))
        .orderBy(...keysetOrder(auditLog.createdAt, auditLog.id, sort.direction))
        .limit(limit + 1);
    },
  };
}

export type AuditPageRow = Awaited<ReturnType<ReturnType<typeof auditRepository>['page']>>[number];
