import Router from '@koa/router';
import { z } from 'zod';
import type { Database } from '../../db/client';
import type { StaffGuard } from '../../http/auth';
import { parseInput } from '../../http/validate';
import { staffDashboard } from './dashboard.usecases';

export const dashboardQuery = z.object({}).strict();

/** Any signed-in staff member sees the counts; each queue behind them keeps its own permission. */
export function dashboardRoutes(deps: { db: Database; now: () => Date; staffGuard: StaffGuard }): Router {
  const router = new Router();
  router.get('/staff/dashboard', deps.staffGuard('signed-in'), async (ctx) => {
    parseInput(dashboardQuery, ctx.query);
    ctx.body = { dashboard: await staffDashboard(deps.db, deps.now()) };
  });
  return router;
}
