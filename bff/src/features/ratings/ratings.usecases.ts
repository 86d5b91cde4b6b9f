import {
  findCategory,
  formatShanghai,
  isBadRating,
  RATING_CANNOT_RATE_NAMES,
  RATING_LEVEL_NAMES,
  ratingEligibility,
  type RatingRulesConfig,
  type ReportRatingStateDto,
  type StaffRatingItemDto,
  type StaffRatingListDto,
  type SubmitRatingBody,
} from '@cityloop/shared';
import { inTransaction, isUniqueViolation, type Database } from '../../db/client';
import { caseOutbox } from '../../db/schema';
import { AppError } from '../../http/errors';
import { recordAudit } from '../audit/audit';
import { enqueueForUser, thing, type NoticeLog } from '../notifications/notifications';
import { findReportFor, reportsRepository, type ReportRow } from '../reports/reports.repository';
import { isUuid } from '../../http/validate';
import { decodeCursor, encodeCursor, isTimestampText, pageOf } from '../../http/paging';
import { levelOf, ratingsRepository, type LatestFollowUp, type RatingRow, type StaffRatingRow } from './ratings.repository';

export interface RatingDeps {
  db: Database;
  now: () => Date;
  ratingRules: RatingRulesConfig;
}

export const ratePage = (reportId: string) => `packages/report/rate/index?id=${reportId}`;
const detailPage = (reportId: string) => `packages/report/detail/index?id=${reportId}`;

const ownReport = (db: Database, userId: string, reportId: string) => findReportFor(db, { userId }, reportId);

/** How many rounds each report has been rated (for list badges). */
export function ratedRounds(db: Database, reportIds: string[]): Promise<Map<string, number>> {
  return ratingsRepository(db).roundsFor(reportIds);
}

/** Everything the report detail shows about rating, follow-up and rework. */
export async function ratingState(db: Database, report: ReportRow, now: Date, rules: RatingRulesConfig): Promise<ReportRatingStateDto> {
  const repo = ratingsRepository(db);
  const [ratings, followUp] = await Promise.all([repo.forReport(report.id), repo.latestFollowUp(report.id)]);
  return presentRatingState(report, ratings, followUp, now, rules);
}

