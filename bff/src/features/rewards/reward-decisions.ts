import { sql } from 'drizzle-orm';
import {
  capReason,
  decideReward,
  distanceMeters,
  findCategory,
  isEarlierSameProblem,
  REGISTERED_REPORT_STATUSES,
  REPORT_STATUSES,
  type ReportStatus,
  type RewardDecision,
  type RewardFacts,
  type RewardRules,
} from '@cityloop/shared';
import { queryRows, type Database } from '../../db/client';
import { date, int, nullable, num, oneOf, row, text } from '../../db/rows';
import type { ReportRow } from '../reports/reports.repository';
import { appendLedgerEntry, lockUserLedger } from './ledger';
import { loadRewardRules } from './reward-rules';
import { decisionsRepository, rewardUsersRepository, type DecisionRow } from './rewards.repository';

export type { DecisionRow } from './rewards.repository';

/** Photo reuse is looked for among reports of this many days before the one decided. */
const PHOTO_REUSE_LOOKBACK_DAYS = 90;

/**
 * All reward decisions and budget checks take this lock, so two registrations at once cannot both
 * spend the last of a cap or of the monthly pool.
 */
export async function lockRewardBudget(tx: Database): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended('reward-budget', 0))`);
}

/**
 * Reacts to a case-system status inside applyCaseUpdate's transaction. The first registration (立案)
 * decides the reward once; a refusal or merge decides "none"; a merge after a reward reverses it
 * with a ledger entry of its own, never by editing what was paid.
 */
export async function onCaseStatus(tx: Database, report: ReportRow, status: ReportStatus, now: Date): Promise<void> {
  const signal = REGISTERED_REPORT_STATUSES.includes(status) ? 'registered' : status === 'rejected' ? 'rejected' : status === 'duplicate' ? 'merged' : null;
  if (!signal) return;
  // The caller holds the report's row lock, so this report's decision cannot race with itself; only a
  // new decision, which spends caps and the pool, needs the budget lock. Later steps (dispatch, handle,
  // close) find the decision made and return without it.
  const existing = await decisionsRepository(tx).lock(report.id);
  if (existing) {
    if (signal === 'merged') await reverseForMerge(tx, existing, now);
    return;
  }
  await lockRewardBudget(tx);
  const rules = await loadRewardRules(tx);
  const facts = await gatherFacts(tx, report, signal, rules, now);
  await recordDecision(tx, report, decideReward(facts, rules), facts, now);
}

async function reverseForMerge(tx: Database, decision: DecisionRow, now: Date) {
  const decisions = decisionsRepository(tx);
  if (decision.outcome === 'accrued') {
    await lockUserLedger(tx, decision.userId);
    await appendLedgerEntry(tx, decision.userId, { kind: 'reversal', amountFen: -decision.amountFen, reportId: decision.reportId, reason: 'reversed_duplicate', at: now });
    await decisions.change(decision.reportId, { outcome: 'reversed', reason: 'reversed_duplicate' }, now);
  } else if (decision.outcome === 'held') {
    await decisions.change(decision.reportId, { outcome: 'none', amountFen: 0, reason: 'duplicate_in_case_system' }, now);
  }
}

async function recordDecision(tx: Database, report: ReportRow, decision: RewardDecision, facts: RewardFacts, now: Date) {
  const inserted = await decisionsRepository(tx).insert({
    reportId: report.id,
    userId: report.userId,
    outcome: decision.outcome,
    amountFen: decision.amountFen,
    reason: decision.reason,
    facts: facts as unknown as Record<string, unknown>,
    decidedAt: now,
    updatedAt: now,
  });
  if (!inserted || decision.outcome !== 'accrued') return;
  await lockUserLedger(tx, report.userId);
  await appendLedgerEntry(tx, report.userId, { kind: 'accrual', amountFen: decision.amountFen, reportId: report.id, reason: decision.reason, at: now });
}

const usageRow = row({ day: int, month: int, budget: int });

/** This month's and today's accruals (net of reversals) as of `now`, Asia/Shanghai calendar. */
export async function rewardUsage(tx: Database, userId: string, now: Date): Promise<RewardFacts['usage']> {
  const [usage] = await queryRows(
    tx,
    sql`with bounds as (
          select (date_trunc('day', ${now}::timestamptz at time zone 'Asia/Shanghai') at time zone 'Asia/Shanghai') as day_start,
                 (date_trunc('month', ${now}::timestamptz at time zone 'Asia/Shanghai') at time zone 'Asia/Shanghai') as month_start)
        select coalesce(sum(l.amount_fen) filter (where l.user_id = ${userId} and l.created_at >= b.day_start), 0) as day,
               coalesce(sum(l.amount_fen) filter (where l.user_id = ${userId}), 0) as month,
               coalesce(sum(l.amount_fen), 0) as budget
        from bounds b left join reward_ledger l on l.kind in ('accrual', 'reversal') and l.created_at >= b.month_start`,
    usageRow,
  );
  return { userDayFen: usage.day, userMonthFen: usage.month, budgetMonthFen: usage.budget };
}

const candidateRow = row({ category: text, status: oneOf(REPORT_STATUSES), created_at: date, meters_away: num, photo_hash_distance: nullable(int) });
const photoRow = row({ taken_at: nullable(date), gps_lat: nullable(num), gps_lng: nullable(num), reused_from: nullable(text) });

/**
 * Reports near this one within the dedupe window, for isEarlierSameProblem to judge. The box and the
 * window only narrow the search (the GiST index serves the box); the rule itself lives in shared/.
 */
function duplicateCandidates(tx: Database, report: ReportRow, radius: number, rules: RewardRules) {
  const here = sql`ll_to_earth(${report.lat}, ${report.lng})`;
  return queryRows(
    tx,
    sql`select r.category, r.status, r.created_at, earth_distance(ll_to_earth(r.lat, r.lng), ${here}) as meters_away,
          (select min(bit_count(('x' || p.phash)::bit(64) # ('x' || mine.phash)::bit(64)))
             from photos p join photos mine on mine.report_id = ${report.id} where p.report_id = r.id) as photo_hash_distance
        from reports r
        where r.id <> ${report.id} and r.created_at < ${report.createdAt}
          and r.created_at >= ${report.createdAt}::timestamptz - make_interval(hours => ${rules.dedupeWindowHours})
          and earth_box(${here}, ${radius}) @> ll_to_earth(r.lat, r.lng)`,
    candidateRow,
  );
}

async function gatherFacts(tx: Database, report: ReportRow, signal: RewardFacts['caseSignal'], rules: RewardRules, now: Date): Promise<RewardFacts> {
  const category = findCategory(report.category);
  const radius = category?.duplicateRadiusMeters ?? 50;
  const user = await rewardUsersRepository(tx).rewardStanding(report.userId);
  const candidates = await duplicateCandidates(tx, report, radius, rules);
  const earlier = isEarlierSameProblem(
    report,
    candidates.map((c) => ({ category: c.category, status: c.status, createdAt: c.created_at, metersAway: c.meters_away, photoHashDistance: c.photo_hash_distance })),
    { dedupeWindowHours: rules.dedupeWindowHours, photoHashMaxDistance: rules.photoHashMaxDistance, radiusMeters: radius },
  );
  const photos = await queryRows(
    tx,
    sql`select mine.taken_at, mine.gps_lat, mine.gps_lng,
          (select r.id from photos p join reports r on r.id = p.report_id
                  where p.report_id <> ${report.id} and r.created_at < ${report.createdAt}
                    and r.created_at >= ${report.createdAt}::timestamptz - make_interval(days => ${PHOTO_REUSE_LOOKBACK_DAYS})
                    and bit_count(('x' || p.phash)::bit(64) # ('x' || mine.phash)::bit(64)) <= ${rules.photoHashMaxDistance}
                  order by r.created_at limit 1) as reused_from
        from photos mine where mine.report_id = ${report.id}`,
    photoRow,
  );
  return {
    caseSignal: signal,
    tier: category?.rewardTier ?? 'routine',
    reporter: { exclusion: user?.exclusion ?? null, blocked: Boolean(user?.blockedAt), erased: Boolean(user?.erasedAt) },
    earlierSameProblem: earlier,
    photos: photos.map((p) => ({
      hoursOld: p.taken_at ? (report.createdAt.getTime() - p.taken_at.getTime()) / 3_600_000 : null,
      metersFromReport: p.gps_lat !== null && p.gps_lng !== null ? distanceMeters({ lat: p.gps_lat, lng: p.gps_lng }, report) : null,
      seenOnEarlierReport: p.reused_from !== null,
      earlierReportId: p.reused_from,
    })),
    usage: await rewardUsage(tx, report.userId, now),
  };
}

/**
 * Pays a reward after a human decided it is due (held reward approved, appeal upheld). The caps
 * still hold: a reward that no longer fits becomes "none" with the cap as its reason.
 */
export async function accrueAfterReview(tx: Database, decision: DecisionRow, reportCategory: string, reason: 'approved_on_review' | 'appeal_upheld', now: Date): Promise<DecisionRow> {
  await lockRewardBudget(tx);
  const rules = await loadRewardRules(tx);
  const tier = findCategory(reportCategory)?.rewardTier ?? 'routine';
  const amountFen = decision.outcome === 'held' ? decision.amountFen : rules.amountsFen[tier];
  const capped = amountFen > 0 ? capReason(amountFen, await rewardUsage(tx, decision.userId, now), rules, tier) : null;
  const decisions = decisionsRepository(tx);
  if (capped || amountFen <= 0) return decisions.change(decision.reportId, { outcome: 'none', amountFen: 0, reason: capped ?? 'registered' }, now);
  await lockUserLedger(tx, decision.userId);
  await appendLedgerEntry(tx, decision.userId, { kind: 'accrual', amountFen, reportId: decision.reportId, reason, at: now });
  return decisions.change(decision.reportId, { outcome: 'accrued', amountFen, reason }, now);
}
