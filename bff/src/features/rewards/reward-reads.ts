import { findCategory, type MyRewardsDto, type ReportRewardDto } from '@cityloop/shared';
import type { Database } from '../../db/client';
import { earnedAndInPayout, ledgerBalance, ledgerEntries } from './ledger';
import { loadRewardRules } from './reward-rules';
import { presentClaim, presentLedgerEntry, presentReportReward, type PayoutWorkingDays } from './rewards.presenter';
import { claimsRepository, decisionsRepository, rewardUsersRepository } from './rewards.repository';

/** The reward state of each report (pending when the case system has not decided yet). */
export async function rewardsForReports(db: Database, reportIds: string[]): Promise<Map<string, ReportRewardDto>> {
  const out = new Map<string, ReportRewardDto>();
  if (!reportIds.length) return out;
  const decisions = decisionsRepository(db);
  const [rows, appeals] = await Promise.all([decisions.forReports(reportIds), decisions.appealsForReports(reportIds)]);
  for (const id of reportIds)
    out.set(
      id,
      presentReportReward(
        rows.find((d) => d.reportId === id),
        appeals.find((a) => a.reportId === id),
      ),
    );
  return out;
}

/** 我的奖励: balance derived from the ledger, entries newest first (keyset-paged), decisions and claims. */
export async function myRewards(db: Database, userId: string, cursor: number | undefined, limit: number, workingDays: PayoutWorkingDays): Promise<MyRewardsDto> {
  const decisionsRepo = decisionsRepository(db);
  const rules = await loadRewardRules(db);
  const [balance, entries, decisions, appeals, claims, totals, optIn] = await Promise.all([
    ledgerBalance(db, userId),
    ledgerEntries(db, userId, cursor, limit + 1),
    decisionsRepo.forUser(userId, 100),
    decisionsRepo.appealsForUser(userId),
    claimsRepository(db).forUser(userId, 50),
    earnedAndInPayout(db, userId),
    rewardUsersRepository(db).leaderboardOptIn(userId),
  ]);
  const page = entries.slice(0, limit);
  return {
    balanceFen: balance.balanceFen,
    inPayoutFen: totals.inPayoutFen,
    totalEarnedFen: totals.earnedFen,
    rules: { claimMinFen: rules.claimMinFen, claimMaxFen: rules.claimMaxFen, expiryDays: rules.expiryDays },
    leaderboardOptIn: optIn,
    entries: page.map(presentLedgerEntry),
    decisions: decisions.map((d) => ({
      ...presentReportReward(
        d,
        appeals.find((a) => a.reportId === d.reportId),
      ),
      reportId: d.reportId,
      categoryName: findCategory(d.category)?.name ?? d.category,
      decidedAt: d.decidedAt.toISOString(),
    })),
    claims: claims.map((c) => presentClaim(c, workingDays)),
    nextCursor: entries.length > limit ? String(page[page.length - 1].seq) : null,
  };
}

export async function setLeaderboardOptIn(db: Database, userId: string, optIn: boolean, now: Date) {
  await rewardUsersRepository(db).setLeaderboardOptIn(userId, optIn, now);
  return { leaderboardOptIn: optIn };
}
