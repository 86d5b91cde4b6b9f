import type { AuditLogDto, AuditLogEntryDto, RewardRulesHistoryDto } from '@cityloop/shared';
import type { Database } from '../../db/client';
import { decodeCursor, encodeCursor, isTimestampText, pageOf, type Sort } from '../../http/paging';
import { auditRepository, type AuditFilter, type AuditPageRow } from './audit.repository';

const isAuditId = (s: string) => /^\d{1,18}$/.test(s);

export function presentAuditEntry(row: AuditPageRow): AuditLogEntryDto {
  return {
    id: String(row.id),
    actorKind: row.actorKind,
    actorId: row.actorId,
    actorName: row.actorName,
    action: row.action,
    entityType: row.entityType,
    entityId: row.entityId,
    details: row.details,
    createdAt: row.createdAt.toISOString(),
  };
}

async function auditPage<T>(db: Database, scope: string, q: { filter: AuditFilter; sort: Sort<'createdAt'>; limit: number; cursor?: string }, present: (row: AuditPageRow) => T) {
  const after = q.cursor ? decodeCursor(q.cursor, scope, q.sort, isAuditId, isTimestampText) : undefined;
  const rows = await auditRepository(db).page(q.filter, q.sort, q.limit, after);
  return pageOf(rows, q.limit, present, (r) => encodeCursor(scope, q.sort, r.sortValue, String(r.id)));
}

export function listAuditLog(db: Database, q: { filter: AuditFilter; sort: Sort<'createdAt'>; limit: number; cursor?: string }): Promise<AuditLogDto> {
  return auditPage(db, 'audit-log', q, presentAuditEntry);
}

/** 奖励规则 → 修改记录: the rules' audit entries, readable by whoever may read the rules. */
export function rewardRulesHistory(db: Database, q: { sort: Sort<'createdAt'>; limit: number; cursor?: string }): Promise<RewardRulesHistoryDto> {
  return auditPage(db, 'reward-rules-history', { ...q, filter: { entityType: 'reward_rules', action: 'reward_rules.update' } }, (row) => ({
    id: String(row.id),
    changedBy: { id: row.actorId, displayName: row.actorName },
    before: (row.details.before as Record<string, unknown> | undefined) ?? {},
    after: (row.details.after as Record<string, unknown> | undefined) ?? {},
    changedAt: row.createdAt.toISOString(),
  }));
}
