import { and, asc, count, desc, eq, inArray, isNotNull, isNull, sql } from 'drizzle-orm';
import { ENDED_REPORT_STATUSES, isBadRating, RATING_LEVELS, type RatingLevel } from '@cityloop/shared';
import { queryRows, type Database } from '../../db/client';
import { date, int, nullable, oneOf, row, text } from '../../db/rows';
import { ratingAppeals, ratingFollowUps, reportRatings, reports, statusListSql } from '../../db/schema';

export type RatingRow = typeof reportRatings.$inferSelect;
/** The newest follow-up of a 差评, as the resident's rating state shows it. */
export type LatestFollowUp = Pick<typeof ratingFollowUps.$inferSelect, 'status' | 'dueAt' | 'note'>;
export const levelOf = (r: { level: string }) => r.level as RatingLevel;

/** A report a nudge went out for, with the time the notice names. */
const nudgedRow = row({ id: text, user_id: text, category: text, at: date });
export type NudgedReport = ReturnType<typeof nudgedRow>;

const staffRatingRow = row({
  id: text,
  report_id: text,
  round: int,
  level: oneOf(RATING_LEVELS),
  comment: nullable(text),
  excluded_at: nullable(date),
  created_at: date,
  case_id: nullable(text),
  category: text,
  appeal_id: nullable(text),
  appeal_status: nullable(oneOf(['pending', 'upheld', 'dismissed'] as const)),
  appeal_reason: nullable(text),
  appeal_filed_by: nullable(text),
  follow_up_status: nullable(oneOf(['open', 'done'] as const)),
  follow_up_due: nullable(date),
  sort_value: text,
});
export type StaffRatingRow = ReturnType<typeof staffRatingRow>;
const isBadLevel = inArray(sql`rr.level`, RATING_LEVELS.filter(isBadRating));
const ENDED_SQL = statusListSql(ENDED_REPORT_STATUSES);

