import { sql } from 'drizzle-orm';
import {
  findCategory,
  formatShanghai,
  isBadRating,
  RATING_CANNOT_RATE_NAMES,
  RATING_LEVEL_NAMES,
  ratingEligibility,
  type RatingLevel,
  type RatingRulesConfig,
  type ReportRatingStateDto,
  type StaffRatingItemDto,
  type StaffRatingListDto,
  type SubmitRatingBody,
} from '@cityloop/shared';
import { inTransaction, isUniqueViolation, queryRows, type Database } from '../../db/client';
import { caseOutbox } from '../../db/schema';
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

interface RatingRow {
  id: string;
  report_id: string;
  round: number;
  level: RatingLevel;
  speed: number | null;
  result: number | null;
  attitude: number | null;
  comment: string | null;
  excluded_at: Date | string | null;
  created_at: Date | string;
}

interface FollowUpRow {
  id: string;
  status: 'open' | 'done';
  due_at: Date | string;
  note: string | null;
}

const iso = (d: Date | string) => new Date(d).toISOString();
export const ratePage = (reportId: string) => `packages/report/rate/index?id=${reportId}`;
const detailPage = (reportId: string) => `packages/report/detail/index?id=${reportId}`;

const ownReport = (db: Database, userId: string, reportId: string) => findReportFor(db, { userId }, reportId);

/** How many rounds each report has been rated (for list badges). */
export async function ratedRounds(db: Database, reportIds: string[]): Promise<Map<string, number>> {
  if (!reportIds.length) return new Map();
  const rows = await queryRows<{ report_id: string; n: number }>(db, sql`select report_id, count(*)::int as n from report_ratings where report_id in (${sql.join(reportIds.map((id) => sql`${id}`), sql`, `)}) group by report_id`);
  return new Map(rows.map((r) => [r.report_id, r.n]));
}

/** Everything the report detail shows about rating, follow-up and rework. */
export async function ratingState(db: Database, report: ReportRow, now: Date, rules: RatingRulesConfig): Promise<ReportRatingStateDto> {
  const [ratings, followUps] = await Promise.all([
    queryRows<RatingRow>(db, sql`select * from report_ratings where report_id = ${report.id} order by round`),
    queryRows<FollowUpRow>(db, sql`select id, status, due_at, note from rating_follow_ups where report_id = ${report.id} order by created_at desc limit 1`),
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
      level: r.level,
      levelName: RATING_LEVEL_NAMES[r.level],
      speed: r.speed,
      result: r.result,
      attitude: r.attitude,
      comment: r.comment,
      excludedFromFigures: Boolean(r.excluded_at),
      at: iso(r.created_at),
    })),
    followUp: followUp ? { status: followUp.status, dueAt: iso(followUp.due_at), note: followUp.note } : null,
    canRequestRework: canRequestRework(report, ratings),
    rework: report.reworkRequestedAt ? { requestedAt: report.reworkRequestedAt.toISOString(), reason: report.reworkReason ?? '' } : null,
    fixedQuestion: report.fixedAskedAt ? { askedAt: report.fixedAskedAt.toISOString(), answer: report.fixedAnswer ?? null } : null,
    closingNote: report.closingNote,
  };
}

/** 重办 follows a 差评 on a closed case, once per case. */
function canRequestRework(report: ReportRow, ratings: Pick<RatingRow, 'level'>[]): boolean {
  return report.status === 'closed' && !report.reworkRequestedAt && ratings.some((r) => isBadRating(r.level));
}

/**
 * Records the reporter's rating for the current round. A 差评 opens a follow-up with its deadline and
 * is passed to the case system through the outbox, all in one transaction.
 */