/** The rating state from what was read (a report just submitted has no ratings and no follow-up). */
export function presentRatingState(report: ReportRow, ratings: RatingRow[], followUp: LatestFollowUp | undefined, now: Date, rules: RatingRulesConfig): ReportRatingStateDto {
  const gate = ratingEligibility({ status: report.status, closedAt: report.closedAt, ratedRounds: ratings.length, reworkRequestedAt: report.reworkRequestedAt, now, windowDays: rules.windowDays });
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
    const repo = ratingsRepository(tx);
    const report = await lockOwnReport(tx, userId, reportId);
    const n = await repo.count(reportId);
    const gate = ratingEligibility({ status: report.status, closedAt: report.closedAt, ratedRounds: n, reworkRequestedAt: report.reworkRequestedAt, now, windowDays: deps.ratingRules.windowDays });
    if (!gate.canRate) {
      const code = { not_closed: 'RATING_NOT_CLOSED', rework_in_progress: 'RATING_NOT_CLOSED', already_rated: 'RATING_ALREADY_SUBMITTED', window_passed: 'RATING_WINDOW_PASSED' } as const;
      throw new AppError(code[gate.reason], RATING_CANNOT_RATE_NAMES[gate.reason], { reason: gate.reason });
    }
    const ratingId = await repo.insert({
      reportId,
      userId,
      round: gate.round,
      level: input.level,
      speed: input.speed ?? null,
      result: input.result ?? null,
      attitude: input.attitude ?? null,
      comment,
      createdAt: now,
    });
    if (isBadRating(input.level)) {
      const dueAt = new Date(now.getTime() + deps.ratingRules.followUpDays * 86_400_000);
      await repo.insertFollowUp({ ratingId, reportId, dueAt, createdAt: now });
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
  await ratingsRepository(tx).lockReport(reportId);
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
  const repo = ratingsRepository(tx);
  const report = await lockOwnReport(tx, userId, reportId);
  if (report.reworkRequestedAt) throw new AppError('REWORK_ALREADY_REQUESTED');
  const ratings = await repo.forReport(reportId);
  const allowed = viaFixedQuestion ? report.status === 'closed' : canRequestRework(report, ratings);
  if (!allowed) {
    const why = report.status !== 'closed' ? 'not_closed' : 'no_bad_rating';
    throw new AppError('REWORK_NOT_ALLOWED', why === 'not_closed' ? '案件结案后才能申请重办' : '给出“不满意”或“非常不满意”评价后才能申请重办', { reason: why });
  }
  await repo.markReworkRequested(reportId, reason, now);
  await tx.insert(caseOutbox).values({ reportId, kind: 'rework', payload: { reason } });
}

/** FixMyStreet's "is it fixed?": recorded once; a "no" on a closed case asks for rework. */
export async function answerFixedQuestion(deps: RatingDeps, userId: string, reportId: string, fixed: boolean): Promise<ReportRatingStateDto> {
  const now = deps.now();
  await inTransaction(deps.db, async (tx) => {
    const report = await ownReport(tx, userId, reportId);
    if (!(await ratingsRepository(tx).answerFixed(reportId, fixed, now))) throw new AppError(report.fixedAskedAt ? 'FIXED_QUESTION_ALREADY_ANSWERED' : 'FIXED_QUESTION_NOT_ASKED');
    if (!fixed && report.status === 'closed' && !report.reworkRequestedAt) await requestReworkInTx(tx, userId, reportId, '居民反馈：问题仍未解决', true, now);
  });
  return ratingState(deps.db, (await reportsRepository(deps.db).findById(reportId))!, now, deps.ratingRules);
}

/**
 * Background nudges, each at most once per report: one reminder to rate a closed case (never more:
 * rating is voluntary), and "is it fixed?" once a dispatched case has been open for the configured time.
 */
export async function sendRatingNudges(deps: RatingDeps & { reminderAfterDays: number; logger: NoticeLog }): Promise<{ reminders: number; fixedQuestions: number }> {
  const { db } = deps;
  const now = deps.now();
  return inTransaction(db, async (tx) => {
    const repo = ratingsRepository(tx);
    const reminders = await repo.claimRatingReminders(now, deps.reminderAfterDays, deps.ratingRules.windowDays);
    for (const r of reminders) {
      await enqueueForUser(tx, deps.logger, r.user_id, 'report_rating_reminder', {
        page: ratePage(r.id),
        data: { thing1: thing(findCategory(r.category)?.name ?? r.category), phrase2: '待评价', thing3: thing('案件已办结，欢迎评价（自愿）'), time4: formatShanghai(r.at) },
      });
    }
    const asked = await repo.claimFixedQuestions(now, deps.ratingRules.fixedQuestionAfterDays);
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
  const rows = await ratingsRepository(db).staffPage({ bad: opts.bad, limit: opts.limit + 1, after });
  return pageOf(
    rows,
    opts.limit,
    (r) => presentStaffRating(r, now),
    (r) => encodeCursor('staff-ratings', sort, r.sort_value, r.id),
  );
}

export async function closeFollowUp(db: Database, staffId: string, followUpRatingId: string, note: string, now: Date) {
  if (!isUuid(followUpRatingId)) throw new AppError('NOT_FOUND', '没有待跟进的差评');
  return inTransaction(db, async (tx) => {
    if (!(await ratingsRepository(tx).closeFollowUp(followUpRatingId, staffId, note, now))) throw new AppError('NOT_FOUND', '没有待跟进的差评');
    await recordAudit(tx, { actorKind: 'staff', actorId: staffId, action: 'rating_follow_up.close', entityType: 'rating', entityId: followUpRatingId, details: { note } });
    return { status: 'done' as const };
  });
}

/** A staff member contests a rating they consider mistaken or malicious. */
export async function fileRatingAppeal(db: Database, staffId: string, ratingId: string, reason: string, now: Date) {
  return inTransaction(db, async (tx) => {
    const repo = ratingsRepository(tx);
    if (!isUuid(ratingId) || !(await repo.exists(ratingId))) throw new AppError('NOT_FOUND', '评价不存在');
    const appealId = await repo.insertAppeal({ ratingId, filedBy: staffId, reason, createdAt: now });
    if (!appealId) throw new AppError('RATING_APPEAL_EXISTS');
    await recordAudit(tx, { actorKind: 'staff', actorId: staffId, action: 'rating_appeal.file', entityType: 'rating', entityId: ratingId, details: { reason } });
    return { id: appealId, status: 'pending' as const };
  });
}

/**
 * Another staff member decides the appeal. Upheld: the rating is excluded from the figures (it is
 * kept, and the resident still sees it). The one who filed may not decide it.
 */
export async function decideRatingAppeal(db: Database, staffId: string, appealId: string, uphold: boolean, note: string, now: Date) {
  return inTransaction(db, async (tx) => {
    const repo = ratingsRepository(tx);
    const appeal = isUuid(appealId) ? await repo.lockAppeal(appealId) : undefined;
    if (!appeal) throw new AppError('NOT_FOUND', '申诉不存在');
    if (appeal.status !== 'pending') throw new AppError('REVIEW_ALREADY_DECIDED');
    if (appeal.filedBy === staffId) throw new AppError('SECOND_STAFF_REQUIRED', '申诉须由另一名工作人员审核');
    await repo.decideAppeal(appealId, uphold ? 'upheld' : 'dismissed', staffId, note, now);
    if (uphold) await repo.excludeFromFigures(appeal.ratingId, now);
    await recordAudit(tx, {
      actorKind: 'staff',
      actorId: staffId,
      action: uphold ? 'rating_appeal.uphold' : 'rating_appeal.dismiss',
      entityType: 'rating',
      entityId: appeal.ratingId,
      details: { appealId, note },
    });
    return { id: appealId, status: uphold ? ('upheld' as const) : ('dismissed' as const) };
  });
}
