import { DASHBOARD_DUE_SOON_DAYS, shanghaiDay, shanghaiDayRange, type StaffDashboardDto } from '@cityloop/shared';
import { and, count, countDistinct, eq, gte, isNotNull, lt, sql } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { ratingFollowUps, reports, rewardAppeals, rewardClaims, rewardDecisions } from '../../db/schema';

const DAY_MS = 86_400_000;

/** 工作台: today's counts, each one indexed lookup (partial indexes on the queues' open states). */
export async function staffDashboard(db: Database, now: Date): Promise<StaffDashboardDto> {
  const day = shanghaiDay(now);
  const { start, end } = shanghaiDayRange(day, day);
  const soon = new Date(now.getTime() + DASHBOARD_DUE_SOON_DAYS * DAY_MS);
  const [[today], [held], [appeals], [followUps], [batches]] = await Promise.all([
    db
      .select({ n: count() })
      .from(reports)
      .where(and(gte(reports.createdAt, start!), lt(reports.createdAt, end!))),
    db.select({ n: count() }).from(rewardDecisions).where(eq(rewardDecisions.outcome, 'held')),
    db.select({ n: count() }).from(rewardAppeals).where(eq(rewardAppeals.status, 'pending')),
    db
      .select({
        open: count(),
        overdue: sql<number>`count(*) filter (where ${ratingFollowUps.dueAt} < ${now})`.mapWith(Number),
        dueSoon: sql<number>`count(*) filter (where ${ratingFollowUps.dueAt} >= ${now} and ${ratingFollowUps.dueAt} < ${soon})`.mapWith(Number),
      })
      .from(ratingFollowUps)
      .where(eq(ratingFollowUps.status, 'open')),
    db
      .select({ n: countDistinct(rewardClaims.batchId) })
      .from(rewardClaims)
      .where(and(eq(rewardClaims.status, 'processing'), isNotNull(rewardClaims.batchId))),
  ]);
  return {
    day,
    newReportsToday: today.n,
    rewardsAwaitingReview: held.n,
    rewardAppealsPending: appeals.n,
    badRatingFollowUps: { open: followUps.open, dueSoon: followUps.dueSoon, overdue: followUps.overdue, dueSoonDays: DASHBOARD_DUE_SOON_DAYS },
    payoutBatchesAwaitingConfirmation: batches.n,
  };
}
