import Router from '@koa/router';
import { z } from 'zod';
import type { Database } from '../../db/client';
import { authOf, type StaffGuard } from '../../http/auth';
import { AppError } from '../../http/errors';
import { boundedText, isUuid, parseInput } from '../../http/validate';
import { reporterOf, residentForStaff, setResidentBlocked } from './residents.usecases';

export const blockBody = z
  .object({ blocked: z.boolean(), reason: boundedText(1, 200).optional() })
  .strict()
  .refine((b) => !b.blocked || b.reason, { message: 'a reason is required to block', path: ['reason'] });

export const residentLookupQuery = z
  .object({ reportId: z.uuid('not an id').optional(), caseNumber: boundedText(1, 64).optional() })
  .strict()
  .refine((q) => Boolean(q.reportId) !== Boolean(q.caseNumber), 'name either reportId or caseNumber');

/** Staff actions on resident accounts. (Reward exclusion lives with the rewards it affects.) */
export function residentAdminRoutes(deps: { db: Database; staffGuard: StaffGuard }): Router {
  const router = new Router({ prefix: '/staff/users' });
  // Before /:id, so `lookup` is not taken for an id.
  router.get('/lookup', deps.staffGuard('residents.manage'), async (ctx) => {
    const q = parseInput(residentLookupQuery, ctx.query);
    ctx.body = { user: await reporterOf(deps.db, q) };
  });

  router.get('/:id', deps.staffGuard('residents.manage'), async (ctx) => {
    if (!isUuid(ctx.params.id)) throw new AppError('NOT_FOUND', '用户不存在');
    ctx.body = { user: await residentForStaff(deps.db, ctx.params.id) };
  });

  router.put('/:id/block', deps.staffGuard('residents.manage'), async (ctx) => {
    if (!isUuid(ctx.params.id)) throw new AppError('NOT_FOUND', '用户不存在');
    const body = parseInput(blockBody, ctx.request.body);
    ctx.body = await setResidentBlocked(deps.db, authOf(ctx).subject, ctx.params.id, body.blocked, body.reason ?? null);
  });
  return router;
}
