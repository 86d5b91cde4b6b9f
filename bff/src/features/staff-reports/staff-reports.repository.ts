import { and, eq, gte, inArray, isNull, lt, sql, type SQL } from 'drizzle-orm';
import { isBadRating, RATING_LEVELS } from '@cityloop/shared';
import type { Database } from '../../db/client';
import { reports, rewardDecisions } from '../../db/schema';
import { afterCursor, keysetOrder, likePrefix, timestampText, type Sort } from '../../http/paging';

export type StaffReportSortField = 'createdAt' | 'updatedAt';

export interface StaffReportFilter {
  status?: string[];
  category?: string[];
  street?: string;
  /** [start, end) UTC instants of the Shanghai days asked for. */
  start?: Date;
  end?: Date;
  rewardState?: 'pending' | 'accrued' | 'held' | 'none' | 'reversed';
  hasBadRating?: boolean;
  /** A case-number prefix, matched literally. */
  caseNumber?: string;
}

const BAD_LEVELS = RATING_LEVELS.filter(isBadRating);
// Qualified by hand, so the subquery never depends on how drizzle renders the outer columns.
const isBadLevel = inArray(sql`rr.level`, BAD_LEVELS);
const badRatingExists = sql`exists (select 1 from report_ratings rr where rr.report_id = "reports"."id" and ${isBadLevel})`;
/**
 * The same as a column. A scalar subquery with LIMIT is probed per row of the page through the
 * (report_id, round) index; as `exists` in the select list the planner would hash every 差评 first,
 * planning for a million rows rather than the page's twenty.
 */
const badRatingColumn = sql<boolean>`coalesce((select true from report_ratings rr where rr.report_id = "reports"."id" and ${isBadLevel} limit 1), false)`;

function conditions(f: StaffReportFilter): SQL[] {
  const where: SQL[] = [];
  if (f.status?.length) where.push(inArray(reports.status, f.status));
  if (f.category?.length) where.push(inArray(reports.category, f.category));
  if (f.street) where.push(eq(reports.street, f.street));
  if (f.start) where.push(gte(reports.createdAt, f.start));
  if (f.end) where.push(lt(reports.createdAt, f.end));
  if (f.caseNumber) where.push(sql`${reports.caseId} like ${likePrefix(f.caseNumber)}`);
  if (f.rewardState === 'pending') where.push(isNull(rewardDecisions.reportId));
  // Held and reversed are rare (a review queue): their few reports are found first through their
  // partial indexes (`offset 0` keeps the planner from scanning every report in date order instead).
  else if (f.rewardState === 'held' || f.rewardState === 'reversed') where.push(sql`${reports.id} in (select d.report_id from reward_decisions d where d.outcome = ${f.rewardState} offset 0)`);
  else if (f.rewardState) where.push(eq(rewardDecisions.outcome, f.rewardState));
  if (f.hasBadRating === true) where.push(badRatingExists);
  if (f.hasBadRating === false) where.push(sql`not ${badRatingExists}`);
  return where;
}

const sortColumn = (field: StaffReportSortField) => (field === 'updatedAt' ? reports.updatedAt : reports.createdAt);

/** The staff's report list and map: every filter is one indexed condition; paging is keyset on (sort column, id). */
export function staffReportsRepository(db: Database) {
  return {
    async page(f: StaffReportFilter, sort: Sort<StaffReportSortField>, limit: number, after?: { value: string; id: string }) {
      const column = sortColumn(sort.field);
      const where = conditions(f);
      if (after) where.push(afterCursor(column, reports.id, sort.direction, sql`${after.value}::timestamptz`, sql`${after.id}::uuid`));
      return db
        .select({
          id: reports.id,
          caseId: reports.caseId,
          category: reports.category,
          status: reports.status,
          street: reports.street,
          address: reports.address,
          lat: reports.lat,
          lng: reports.lng,
          createdAt: reports.createdAt,
          updatedAt: reports.updatedAt,
          sortValue: timestampText(column),
          rewardOutcome: rewardDecisions.outcome,
          rewardAmountFen: rewardDecisions.amountFen,
          hasBadRating: badRatingColumn.mapWith(Boolean),
        })
        .from(reports)
        .leftJoin(rewardDecisions, eq(rewardDecisions.reportId, reports.id))
        .where(and(...where))
        .orderBy(...keysetOrder(column, reports.id, sort.direction))
        .limit(limit + 1);
    },
    /** The newest `limit + 1` points of the filtered set. */
    async points(f: StaffReportFilter, limit: number) {
      return db
        .select({ id: reports.id, lat: reports.lat, lng: reports.lng, status: reports.status, category: reports.category })
        .from(reports)
        .leftJoin(rewardDecisions, eq(rewardDecisions.reportId, reports.id))
        .where(and(...conditions(f)))
        .orderBy(...keysetOrder(reports.createdAt, reports.id, 'desc'))
        .limit(limit + 1);
    },
  };
}

export type StaffReportRow = Awaited<ReturnType<ReturnType<typeof staffReportsRepository>['page']>>[number];
