import Router from '@koa/router';
import { shanghaiDayRange, STAFF_SORTS } from '@cityloop/shared';
import { z } from 'zod';
import type { Database } from '../../db/client';
import type { StaffGuard } from '../../http/auth';
import { cursorParam, limitParam, sortParam } from '../../http/paging';
import { boundedText, dayParam, parseInput } from '../../http/validate';
import { listAuditLog, rewardRulesHistory } from './audit.usecases';

export const auditLogQuery = z
  .object({
    actorKind: z.enum(['staff', 'resident', 'system']).optional(),
    actorId: z.uuid('not an id').optional(),
    action: boundedText(1, 100).optional(),
    entityType: boundedText(1, 100).optional(),
    entityId: boundedText(1, 200).optional(),
    from: dayParam.optional(),
    to: dayParam.optional(),
    cursor: cursorParam.optional(),
    limit: limitParam(50),
    sort: sortParam(STAFF_SORTS.auditLog),
  })
  .strict()
  .refine((q) => !q.from || !q.to || q.from <= q.to, { message: 'from must not be after to', path: ['from'] });

export const rewardRulesHistoryQuery = z.object({ cursor: cursorParam.optional(), limit: limitParam(), sort: sortParam(STAFF_SORTS.rewardRulesHistory) }).strict();

export function auditRoutes(deps: { db: Database; staffGuard: StaffGuard }): Router {
  const router = new Router();

  router.get('/staff/audit-log', deps.staffGuard('audit.read'), async (ctx) => {
    const q = parseInput(auditLogQuery, ctx.query);
    const { start, end } = shanghaiDayRange(q.from, q.to);
    const filter = { actorKind: q.actorKind, actorId: q.actorId, action: q.action, entityType: q.entityType, entityId: q.entityId, start, end };
    ctx.body = await listAuditLog(deps.db, { filter, sort: q.sort, limit: q.limit, cursor: q.cursor });
  });

  router.get('/staff/rewards/rules/history', deps.staffGuard('rewards.read'), async (ctx) => {
    const q = parseInput(rewardRulesHistoryQuery, ctx.query);
    ctx.body = await rewardRulesHistory(deps.db, q);
  });

  return router;
}
