import { and, desc, eq, lt, or, sql, type SQL } from 'drizzle-orm';
import { REPORT_STATUSES } from '@cityloop/shared';
import { queryRows, type Database } from '../../db/client';
import { bool, date, int, num, oneOf, row, text, type RowParser } from '../../db/rows';
import { OPEN_STATUS_SQL, reportEvents, reports } from '../../db/schema';
import { AppError } from '../../http/errors';
import { isUuid } from '../../http/validate';

export type ReportRow = typeof reports.$inferSelect;
export type ReportEventRow = typeof reportEvents.$inferSelect;

/**
 * Claims up to `batch` reports matching `where` whose `stamp` is older than `olderThanSeconds` (or
 * unset), least recently stamped first, and stamps them now, returning `columns`. Work done this way
 * rotates through every matching report, so a few that always fail never starve the rest, and two
 * instances never take the same report at once (SKIP LOCKED). The stamp is the database's now(): one
 * clock for every instance.
 */
export function claimInRotation<T>(
  db: Database,
  opts: { stamp: 'last_polled_at' | 'case_lookup_at'; where: SQL; thenBy?: SQL; olderThanSeconds: number; batch: number; columns: SQL; parse: RowParser<T> },
): Promise<T[]> {
  const stamp = sql.identifier(opts.stamp);
  const order = opts.thenBy ? sql`${stamp} nulls first, ${opts.thenBy}` : sql`${stamp} nulls first`;
  return queryRows(
    db,
    sql`
    update reports set ${stamp} = now()
    where id in (
      select id from reports
      where ${opts.where} and (${stamp} is null or ${stamp} < now() - make_interval(secs => ${opts.olderThanSeconds}))
      order by ${order} limit ${opts.batch} for update skip locked)
    returning ${opts.columns}`,
    opts.parse,
  );
}

const nearbyRow = row({ id: text, category: text, status: oneOf(REPORT_STATUSES), address: text, lat: num, lng: num, created_at: date, distance_m: num, own: bool, followed: bool, followers: int });

export function reportsRepository(db: Database) {
  return {
    async insert(row: typeof reports.$inferInsert): Promise<ReportRow> {
      const [created] = await db.insert(reports).values(row).returning();
      return created;
    },
    async findById(id: string): Promise<ReportRow | undefined> {
      const [row] = await db.select().from(reports).where(eq(reports.id, id)).limit(1);
      return row;
    },
    async findByIdempotencyKey(userId: string, key: string): Promise<ReportRow | undefined> {
      const [row] = await db
        .select()
        .from(reports)
        .where(and(eq(reports.userId, userId), eq(reports.idempotencyKey, key)))
        .limit(1);
      return row;
    },
    async findByCaseId(caseId: string): Promise<ReportRow | undefined> {
      const [row] = await db.select().from(reports).where(eq(reports.caseId, caseId)).limit(1);
      return row;
    },
    /** Newest first, keyset-paged on (created_at, id). */
    async listForUser(userId: string, limit: number, before?: { createdAt: Date; id: string }): Promise<ReportRow[]> {
      const page = before
        ? and(eq(reports.userId, userId), or(lt(reports.createdAt, before.createdAt), and(eq(reports.createdAt, before.createdAt), lt(reports.id, before.id))))
        : eq(reports.userId, userId);
      return db.select().from(reports).where(page).orderBy(desc(reports.createdAt), desc(reports.id)).limit(limit);
    },
    async events(reportId: string): Promise<ReportEventRow[]> {
      return db.select().from(reportEvents).where(eq(reportEvents.reportId, reportId)).orderBy(reportEvents.occurredAt, reportEvents.id);
    },
    /** Appends a timeline entry; false when this update id was applied before. */
    /** The new timeline entry, or undefined when one with the same update id was already there. */
    async addEvent(row: typeof reportEvents.$inferInsert): Promise<ReportEventRow | undefined> {
      const [inserted] = await db.insert(reportEvents).values(row).onConflictDoNothing().returning();
      return inserted;
    },
    async update(id: string, changes: Partial<typeof reports.$inferInsert>): Promise<void> {
      await db
        .update(reports)
        .set({ ...changes, updatedAt: sql`now()` })
        .where(eq(reports.id, id));
    },
    /**
     * Open reports near a point (WGS-84), nearest first, of one category or all. The status list is
     * written as literals so the planner matches the partial index on open reports (reports_open_earth_idx).
     * `viewerId` marks the caller's own reports and follows; the reporter's id itself is never selected.
     */
    async nearbyOpen(q: { category?: string; lat: number; lng: number; radiusM: number; limit: number; viewerId: string }) {
      const here = sql`ll_to_earth(${q.lat}, ${q.lng})`;
      const point = sql`ll_to_earth(r.lat, r.lng)`;
      return queryRows(
        db,
        sql`select r.id, r.category, r.status, r.address, r.lat, r.lng, r.created_at, earth_distance(${point}, ${here}) as distance_m,
                   r.user_id = ${q.viewerId} as own,
                   exists (select 1 from report_follows f where f.report_id = r.id and f.user_id = ${q.viewerId}) as followed,
                   (select count(*)::int from report_follows f where f.report_id = r.id) as followers
            from reports r
            where r.status in (${sql.raw(OPEN_STATUS_SQL)})
              ${q.category ? sql`and r.category = ${q.category}` : sql``}
              and earth_box(${here}, ${q.radiusM}) @> ${point}
              and earth_distance(${point}, ${here}) <= ${q.radiusM}
            order by ${point} <-> ${here}
            limit ${q.limit}`,
        nearbyRow,
      );
    },
  };
}

/**
 * The report as its owner (or staff) may see it; anyone else, and any id that is not a UUID, gets the
 * same 404 as a missing report, so ids cannot be probed.
 */
export async function findReportFor(db: Database, viewer: { userId?: string; staff?: boolean }, id: string): Promise<ReportRow> {
  const row = isUuid(id) ? await reportsRepository(db).findById(id) : undefined;
  if (!row || (!viewer.staff && row.userId !== viewer.userId)) throw new AppError('NOT_FOUND', '举报不存在');
  return row;
}

export type ReportsRepository = ReturnType<typeof reportsRepository>;