/** Ratings (满意度评价), their follow-ups and staff appeals, and the report columns rating owns. */
export function ratingsRepository(db: Database) {
  return {
    async roundsFor(reportIds: string[]): Promise<Map<string, number>> {
      if (!reportIds.length) return new Map();
      const rows = await db.select({ reportId: reportRatings.reportId, n: count() }).from(reportRatings).where(inArray(reportRatings.reportId, reportIds)).groupBy(reportRatings.reportId);
      return new Map(rows.map((r) => [r.reportId, r.n]));
    },
    forReport: (reportId: string): Promise<RatingRow[]> => db.select().from(reportRatings).where(eq(reportRatings.reportId, reportId)).orderBy(asc(reportRatings.round)),
    async latestFollowUp(reportId: string): Promise<LatestFollowUp | undefined> {
      const [row] = await db
        .select({ status: ratingFollowUps.status, dueAt: ratingFollowUps.dueAt, note: ratingFollowUps.note })
        .from(ratingFollowUps)
        .where(eq(ratingFollowUps.reportId, reportId))
        .orderBy(desc(ratingFollowUps.createdAt))
        .limit(1);
      return row;
    },
    async count(reportId: string): Promise<number> {
      const [{ n }] = await db.select({ n: count() }).from(reportRatings).where(eq(reportRatings.reportId, reportId));
      return n;
    },
    async insert(values: typeof reportRatings.$inferInsert): Promise<string> {
      const [rating] = await db.insert(reportRatings).values(values).returning({ id: reportRatings.id });
      return rating.id;
    },
    async insertFollowUp(values: typeof ratingFollowUps.$inferInsert): Promise<void> {
      await db.insert(ratingFollowUps).values(values);
    },
    /** Locks the report for the rest of the transaction (rating rounds and rework are decided on it). */
    async lockReport(reportId: string): Promise<void> {
      await db.select({ id: reports.id }).from(reports).where(eq(reports.id, reportId)).for('update');
    },
    async markReworkRequested(reportId: string, reason: string, now: Date): Promise<void> {
      await db.update(reports).set({ reworkRequestedAt: now, reworkReason: reason, updatedAt: now }).where(eq(reports.id, reportId));
    },
    /** Records the answer to "is it fixed?" once, and only after it was asked; false otherwise. */
    async answerFixed(reportId: string, fixed: boolean, now: Date): Promise<boolean> {
      const updated = await db
        .update(reports)
        .set({ fixedAnswer: fixed ? 'fixed' : 'not_fixed', fixedAnsweredAt: now, updatedAt: now })
        .where(and(eq(reports.id, reportId), isNotNull(reports.fixedAskedAt), isNull(reports.fixedAnswer)))
        .returning({ id: reports.id });
      return updated.length > 0;
    },
    /**
     * Marks up to 200 closed, unrated reports as reminded, once each: closed at least `afterDays`
     * before `now` and still inside the rating window. Skips rows another run holds.
     */
    claimRatingReminders: (now: Date, afterDays: number, windowDays: number): Promise<NudgedReport[]> =>
      queryRows(
        db,
        sql`update reports r set rating_reminder_sent_at = ${now}
            where r.id in (
              select id from reports
              where closed_at is not null and status = 'closed' and rating_reminder_sent_at is null
                and closed_at <= ${now}::timestamptz - make_interval(days => ${afterDays})
                and closed_at > ${now}::timestamptz - make_interval(days => ${windowDays})
                and not exists (select 1 from report_ratings rr where rr.report_id = reports.id)
              limit 200 for update skip locked)
            returning r.id, r.user_id, r.category, r.closed_at as at`,
        nudgedRow,
      ),
    /** Marks up to 200 reports, dispatched `afterDays` before `now` and not ended, as asked "is it fixed?". */
    claimFixedQuestions: (now: Date, afterDays: number): Promise<NudgedReport[]> =>
      queryRows(
        db,
        sql`update reports r set fixed_asked_at = ${now}
            where r.id in (
              select id from reports
              where fixed_asked_at is null and status not in (${sql.raw(ENDED_SQL)})
                and dispatched_at <= ${now}::timestamptz - make_interval(days => ${afterDays})
              limit 200 for update skip locked)
            returning r.id, r.user_id, r.category, r.dispatched_at as at`,
        nudgedRow,
      ),
    /** Newest first, keyset-paged on (created_at, id), with the report, appeal and follow-up of each. */
    staffPage: (opts: { bad: boolean; limit: number; after?: { value: string; id: string } }): Promise<StaffRatingRow[]> =>
      queryRows(
        db,
        sql`select rr.id, rr.report_id, rr.round, rr.level, rr.comment, rr.excluded_at, rr.created_at, r.case_id, r.category,
              ra.id as appeal_id, ra.status as appeal_status, ra.reason as appeal_reason, ra.filed_by as appeal_filed_by, f.status as follow_up_status, f.due_at as follow_up_due,
              to_char(rr.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as sort_value
            from report_ratings rr join reports r on r.id = rr.report_id
            left join rating_appeals ra on ra.rating_id = rr.id
            left join rating_follow_ups f on f.rating_id = rr.id
            where ${opts.bad ? isBadLevel : sql`true`}
              ${opts.after ? sql`and (rr.created_at, rr.id) < (${opts.after.value}::timestamptz, ${opts.after.id}::uuid)` : sql``}
            order by rr.created_at desc, rr.id desc limit ${opts.limit}`,
        staffRatingRow,
      ),
    /** Closes the open follow-up of a rating; false when there is none. */
    async closeFollowUp(ratingId: string, staffId: string, note: string, now: Date): Promise<boolean> {
      const rows = await db
        .update(ratingFollowUps)
        .set({ status: 'done', note, closedBy: staffId, closedAt: now })
        .where(and(eq(ratingFollowUps.ratingId, ratingId), eq(ratingFollowUps.status, 'open')))
        .returning({ id: ratingFollowUps.id });
      return rows.length > 0;
    },
    async exists(ratingId: string): Promise<boolean> {
      return (await db.select({ id: reportRatings.id }).from(reportRatings).where(eq(reportRatings.id, ratingId))).length > 0;
    },
    /** Files a staff appeal; undefined when the rating has one already. */
    async insertAppeal(values: typeof ratingAppeals.$inferInsert): Promise<string | undefined> {
      const [appeal] = await db.insert(ratingAppeals).values(values).onConflictDoNothing({ target: ratingAppeals.ratingId }).returning({ id: ratingAppeals.id });
      return appeal?.id;
    },
    async lockAppeal(appealId: string) {
      const [appeal] = await db
        .select({ id: ratingAppeals.id, ratingId: ratingAppeals.ratingId, filedBy: ratingAppeals.filedBy, status: ratingAppeals.status })
        .from(ratingAppeals)
        .where(eq(ratingAppeals.id, appealId))
        .for('update');
      return appeal;
    },
    async decideAppeal(appealId: string, status: 'upheld' | 'dismissed', staffId: string, note: string, now: Date): Promise<void> {
      await db.update(ratingAppeals).set({ status, decidedBy: staffId, decisionNote: note, decidedAt: now }).where(eq(ratingAppeals.id, appealId));
    },
    /** Leaves the rating out of the figures from `now` (it stays, and the resident still sees it). */
    async excludeFromFigures(ratingId: string, now: Date): Promise<void> {
      await db
        .update(reportRatings)
        .set({ excludedAt: now })
        .where(and(eq(reportRatings.id, ratingId), isNull(reportRatings.excludedAt)));
    },
  };
}
