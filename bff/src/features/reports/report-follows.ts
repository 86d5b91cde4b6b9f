import { and, eq, sql } from 'drizzle-orm';
import { findCategory, OPEN_REPORT_STATUSES, REPORT_STATUS_NAMES, REPORT_STATUSES, type FollowedReportDto, type ReportFollowStateDto } from '@cityloop/shared';
import { queryRows, type Database } from '../../db/client';
import { bool, date, int, oneOf, row, text } from '../../db/rows';
import { reportFollows } from '../../db/schema';
import { AppError } from '../../http/errors';
import { afterCursor, decodeCursor, encodeCursor, isTimestampText, keysetOrder, pageOf, timestampText, type Sort } from '../../http/paging';
import { isUuid } from '../../http/validate';
import { reportsRepository, type ReportRow } from './reports.repository';

/**
 * 我也遇到了: a resident follows someone else's open report instead of filing the same problem again.
 * A follow is its own row, never a report: it earns no reward, is not counted in the figures and
 * reveals nothing about the reporter; it brings the report's status notices (applyCaseUpdate).
 */

const OPEN: ReadonlySet<string> = new Set(OPEN_REPORT_STATUSES);
const SORT: Sort<'followedAt'> = { field: 'followedAt', direction: 'desc' };
const SCOPE = 'reportFollows';

/** Any report by id (the caller need not own it); a malformed id is the same 404 as an unknown one. */
async function findAnyReport(db: Database, id: string): Promise<ReportRow> {
  const row = isUuid(id) ? await reportsRepository(db).findById(id) : undefined;
  if (!row) throw new AppError('REPORT_NOT_FOUND');
  return row;
}

const followStateRow = row({ followed: bool, followers: int });
const followedRow = row({ id: text, category: text, status: oneOf(REPORT_STATUSES), address: text, followed_at: date, followed_at_text: text, updated_at: date });

async function followState(db: Database, userId: string, reportId: string): Promise<ReportFollowStateDto> {
  const [state] = await queryRows(
    db,
    sql`select exists (select 1 from report_follows where report_id = ${reportId} and user_id = ${userId}) as followed,
               (select count(*)::int from report_follows where report_id = ${reportId}) as followers`,
    followStateRow,
  );
  return state;
}

/** Follows an open report of someone else's; repeating it changes nothing. */
export async function followReport(db: Database, userId: string, reportId: string): Promise<ReportFollowStateDto> {
  const report = await findAnyReport(db, reportId);
  if (report.userId === userId) throw new AppError('REPORT_FOLLOW_OWN');
  if (!OPEN.has(report.status)) throw new AppError('REPORT_NOT_OPEN');
  await db.insert(reportFollows).values({ userId, reportId: report.id }).onConflictDoNothing();
  return followState(db, userId, report.id);
}

/** Stops following, whatever the report's state; repeating it changes nothing. */
export async function unfollowReport(db: Database, userId: string, reportId: string): Promise<ReportFollowStateDto> {
  const report = await findAnyReport(db, reportId);
  await db.delete(reportFollows).where(and(eq(reportFollows.userId, userId), eq(reportFollows.reportId, report.id)));
  return followState(db, userId, report.id);
}

/** GET /me/report-follows: newest follow first, keyset-paged on (followed at, report id). */
export async function listFollowedReports(db: Database, userId: string, q: { cursor?: string; limit: number }): Promise<{ items: FollowedReportDto[]; nextCursor: string | null }> {
  const after = q.cursor ? decodeCursor(q.cursor, SCOPE, SORT, isUuid, isTimestampText) : undefined;
  const rows = await queryRows(
    db,
    sql`select r.id, r.category, r.status, r.address, f.created_at as followed_at, ${timestampText(sql`f.created_at`)} as followed_at_text, r.updated_at
        from report_follows f join reports r on r.id = f.report_id
        where f.user_id = ${userId}
          ${after ? sql`and ${afterCursor(sql`f.created_at`, sql`f.report_id`, SORT.direction, sql`${after.value}::timestamptz`, sql`${after.id}::uuid`)}` : sql``}
        order by ${sql.join(keysetOrder(sql`f.created_at`, sql`f.report_id`, SORT.direction), sql`, `)}
        limit ${q.limit + 1}`,
    followedRow,
  );
  return pageOf(
    rows,
    q.limit,
    (r) => ({
      id: r.id,
      category: r.category,
      categoryName: findCategory(r.category)?.name ?? r.category,
      status: r.status,
      statusName: REPORT_STATUS_NAMES[r.status],
      address: r.address,
      followedAt: r.followed_at.toISOString(),
      updatedAt: r.updated_at.toISOString(),
    }),
    (r) => encodeCursor(SCOPE, SORT, r.followed_at_text, r.id),
  );
}
