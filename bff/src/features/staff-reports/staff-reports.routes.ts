import Router from '@koa/router';
import { REPORT_CATEGORIES, REPORT_LIMITS, REPORT_STATUSES, shanghaiDayRange, STAFF_MAP_POINT_LIMITS, STAFF_REPORT_REWARD_STATES, STAFF_SORTS } from '@cityloop/shared';
import { z } from 'zod';
import type { Database } from '../../db/client';
import type { StaffGuard } from '../../http/auth';
import { cursorParam, limitParam, sortParam } from '../../http/paging';
import { boundedText, coordSystemSchema, dayParam, parseInput } from '../../http/validate';
import type { StaffReportFilter } from './staff-reports.repository';
import { listStaffReports, staffReportMapPoints } from './staff-reports.usecases';

/** A comma-separated list of codes from a table, e.g. `status=received,accepted`. */
const codeList = (codes: readonly string[], max: number) =>
  boundedText(1, 400)
    .transform((s) => s.split(',').map((c) => c.trim()))
    .pipe(
      z
        .array(z.enum(codes as [string, ...string[]], { error: `each one of ${codes.join(', ')}` }))
        .min(1)
        .max(max),
    );

const boolParam = z.enum(['true', 'false']).transform((v) => v === 'true');

/** The filters the list and the map share. Days are Asia/Shanghai calendar days, `to` included. */
const filterShape = {
  status: codeList(REPORT_STATUSES, REPORT_STATUSES.length).optional(),
  category: codeList(
    REPORT_CATEGORIES.map((c) => c.code),
    REPORT_CATEGORIES.length,
  ).optional(),
  street: boundedText(1, REPORT_LIMITS.streetMaxChars).optional(),
  from: dayParam.optional(),
  to: dayParam.optional(),
  rewardState: z.enum(STAFF_REPORT_REWARD_STATES as [string, ...string[]]).optional(),
  hasBadRating: boolParam.optional(),
  /** A case-number prefix (the whole number finds one report). */
  caseNumber: boundedText(1, 64).optional(),
  coordSystem: coordSystemSchema.default('wgs84'),
};
const fromBeforeTo = (q: { from?: string; to?: string }) => !q.from || !q.to || q.from <= q.to;

export const staffReportListQuery = z
  .object({ ...filterShape, cursor: cursorParam.optional(), limit: limitParam(), sort: sortParam(STAFF_SORTS.reports) })
  .strict()
  .refine(fromBeforeTo, { message: 'from must not be after to', path: ['from'] });

export const staffReportMapQuery = z
  .object({ ...filterShape, limit: limitParam(STAFF_MAP_POINT_LIMITS.default, STAFF_MAP_POINT_LIMITS.max) })
  .strict()
  .refine(fromBeforeTo, { message: 'from must not be after to', path: ['from'] });

function filterOf(q: z.infer<typeof staffReportMapQuery>): StaffReportFilter {
  const { start, end } = shanghaiDayRange(q.from, q.to);
  return {
    status: q.status,
    category: q.category,
    street: q.street,
    start,
    end,
    rewardState: q.rewardState as StaffReportFilter['rewardState'],
    hasBadRating: q.hasBadRating,
    caseNumber: q.caseNumber,
  };
}

/** Registered before GET /staff/reports/:id, so `map-points` is not taken for an id. */
export function staffReportRoutes(deps: { db: Database; staffGuard: StaffGuard }): Router {
  const router = new Router({ prefix: '/staff/reports' });
  const guard = deps.staffGuard('reports.read');

  router.get('/', guard, async (ctx) => {
    const q = parseInput(staffReportListQuery, ctx.query);
    ctx.body = await listStaffReports(deps.db, { filter: filterOf(q), sort: q.sort, limit: q.limit, cursor: q.cursor, coordSystem: q.coordSystem });
  });

  router.get('/map-points', guard, async (ctx) => {
    const q = parseInput(staffReportMapQuery, ctx.query);
    ctx.body = await staffReportMapPoints(deps.db, { filter: filterOf(q), limit: q.limit, coordSystem: q.coordSystem });
  });

  return router;
}
