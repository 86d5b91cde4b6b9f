import { and, asc, count, desc, eq, inArray, isNotNull, isNull, sql } from 'drizzle-orm';
import {
  ENDED_REPORT_STATUSES,
  findCategory,
  formatShanghai,
  isBadRating,
  RATING_CANNOT_RATE_NAMES,
  RATING_LEVEL_NAMES,
  RATING_LEVELS,
  ratingEligibility,
  type RatingLevel,
  type RatingRulesConfig,
  type ReportRatingStateDto,
  type StaffRatingItemDto,
  type StaffRatingListDto,
  type SubmitRatingBody,
} from '@cityloop/shared';
import { inTransaction, isUniqueViolation, queryRows, type Database } from '../../db/client';
import { date, int, nullable, oneOf, row, text } from '../../db/rows';
import { caseOutbox, ratingAppeals, ratingFollowUps, reportRatings, reports, statusListSql } from '../../db/schema';
import { AppError } from '../../http/errors';
import { recordAudit } from '../audit/audit';
import { enqueueForUser, thing, type NoticeLog } from '../notifications/notifications';
import { findReportFor, reportsRepository, type ReportRow } from '../reports/reports.repository';
import { isUuid } from '../../http/validate';
import { decodeCursor, encodeCursor, isTimestampText, pageOf } from '../../http/paging';

export interface RatingDeps {
  db: Database;
  now: () => Date;
  ratingRules: RatingRulesConfig;
}

type RatingRow = typeof reportRatings.$inferSelect;
const levelOf = (r: { level: string }) => r.level as RatingLevel;
export const ratePage = (reportId: string) => `packages/report/rate/index?id=${reportId}`;
const detailPage = (reportId: string) => `packages/report/detail/index?id=${reportId}`;

const ownReport = (db: Database, userId: string, reportId: string) => findReportFor(db, { userId }, reportId);

/** How many rounds each report has been rated (for list badges). */
export async function ratedRounds(db: Database, reportIds: string[]): Promise<Map<string, number>> {
  if (!reportIds.length) return new Map();
  const rows = await db.select({ reportId: reportRatings.reportId, n: count() }).from(reportRatings).where(inArray(reportRatings.reportId, reportIds)).groupBy(reportRatings.reportId);
  return new Map(rows.map((r) => [r.reportId, r.n]));
}

/** Everything the report detail shows about rating, follow-up and rework. */
export async function ratingState(db: Database, report: ReportRow, now: Date, rules: RatingRulesConfig): Promise<ReportRatingStateDto> {
  const [ratings, followUps] = await Promise.all([
    db.select().from(reportRatings).where(eq(reportRatings.reportId, report.id)).orderBy(asc(reportRatings.round)),
    db.select({ status: ratingFollowUps.status, dueAt: ratingFollowUps.dueAt, note: ratingFollowUps.note }).from(ratingFollowUps).where(eq(ratingFollowUps.reportId, report.id)).orderBy(desc(ratingFollowUps.createdAt)).limit(1),
  ]);
  const gate = ratingEligibility({ status: report.status, closedAt: report.closedAt, ratedRounds: ratings.length, reworkRequestedAt: report.reworkRequestedAt, now, windowDays: rules.windowDays });
  const followUp = followUps[0];
  return {
    canRate: gate.canRate,
    cannotRateReason: gate.canRate ? null : RATING_CANNOT_RATE_NAMES[gate.reason],
    round: gate.canRate ? gate.round : null,
    windowEndsAt: gate.canRate ? gate.windowEndsAt.toISOString() : null,
    ratings: ratings.map((r) => ({
      round: r.round,
      level: levelOf(r),
      levelName: RATING_LEVEL_NAMES[levelOf(r)],
      speed: r.speed,
      result: r.result,
      attitude: r.attitude,
      comment: r.comment,
      excludedFromFigures: Boolean(r.excludedAt),
      at: r.createdAt.toISOString(),
    })),
    followUp: followUp ? { status: followUp.status, dueAt: followUp.dueAt.toISOString(), note: followUp.note } : null,
    canRequestRework: canRequestRework(report, ratings),
    rework: report.reworkRequestedAt ? { requestedAt: report.reworkRequestedAt.toISOString(), reason: report.reworkReason ?? '' } : null,
    fixedQuestion: report.fixedAskedAt ? { askedAt: report.fixedAskedAt.toISOString(), answer: report.fixedAnswer ?? null } : null,
    closingNote: report.closingNote,
  };
}

/** 重办 follows a 差评 on a closed case, once per case. */
function canRequestRework(report: ReportRow, ratings: Pick<RatingRow, 'level'>[]): boolean {
  return report.status === 'closed' && !report.reworkRequestedAt && ratings.some((r) => isBadRating(levelOf(r)));
}