export async function submitRating(deps: RatingDeps, userId: string, reportId: string, input: SubmitRatingBody): Promise<ReportRatingStateDto> {
  const comment = input.comment?.trim() || null;
  if (isBadRating(input.level) && !comment) throw new AppError('RATING_COMMENT_REQUIRED');
  await inTransaction(deps.db, async (tx) => {
    await ownReport(tx, userId, reportId);
    await tx.execute(sql`select id from reports where id = ${reportId} for update`);
    const report = (await reportsRepository(tx).findById(reportId))!;
    const [{ n }] = await queryRows<{ n: number }>(tx, sql`select count(*)::int as n from report_ratings where report_id = ${reportId}`);
    const gate = ratingEligibility({ status: report.status, closedAt: report.closedAt, ratedRounds: n, reworkRequestedAt: report.reworkRequestedAt, now: deps.now(), windowDays: deps.ratingRules.windowDays });
    if (!gate.canRate) {
      const code = { not_closed: 'RATING_NOT_CLOSED', rework_in_progress: 'RATING_NOT_CLOSED', already_rated: 'RATING_ALREADY_SUBMITTED', window_passed: 'RATING_WINDOW_PASSED' } as const;
      throw new AppError(code[gate.reason], RATING_CANNOT_RATE_NAMES[gate.reason]);
    }
    const [rating] = await queryRows<{ id: string }>(
      tx,
      sql`insert into report_ratings (report_id, user_id, round, level, speed, result, attitude, comment)
          values (${reportId}, ${userId}, ${gate.round}, ${input.level}, ${input.speed ?? null}, ${input.result ?? null}, ${input.attitude ?? null}, ${comment})
          returning id`,
    );
    if (isBadRating(input.level)) {
      const dueAt = new Date(deps.now().getTime() + deps.ratingRules.followUpDays * 86_400_000);
      await tx.execute(sql`insert into rating_follow_ups (rating_id, report_id, due_at) values (${rating.id}, ${reportId}, ${dueAt})`);
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
  return ratingState(deps.db, (await reportsRepository(deps.db).findById(reportId))!, deps.now(), deps.ratingRules);
}

/** Asks the case system to rework (重办) a closed case, once; the next closure opens a second rating. */
export async function requestRework(deps: RatingDeps, userId: string, reportId: string, reason: string, opts: { viaFixedQuestion?: boolean } = {}): Promise<ReportRatingStateDto> {
  await inTransaction(deps.db, async (tx) => {
    await requestReworkInTx(tx, userId, reportId, reason, opts.viaFixedQuestion ?? false);
  });
  return ratingState(deps.db, (await reportsRepository(deps.db).findById(reportId))!, deps.now(), deps.ratingRules);
}

async function requestReworkInTx(tx: Database, userId: string, reportId: string, reason: string, viaFixedQuestion: boolean) {
  await ownReport(tx, userId, reportId);
  await tx.execute(sql`select id from reports where id = ${reportId} for update`);
  const report = (await reportsRepository(tx).findById(reportId))!;
  if (report.reworkRequestedAt) throw new AppError('REWORK_ALREADY_REQUESTED');
  const ratings = await queryRows<{ level: RatingLevel }>(tx, sql`select level from report_ratings where report_id = ${reportId}`);
  const allowed = viaFixedQuestion ? report.status === 'closed' : canRequestRework(report, ratings);
  if (!allowed) throw new AppError('REWORK_NOT_ALLOWED', report.status !== 'closed' ? '案件结案后才能申请重办' : '给出“不满意”或“非常不满意”评价后才能申请重办');
  await tx.execute(sql`update reports set rework_requested_at = now(), rework_reason = ${reason}, updated_at = now() where id = ${reportId}`);
  await tx.insert(caseOutbox).values({ reportId, kind: 'rework', payload: { reason } });
}

/** FixMyStreet's "is it fixed?": recorded once; a "no" on a closed case asks for rework. */
export async function answerFixedQuestion(deps: RatingDeps, userId: string, reportId: string, fixed: boolean): Promise<ReportRatingStateDto> {
  await inTransaction(deps.db, async (tx) => {
    const report = await ownReport(tx, userId, reportId);
    const updated = await queryRows<{ id: string }>(
      tx,
      sql`update reports set fixed_answer = ${fixed ? 'fixed' : 'not_fixed'}, fixed_answered_at = now(), updated_at = now()
          where id = ${reportId} and fixed_asked_at is not null and fixed_answer is null returning id`,
    );
    if (!updated.length) throw new AppError('CONFLICT', report.fixedAskedAt ? '已回答过此问题' : '尚未询问此问题');
    if (!fixed && report.status === 'closed' && !report.reworkRequestedAt) await requestReworkInTx(tx, userId, reportId, '居民反馈：问题仍未解决', true);
  });
  return ratingState(deps.db, (await reportsRepository(deps.db).findById(reportId))!, deps.now(), deps.ratingRules);
}

/**
 * Background nudges, each at most once per report: one reminder to rate a closed case (never more:
 * rating is voluntary), and "is it fixed?" once a dispatched case has been open for the configured time.
 */
export async function sendRatingNudges(deps: RatingDeps & { reminderAfterDays: number; logger: NoticeLog }): Promise<{ reminders: number; fixedQuestions: number }> {
  const { db } = deps;
  const now = deps.now();
  return inTransaction(db, async (tx) => {
    const reminders = await queryRows<{ id: string; user_id: string; category: string; closed_at: Date }>(
      tx,
      sql`update reports r set rating_reminder_sent_at = now()
          where r.id in (
            select id from reports
            where closed_at is not null and status = 'closed' and rating_reminder_sent_at is null
              and closed_at <= ${now}::timestamptz - make_interval(days => ${deps.reminderAfterDays})
              and closed_at > ${now}::timestamptz - make_interval(days => ${deps.ratingRules.windowDays})
              and not exists (select 1 from report_ratings rr where rr.report_id = reports.id)
            limit 200 for update skip locked)
          returning r.id, r.user_id, r.category, r.closed_at`,
    );
    for (const r of reminders) {
      await enqueueForUser(tx, deps.logger, r.user_id, 'report_rating_reminder', {
        page: ratePage(r.id),
        data: { thing1: thing(findCategory(r.category)?.name ?? r.category), phrase2: '待评价', thing3: thing('案件已办结，欢迎评价（自愿）'), time4: formatShanghai(new Date(r.closed_at)) },
      });
    }
    const asked = await queryRows<{ id: string; user_id: string; category: string; dispatched_at: Date }>(
      tx,
      sql`update reports r set fixed_asked_at = now()
          where r.id in (
            select id from reports
            where fixed_asked_at is null and status not in ('closed', 'rejected', 'duplicate')
              and dispatched_at <= ${now}::timestamptz - make_interval(days => ${deps.ratingRules.fixedQuestionAfterDays})
            limit 200 for update skip locked)
          returning r.id, r.user_id, r.category, r.dispatched_at`,
    );
    for (const r of asked) {
      await enqueueForUser(tx, deps.logger, r.user_id, 'report_fixed_question', {
        page: detailPage(r.id),
        data: { thing1: thing(findCategory(r.category)?.name ?? r.category), phrase2: '问题解决了吗', thing3: thing('请告诉我们问题是否已解决'), time4: formatShanghai(new Date(r.dispatched_at)) },
      });
    }
    return { reminders: reminders.length, fixedQuestions: asked.length };
  });
}

// ---- staff ------------------------------------------------------------------------------------

type StaffRatingRow = RatingRow & { case_id: string | null; category: string; appeal_id: string | null; appeal_status: 'pending' | 'upheld' | 'dismissed' | null; appeal_reason: string | null; appeal_filed_by: string | null; follow_up_status: string | null; follow_up_due: Date | null; sort_value: string };

async function staffRatingRows(db: Database, opts: { bad: boolean; limit: number; after?: { value: string; id: string } }): Promise<StaffRatingRow[]> {
  return queryRows<StaffRatingRow>(
    db,
    sql`select rr.*, r.case_id, r.category, ra.id as appeal_id, ra.status as appeal_status, ra.reason as appeal_reason, ra.filed_by as appeal_filed_by, f.status as follow_up_status, f.due_at as follow_up_due,
          to_char(rr.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as sort_value
        from report_ratings rr join reports r on r.id = rr.report_id
        left join rating_appeals ra on ra.rating_id = rr.id
        left join rating_follow_ups f on f.rating_id = rr.id
        where ${opts.bad ? sql`rr.level in ('dissatisfied', 'very_dissatisfied')` : sql`true`}
          ${opts.after ? sql`and (rr.created_at, rr.id) < (${opts.after.value}::timestamptz, ${opts.after.id}::uuid)` : sql``}
        order by rr.created_at desc, rr.id desc limit ${opts.limit}`,
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
    followUp: r.follow_up_status ? { status: r.follow_up_status, dueAt: iso(r.follow_up_due!), overdue: r.follow_up_status === 'open' && new Date(r.follow_up_due!) < now } : null,
    at: iso(r.created_at),
  };
}

/** Ratings for staff, 差评 only when asked, newest first and keyset-paged (`{ items, nextCursor }`); the rater stays anonymous (no user id). */
export async function pageRatingsForStaff(db: Database, now: Date, opts: { bad: boolean; limit: number; cursor?: string }): Promise<StaffRatingListDto> {
  const sort = { field: 'createdAt', direction: 'desc' } as const;
  const after = opts.cursor ? decodeCursor(opts.cursor, 'staff-ratings', sort, isUuid, isTimestampText) : undefined;
  const rows = await staffRatingRows(db, { bad: opts.bad, limit: opts.limit + 1, after });
  return pageOf(rows, opts.limit, (r) => presentStaffRating(r, now), (r) => encodeCursor('staff-ratings', sort, r.sort_value, r.id));
}

export async function closeFollowUp(db: Database, staffId: string, followUpRatingId: string, note: string) {
  if (!isUuid(followUpRatingId)) throw new AppError('NOT_FOUND', '没有待跟进的差评');
  return inTransaction(db, async (tx) => {
    const rows = await queryRows<{ id: string; report_id: string }>(
      tx,
      sql`update rating_follow_ups set status = 'done', note = ${note}, closed_by = ${staffId}, closed_at = now() where rating_id = ${followUpRatingId} and status = 'open' returning id, report_id`,
    );
    if (!rows.length) throw new AppError('NOT_FOUND', '没有待跟进的差评');
    await recordAudit(tx, { actorKind: 'staff', actorId: staffId, action: 'rating_follow_up.close', entityType: 'rating', entityId: followUpRatingId, details: { note } });
    return { status: 'done' as const };
  });
}

/** A staff member contests a rating they consider mistaken or malicious. */
export async function fileRatingAppeal(db: Database, staffId: string, ratingId: string, reason: string) {
  return inTransaction(db, async (tx) => {
    const [rating] = isUuid(ratingId) ? await queryRows<{ id: string }>(tx, sql`select id from report_ratings where id = ${ratingId}`) : [];
    if (!rating) throw new AppError('NOT_FOUND', '评价不存在');
    const [appeal] = await queryRows<{ id: string }>(
      tx,
      sql`insert into rating_appeals (rating_id, filed_by, reason) values (${ratingId}, ${staffId}, ${reason}) on conflict (rating_id) do nothing returning id`,
    );
    if (!appeal) throw new AppError('CONFLICT', '此评价已有申诉');
    await recordAudit(tx, { actorKind: 'staff', actorId: staffId, action: 'rating_appeal.file', entityType: 'rating', entityId: ratingId, details: { reason } });
    return { id: appeal.id, status: 'pending' as const };
  });
}

/**
 * Another staff member decides the appeal. Upheld: the rating is excluded from the figures (it is
 * kept, and the resident still sees it). The one who filed may not decide it.
 */
export async function decideRatingAppeal(db: Database, staffId: string, appealId: string, uphold: boolean, note: string) {
  return inTransaction(db, async (tx) => {
    const [appeal] = isUuid(appealId)
      ? await queryRows<{ id: string; rating_id: string; filed_by: string; status: string }>(tx, sql`select id, rating_id, filed_by, status from rating_appeals where id = ${appealId} for update`)
      : [];
    if (!appeal) throw new AppError('NOT_FOUND', '申诉不存在');
    if (appeal.status !== 'pending') throw new AppError('REVIEW_ALREADY_DECIDED');
    if (appeal.filed_by === staffId) throw new AppError('SECOND_STAFF_REQUIRED', '申诉须由另一名工作人员审核');
    await tx.execute(sql`update rating_appeals set status = ${uphold ? 'upheld' : 'dismissed'}, decided_by = ${staffId}, decision_note = ${note}, decided_at = now() where id = ${appealId}`);
    if (uphold) await tx.execute(sql`update report_ratings set excluded_at = now() where id = ${appeal.rating_id} and excluded_at is null`);
    await recordAudit(tx, { actorKind: 'staff', actorId: staffId, action: uphold ? 'rating_appeal.uphold' : 'rating_appeal.dismiss', entityType: 'rating', entityId: appeal.rating_id, details: { appealId, note } });
    return { id: appealId, status: uphold ? ('upheld' as const) : ('dismissed' as const) };
  });
}
