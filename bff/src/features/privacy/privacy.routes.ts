import Router from '@koa/router';
import type { Middleware } from 'koa';
import type { EraseAccountResponse } from '@cityloop/shared';
import { z } from 'zod';
import { authOf } from '../../http/auth';
import { AppError } from '../../http/errors';
import { parseInput } from '../../http/validate';
import type { Logger } from '../../logger';
import type { PhotoStorage } from '../../ports/storage/photo-storage';
import { recordAudit } from '../audit/audit';
import type { ReportDeps } from '../reports/reports.usecases';
import { eraseMyAccount, exportMyData } from './privacy.usecases';

const eraseBody = z.object({ confirm: z.boolean(), forfeitBalance: z.boolean().default(false) }).strict();

/** The resident's rights over their data (个人信息保护法 art. 45 and 47): a copy, and erasure. */
export function privacyRoutes(deps: ReportDeps & { storage: PhotoStorage; logger: Logger; residentGuard: Middleware; writeGuards: Middleware[] }): Router {
  const router = new Router();

  // An expensive read (every report with its timeline), so it counts against the write limit.
  router.get('/me/data-export', deps.residentGuard, ...deps.writeGuards, async (ctx) => {
    const userId = authOf(ctx).subject;
    const data = await exportMyData(deps, userId);
    await recordAudit(deps.db, { actorKind: 'resident', actorId: userId, action: 'user.data_export', entityType: 'user', entityId: userId, details: { reports: data.reports.length } });
    ctx.set('content-disposition', 'attachment; filename="cityloop-my-data.json"');
    ctx.body = data;
  });

  // Blocked residents may erase their account too: the right does not depend on good standing.
  router.delete('/me', deps.residentGuard, async (ctx) => {
    const body = parseInput(eraseBody, ctx.request.body ?? {});
    if (!body.confirm) throw new AppError('CONFIRMATION_REQUIRED', '注销账号须确认（confirm: true）');
    const summary = await eraseMyAccount({ db: deps.db, storage: deps.storage, logger: deps.logger, now: deps.now }, authOf(ctx).subject, { forfeitBalance: body.forfeitBalance });
    ctx.body = { erased: true, ...summary } satisfies EraseAccountResponse;
  });

  return router;
}

/** The schemas these routes validate with, for the OpenAPI document. */
export const privacySchemas = { eraseBody };