/**
 * Records the reporter's rating for the current round. A 差评 opens a follow-up with its deadline and
 * is passed to the case system through the outbox, all in one transaction.
 */
export async function submitRating(deps: RatingDeps, userId: string, reportId: string, input: SubmitRatingBody): Promise<ReportRatingStateDto> {
  const comment = input.comment?.trim() || null;
  if (isBadRating(input.level) && !comment) throw new AppError('RATING_COMMENT_REQUIRED');
  const now = deps.now();
  await inTransaction(deps.db, async (tx) => {
    const report = await lockOwnReport(tx, userId, reportId);
    const [{ n }] = await tx.select({ n: count() }).from(reportRatings).where(eq(reportRatings.reportId, reportId));
    const gate = ratingEligibility({ status: report.status, closedAt: report.closedAt, ratedRounds: n, reworkRequestedAt: report.reworkRequestedAt, now, windowDays: deps.ratingRules.windowDays });
    if (!gate.canRate) {
      const code = { not_closed: 'RATING_NOT_CLOSED', rework_in_progress: 'RATING_NOT_CLOSED', already_rated: 'RATING_ALREADY_SUBMITTED', window_passed: 'RATING_WINDOW_PASSED' } as const;
      throw new AppError(code[gate.reason], RATING_CANNOT_RATE_NAMES[gate.reason], { reason: gate.reason });
    }
    const [rating] = await tx
      .insert(reportRatings)
      .values({ reportId, userId, round: gate.round, level: input.level, speed: input.speed ?? null, result: input.result ?? null, attitude: input.attitude ?? null, comment, createdAt: now })
      .returning({ id: reportRatings.id });
    if (isBadRating(input.level)) {
      const dueAt = new Date(now.getTime() + deps.ratingRules.followUpDays * 86_400_000);
      await tx.insert(ratingFollowUps).values({ ratingId: rating.id, reportId, dueAt, createdAt: now });
      await tx.insert(caseOutbox).values({
        reportId,
        kind: 'bad_rating',
        payload: { level: input.level, levelName: RATING_LEVEL_NAMES[input.level], comment: comment ?? '', followUpDueAt: dueAt.toISOString() },
      });
    }
  }).catch((err) => {
    // Two submissions racing for the same round: the unique (report, round) index lets one in.
    if (isUniqueViolation(err)) throw new AppError('RATING_ALREADY_SUBMITTED');
    throw err;
  });
  return ratingState(deps.db, (await reportsRepository(deps.db).findById(reportId))!, now, deps.ratingRules);
}

/** The caller's own report, locked for the rest of the transaction. */
async function lockOwnReport(tx: Database, userId: string, reportId: string): Promise<ReportRow> {
  await ownReport(tx, userId, reportId);
  await tx.select({ id: reports.id }).from(reports).where(eq(reports.id, reportId)).for('update');
  return (await reportsRepository(tx).findById(reportId))!;
}

/** Asks the case system to rework (重办) a closed case, once; the next closure opens a second rating. */
export async function requestRework(deps: RatingDeps, userId: string, reportId: string, reason: string, opts: { viaFixedQuestion?: boolean } = {}): Promise<ReportRatingStateDto> {
  const now = deps.now();
  await inTransaction(deps.db, async (tx) => {
    await requestReworkInTx(tx, userId, reportId, reason, opts.viaFixedQuestion ?? false, now);
  });
  return ratingState(deps.db, (await reportsRepository(deps.db).findById(reportId))!, now, deps.ratingRules);
}

async function requestReworkInTx(tx: Database, userId: string, reportId: string, reason: string, viaFixedQuestion: boolean, now: Date) {
  const report = await lockOwnReport(tx, userId, reportId);
  if (report.reworkRequestedAt) throw new AppError('REWORK_ALREADY_REQUESTED');
  const ratings = await tx.select({ level: reportRatings.level }).from(reportRatings).where(eq(reportRatings.reportId, reportId));
  const allowed = viaFixedQuestion ? report.status === 'closed' : canRequestRework(report, ratings);
  if (!allowed) {
    const why = report.status !== 'closed' ? 'not_closed' : 'no_bad_rating';
    throw new AppError('REWORK_NOT_ALLOWED', why === 'not_closed' ? '案件结案后才能申请重办' : '给出“不满意”或“非常不满意”评价后才能申请重办', { reason: why });
  }
  await tx.update(reports).set({ reworkRequestedAt: now, reworkReason: reason, updatedAt: now }).where(eq(reports.id, reportId));
  await tx.insert(caseOutbox).values({ reportId, kind: 'rework', payload: { reason } });
}

