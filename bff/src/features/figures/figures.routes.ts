import Router from '@koa/router';
import type { Middleware } from 'koa';
import type { StaffGuard } from '../../http/auth';
import { REPORT_CATEGORIES, type FigureDimension } from '@cityloop/shared';
import { z } from 'zod';
import type { Database } from '../../db/client';
import { boundedText, dayParam, monthParam, parseInput } from '../../http/validate';
import { cachedScorecard, daysInclusive, figuresCsv, shanghaiDay, staffFigures } from './figures.usecases';

/** The longest period one request may cover, in days (a leap year). */
const MAX_PERIOD_DAYS = 366;
const DIMENSIONS: [FigureDimension, ...FigureDimension[]] = ['street', 'category', 'department', 'month'];

const textFilter = boundedText(1, 100);

/**
 * The staff figures' query. Days are Shanghai calendar days and `to` is included; without them the
 * period is the current Shanghai month to date (with only `to`, the month `to` falls in, up to `to`).
 */
function figuresQuery(today: string) {
  return z
    .object({
      from: dayParam.optional(),
      to: dayParam.optional(),
      groupBy: z.enum(DIMENSIONS).optional(),
      street: textFilter.optional(),
      category: z.enum(REPORT_CATEGORIES.map((c) => c.code) as [string, ...string[]]).optional(),
      department: textFilter.optional(),
      format: z.enum(['json', 'csv']).default('json'),
    })
    .strict()
    .transform((q) => {
      const to = q.to ?? today;
      return { ...q, from: q.from ?? `${to.slice(0, 7)}-01`, to };
    })
    .superRefine((q, ctx) => {
      if (q.from > q.to) ctx.addIssue({ code: 'custom', path: ['from'], message: 'must not be after to' });
      else if (daysInclusive(q.from, q.to) > MAX_PERIOD_DAYS) ctx.addIssue({ code: 'custom', path: ['to'], message: `the period may cover at most ${MAX_PERIOD_DAYS} days` });
    });
}

/** A YYYY-MM month that has begun (Shanghai time); the default is the current month. */
function scorecardQuery(currentMonth: string) {
  return z
    .object({
      month: monthParam.refine((m) => m <= currentMonth, 'must not be in the future').default(currentMonth),
    })
    .strict();
}

export function figuresRoutes(deps: { db: Database; staffGuard: StaffGuard; now: () => Date; publicReadGuard: Middleware }): Router {
  const router = new Router();
  const scorecard = cachedScorecard(deps);

  router.get('/staff/figures', deps.staffGuard('figures.read'), async (ctx) => {
    const q = parseInput(figuresQuery(shanghaiDay(deps.now())), ctx.query);
    const dto = await staffFigures(deps, { from: q.from, to: q.to, groupBy: q.groupBy ?? null, street: q.street, category: q.category, department: q.department });
    if (q.format === 'csv') {
      ctx.set('Content-Type', 'text/csv; charset=utf-8');
      ctx.set('Content-Disposition', `attachment; filename="figures-${dto.from}-${dto.to}.csv"`);
      ctx.body = figuresCsv(dto);
      return;
    }
    ctx.body = dto;
  });

  // Public and anonymous: aggregates only, cacheable for five minutes (by a CDN as by the client).
  router.get('/public/scorecard', deps.publicReadGuard, async (ctx) => {
    const { month } = parseInput(scorecardQuery(shanghaiDay(deps.now()).slice(0, 7)), ctx.query);
    ctx.body = { scorecard: await scorecard(month) };
    ctx.set('Cache-Control', 'public, max-age=300');
  });

  return router;
}

/** The schemas these routes validate with (built for a given day), for the OpenAPI document. */
export const figureSchemas = { figuresQuery, scorecardQuery };
