import { findCategory, REWARD_REASON_NAMES, type ReportRewardDto, type RewardReason, type RewardReviewQueueDto } from '@cityloop/shared';
import { inTransaction, type Database } from '../../db/client';
import { AppError } from '../../http/errors';
import { isUuid } from '../../http/validate';
import { recordAudit } from '../audit/audit';
import { findReportFor } from '../reports/reports.repository';
import { accrueAfterReview } from './reward-decisions';
import { rewardsForReports } from './reward-reads';
import { presentReportReward } from './rewards.presenter';
import { decisionsRepository, rewardUsersRepository, type DecisionRow } from './rewards.repository';

const reasonName = (reason: string) => REWARD_REASON_NAMES[reason as RewardReason] ?? reason;

/** A resident appeals a "no reward" or held decision, once per report. */
export async function appealReward(db: Database, userId: string, reportId: string, reason: string, now: Date): Promise<ReportRewardDto> {
  await inTransaction(db, async (t) => {
    await findReportFor(t, { userId }, reportId);
    const decisions = decisionsRepository(t);
    const decision = await decisions.find(reportId);
    if (!decision || (decision.outcome !== 'none' && decision.outcome !== 'held')) {
      throw new AppError('REWARD_APPEAL_NOT_ALLOWED', decision ? '此举报已获得奖励，无需申诉' : '城市管理平台尚未立案，暂不能申诉', { decision: decision?.outcome ?? 'pending' });
    }
    const appeal = await decisions.insertAppeal({ reportId, userId, reason, createdAt: now });
    if (!appeal) throw new AppError('REWARD_APPEAL_EXISTS');
    await recordAudit(t, { actorKind: 'resident', actorId: userId, action: 'reward_appeal.file', entityType: 'report', entityId: reportId, details: { reason } });
  });
  return (await rewardsForReports(db, [reportId])).get(reportId)!;
}

/** Held rewards and pending appeals, oldest first: the staff's review queue. */
export async function reviewQueue(db: Database): Promise<RewardReviewQueueDto> {
  const decisions = decisionsRepository(db);
  const [held, appeals] = await Promise.all([decisions.held(200), decisions.pendingAppeals(200)]);
  return {
    held: held.map((d) => ({
      reportId: d.reportId,
      userId: d.userId,
      categoryName: findCategory(d.category)?.name ?? d.category,
      amountFen: d.amountFen,
      reason: d.reason,
      reasonName: reasonName(d.reason),
      facts: d.facts,
      decidedAt: d.decidedAt.toISOString(),
    })),
    appeals: appeals.map((a) => ({
      id: a.id,
      reportId: a.reportId,
      userId: a.userId,
      categoryName: findCategory(a.category)?.name ?? a.category,
      decision: { outcome: a.outcome, reason: a.decisionReason, reasonName: reasonName(a.decisionReason) },
      reason: a.reason,
      filedAt: a.createdAt.toISOString(),
    })),
  };
}

/** Staff approve or reject a held reward. Approval pays if the caps still allow it. */
export async function reviewHeldReward(db: Database, staffId: string, reportId: string, approve: boolean, note: string, now: Date) {
  if (!isUuid(reportId)) throw new AppError('NOT_FOUND', '奖励记录不存在');
  return inTransaction(db, async (t) => {
    const decisions = decisionsRepository(t);
    const decision = await decisions.lockWithCategory(reportId);
    if (!decision) throw new AppError('NOT_FOUND', '奖励记录不存在');
    if (decision.outcome !== 'held') throw new AppError('REVIEW_ALREADY_DECIDED');
    const after = approve
      ? await accrueAfterReview(t, decision, decision.category, 'approved_on_review', now)
      : await decisions.change(reportId, { outcome: 'none', amountFen: 0, reason: 'rejected_on_review' }, now);
    await decisions.markReviewed(reportId, staffId, note, now);
    await recordAudit(t, {
      actorKind: 'staff',
      actorId: staffId,
      action: approve ? 'reward_review.approve' : 'reward_review.reject',
      entityType: 'report',
      entityId: reportId,
      details: { note, outcome: after.outcome, reason: after.reason },
    });
    return presentReportReward(after, undefined);
  });
}

/** Staff decide a resident's appeal. Upheld: the reward is paid (caps permitting); rejected: the decision stands. */
export async function decideRewardAppeal(db: Database, staffId: string, appealId: string, uphold: boolean, note: string, now: Date) {
  if (!isUuid(appealId)) throw new AppError('NOT_FOUND', '申诉不存在');
  return inTransaction(db, async (t) => {
    const decisions = decisionsRepository(t);
    const appeal = await decisions.lockAppeal(appealId);
    if (!appeal) throw new AppError('NOT_FOUND', '申诉不存在');
    if (appeal.status !== 'pending') throw new AppError('REVIEW_ALREADY_DECIDED');
    const decision = (await decisions.lockWithCategory(appeal.reportId))!;
    let after: DecisionRow = decision;
    if (uphold && (decision.outcome === 'none' || decision.outcome === 'held')) after = await accrueAfterReview(t, decision, decision.category, 'appeal_upheld', now);
    else if (!uphold && decision.outcome === 'held') after = await decisions.change(appeal.reportId, { outcome: 'none', amountFen: 0, reason: 'appeal_rejected' }, now);
    const updated = await decisions.decideAppeal(appealId, { status: uphold ? 'upheld' : 'rejected', decidedBy: staffId, decisionNote: note, decidedAt: now });
    await recordAudit(t, {
      actorKind: 'staff',
      actorId: staffId,
      action: uphold ? 'reward_appeal.uphold' : 'reward_appeal.reject',
      entityType: 'report',
      entityId: appeal.reportId,
      details: { appealId, note, outcome: after.outcome },
    });
    return presentReportReward(after, updated);
  });
}

/** Staff mark a resident as staff or full-time inspector (no rewards), or clear it. */
export async function setRewardExclusion(db: Database, staffId: string, userId: string, exclusion: 'staff' | 'inspector' | null, now: Date) {
  if (!isUuid(userId)) throw new AppError('NOT_FOUND', '用户不存在');
  return inTransaction(db, async (t) => {
    if (!(await rewardUsersRepository(t).setRewardExclusion(userId, exclusion, now))) throw new AppError('NOT_FOUND', '用户不存在');
    await recordAudit(t, { actorKind: 'staff', actorId: staffId, action: 'user.reward_exclusion', entityType: 'user', entityId: userId, details: { exclusion } });
    return { userId, rewardExclusion: exclusion };
  });
}