/** FixMyStreet's "is it fixed?": recorded once; a "no" on a closed case asks for rework. */
export async function answerFixedQuestion(deps: RatingDeps, userId: string, reportId: string, fixed: boolean): Promise<ReportRatingStateDto> {
  const now = deps.now();
  await inTransaction(deps.db, async (tx) => {
    const report = await ownReport(tx, userId, reportId);
    const updated = await tx
      .update(reports)
      .set({ fixedAnswer: fixed ? 'fixed' : 'not_fixed', fixedAnsweredAt: now, updatedAt: now })
      .where(and(eq(reports.id, reportId), isNotNull(reports.fixedAskedAt), isNull(reports.fixedAnswer)))
      .returning({ id: reports.id });
    if (!updated.length) throw new AppError(report.fixedAskedAt ? 'FIXED_QUESTION_ALREADY_ANSWERED' : 'FIXED_QUESTION_NOT_ASKED');
    if (!fixed && report.status === 'closed' && !report.reworkRequestedAt) await requestReworkInTx(tx, userId, reportId, '居民反馈：问题仍未解决', true, now);
  });
  return ratingState(deps.db, (await reportsRepository(deps.db).findById(reportId))!, now, deps.ratingRules);
}

/** A report a nudge went out for, with the time the notice names. */
const nudgedRow = row({ id: text, user_id: text, category: text, at: date });

/**
 * Background nudges, each at most once per report: one reminder to rate a closed case (never more:
 * rating is voluntary), and "is it fixed?" once a dispatched case has been open for the configured time.
 */
export async function sendRatingNudges(deps: RatingDeps & { reminderAfterDays: number; logger: NoticeLog }): Promise<{ reminders: number; fixedQuestions: number }> {
  const { db } = deps;
  const now = deps.now();
  return inTransaction(db, async (tx) => {
    const reminders = await queryRows(
      tx,
      sql`update reports r set rating_reminder_sent_at = ${now}
          where r.id in (
            select id from reports
            where closed_at is not null and status = 'closed' and rating_reminder_sent_at is null
              and closed_at <= ${now}::timestamptz - make_interval(days => ${deps.reminderAfterDays})
              and closed_at > ${now}::timestamptz - make_interval(days => ${deps.ratingRules.windowDays})
              and not exists (select 1 from report_ratings rr where rr.report_id = reports.id)
            limit 200 for update skip locked)
          returning r.id, r.user_id, r.category, r.closed_at as at`,
      nudgedRow,
    );
    for (const r of reminders) {
      await enqueueForUser(tx, deps.logger, r.user_id, 'report_rating_reminder', {
        page: ratePage(r.id),
        data: { thing1: thing(findCategory(r.category)?.name ?? r.category), phrase2: '待评价', thing3: thing('案件已办结，欢迎评价（自愿）'), time4: formatShanghai(r.at) },
      });
    }
    const asked = await queryRows(
      tx,
      sql`update reports r set fixed_asked_at = ${now}
          where r.id in (
            select id from reports
            where fixed_asked_at is null and status not in (${sql.raw(statusListSql(ENDED_REPORT_STATUSES))})
              and dispatched_at <= ${now}::timestamptz - make_interval(days => ${deps.ratingRules.fixedQuestionAfterDays})
            limit 200 for update skip locked)
          returning r.id, r.user_id, r.category, r.dispatched_at as at`,
      nudgedRow,
    );
    for (const r of asked) {
      await enqueueForUser(tx, deps.logger, r.user_id, 'report_fixed_question', {
        page: detailPage(r.id),
        data: { thing1: thing(findCategory(r.category)?.name ?? r.category), phrase2: '问题解决了吗', thing3: thing('请告诉我们问题是否已解决'), time4: formatShanghai(r.at) },
      });
    }
    return { reminders: reminders.length, fixedQuestions: asked.length };
  });
}

// ---- staff ------------------------------------------------------------------------------------

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
type StaffRatingRow = ReturnType<typeof staffRatingRow>;
const isBadLevel = inArray(sql`rr.level`, RATING_LEVELS.filter(isBadRating));

function staffRatingRows(db: Database, opts: { bad: boolean; limit: number; after?: { value: string; id: string } }): Promise<StaffRatingRow[]> {
  return queryRows(
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
  );
}

function presentStaffRating(r: StaffRatingRow, now: Date): StaffRatingItemDto {
  return {
    id: r.id,
    reportId: r.report_id,
    caseNumber: r.case_id,
    categoryName: findCategory(r.category)?.name ?? r.category,
    round: r.round,
    level: r.level,
    levelName: RATING_LEVEL_NAMES[r.level],
    comment: r.comment,
    excludedFromFigures: Boolean(r.excluded_at),
    appeal: r.appeal_id ? { id: r.appeal_id, status: r.appeal_status!, reason: r.appeal_reason ?? '', filedBy: r.appeal_filed_by! } : null,
    followUp: r.follow_up_status && r.follow_up_due ? { status: r.follow_up_status, dueAt: r.follow_up_due.toISOString(), overdue: r.follow_up_status === 'open' && r.follow_up_due < now } : null,
    at: r.created_at.toISOString(),
  };
}

/** Ratings for staff, 差评 only when asked, newest first and keyset-paged (`{ items, nextCursor }`); the rater stays anonymous (no user id). */
export async function pageRatingsForStaff(db: Database, now: Date, opts: { bad: boolean; limit: number; cursor?: string }): Promise<StaffRatingListDto> {
  const sort = { field: 'createdAt', direction: 'desc' } as const;
  const after = opts.cursor ? decodeCursor(opts.cursor, 'staff-ratings', sort, isUuid, isTimestampText) : undefined;
  const rows = await staffRatingRows(db, { bad: opts.bad, limit: opts.limit + 1, after });
  return pageOf(rows, opts.limit, (r) => presentStaffRating(r, now), (r) => encodeCursor('staff-ratings', sort, r.sort_value, r.id));
}

export async function closeFollowUp(db: Database, staffId: string, followUpRatingId: string, note: string, now: Date) {
  if (!isUuid(followUpRatingId)) throw new AppError('NOT_FOUND', '没有待跟进的差评');
  return inTransaction(db, async (tx) => {
    const rows = await tx
      .update(ratingFollowUps)
      .set({ status: 'done', note, closedBy: staffId, closedAt: now })
      .where(and(eq(ratingFollowUps.ratingId, followUpRatingId), eq(ratingFollowUps.status, 'open')))
      .returning({ id: ratingFollowUps.id });
    if (!rows.length) throw new AppError('NOT_FOUND', '没有待跟进的差评');
    await recordAudit(tx, { actorKind: 'staff', actorId: staffId, action: 'rating_follow_up.close', entityType: 'rating', entityId: followUpRatingId, details: { note } });
    return { status: 'done' as const };
  });
}

/** A staff member contests a rating they consider mistaken or malicious. */
export async function fileRatingAppeal(db: Database, staffId: string, ratingId: string, reason: string, now: Date) {
  return inTransaction(db, async (tx) => {
    const [rating] = isUuid(ratingId) ? await tx.select({ id: reportRatings.id }).from(reportRatings).where(eq(reportRatings.id, ratingId)) : [];
    if (!rating) throw new AppError('NOT_FOUND', '评价不存在');
    const [appeal] = await tx.insert(ratingAppeals).values({ ratingId, filedBy: staffId, reason, createdAt: now }).onConflictDoNothing({ target: ratingAppeals.ratingId }).returning({ id: ratingAppeals.id });
    if (!appeal) throw new AppError('RATING_APPEAL_EXISTS');
    await recordAudit(tx, { actorKind: 'staff', actorId: staffId, action: 'rating_appeal.file', entityType: 'rating', entityId: ratingId, details: { reason } });
    return { id: appeal.id, status: 'pending' as const };
  });
}

/**
 * Another staff member decides the appeal. Upheld: the rating is excluded from the figures (it is
 * kept, and the resident still sees it). The one who filed may not decide it.
 */
export async function decideRatingAppeal(db: Database, staffId: string, appealId: string, uphold: boolean, note: string, now: Date) {
  return inTransaction(db, async (tx) => {
    const [appeal] = isUuid(appealId)
      ? await tx.select({ id: ratingAppeals.id, ratingId: ratingAppeals.ratingId, filedBy: ratingAppeals.filedBy, status: ratingAppeals.status }).from(ratingAppeals).where(eq(ratingAppeals.id, appealId)).for('update')
      : [];
    if (!appeal) throw new AppError('NOT_FOUND', '申诉不存在');
    if (appeal.status !== 'pending') throw new AppError('REVIEW_ALREADY_DECIDED');
    if (appeal.filedBy === staffId) throw new AppError('SECOND_STAFF_REQUIRED', '申诉须由另一名工作人员审核');
    await tx.update(ratingAppeals).set({ status: uphold ? 'upheld' : 'dismissed', decidedBy: staffId, decisionNote: note, decidedAt: now }).where(eq(ratingAppeals.id, appealId));
    if (uphold) await tx.update(reportRatings).set({ excludedAt: now }).where(and(eq(reportRatings.id, appeal.ratingId), isNull(reportRatings.excludedAt)));
    await recordAudit(tx, { actorKind: 'staff', actorId: staffId, action: uphold ? 'rating_appeal.uphold' : 'rating_appeal.dismiss', entityType: 'rating', entityId: appeal.ratingId, details: { appealId, note } });
    return { id: appealId, status: uphold ? ('upheld' as const) : ('dismissed' as const) };
  });
}
