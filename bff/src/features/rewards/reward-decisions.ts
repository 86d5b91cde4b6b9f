import { sql } from 'drizzle-orm';
import {
  capReason,
  decideReward,
  distanceMeters,
  findCategory,
  type ReportStatus,
  type RewardDecision,
  type RewardFacts,
  type RewardReason,
  type RewardRules,
} from '@cityloop/shared';
import { queryRows, type Database } from '../../db/client';
import type { ReportRow } from '../reports/reports.repository';
import { appendLedgerEntry, lockUserLedger } from './ledger';
import { loadRewardRules } from './reward-rules';

/** Photo reuse is looked for among reports of this many days before the one decided. */
const PHOTO_REUSE_LOOKBACK_DAYS = 90;

const REGISTERED: ReadonlySet<ReportStatus> = new Set(['accepted', 'dispatched', 'handled', 'closed']);

export interface DecisionRow {
  report_id: string;
  user_id: string;
  outcome: 'accrued' | 'held' | 'none' | 'reversed';
  amount_fen: number;
  reason: RewardReason;
  decided_at: Date | string;
}

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
export async function onCaseStatus(tx: Database, report: ReportRow, status: ReportStatus): Promise<void> {
  const signal = REGISTERED.has(status) ? 'registered' : status === 'rejected' ? 'rejected' : status === 'duplicate' ? 'merged' : null;
  if (!signal) return;
  // The caller holds the report's row lock, so this report's decision cannot race with itself; only a
  // new decision, which spends caps and the pool, needs the budget lock. Later steps (dispatch, handle,
  // close) find the decision made and return without it.
  const [existing] = await queryRows<DecisionRow>(tx, sql`select * from reward_decisions where report_id = ${report.id} for update`);
  if (existing) {
    if (signal === 'merged') await reverseForMerge(tx, existing);
    return;
  }
  await lockRewardBudget(tx);
  const rules = await loadRewardRules(tx);
  const facts = await gatherFacts(tx, report, signal, rules);
  await recordDecision(tx, report, decideReward(facts, rules), facts);
}

async function reverseForMerge(tx: Database, decision: DecisionRow) {
  if (decision.outcome === 'accrued') {
    await lockUserLedger(tx, decision.user_id);
    await appendLedgerEntry(tx, decision.user_id, { kind: 'reversal', amountFen: -decision.amount_fen, reportId: decision.report_id, reason: 'reversed_duplicate' });
    await tx.execute(sql`update reward_decisions set outcome = 'reversed', reason = 'reversed_duplicate', updated_at = now() where report_id = ${decision.report_id}`);
  } else if (decision.outcome === 'held') {
    await tx.execute(sql`update reward_decisions set outcome = 'none', amount_fen = 0, reason = 'duplicate_in_case_system', updated_at = now() where report_id = ${decision.report_id}`);
  }
}

async function recordDecision(tx: Database, report: ReportRow, decision: RewardDecision, facts: RewardFacts | Record<string, unknown>) {
  const inserted = await queryRows<{ report_id: string }>(
    tx,
    sql`insert into reward_decisions (report_id, user_id, outcome, amount_fen, reason, facts)
        values (${report.id}, ${report.userId}, ${decision.outcome}, ${decision.amountFen}, ${decision.reason}, ${JSON.stringify(facts)}::jsonb)
        on conflict (report_id) do nothing returning report_id`,
  );
  if (!inserted.length || decision.outcome !== 'accrued') return;
  await lockUserLedger(tx, report.userId);
  await appendLedgerEntry(tx, report.userId, { kind: 'accrual', amountFen: decision.amountFen, reportId: report.id, reason: decision.reason });
}

/** This month's and today's accruals (net of reversals), Asia/Shanghai calendar. */
export async function rewardUsage(tx: Database, userId: string): Promise<RewardFacts['usage']> {
  const [row] = await queryRows<{ day: string; month: string; budget: string }>(
    tx,
    sql`with bounds as (
          select (date_trunc('day', now() at time zone 'Asia/Shanghai') at time zone 'Asia/Shanghai') as day_start,
                 (date_trunc('month', now() at time zone 'Asia/Shanghai') at time zone 'Asia/Shanghai') as month_start)
        select coalesce(sum(l.amount_fen) filter (where l.user_id = ${userId} and l.created_at >= b.day_start), 0) as day,
               coalesce(sum(l.amount_fen) filter (where l.user_id = ${userId}), 0) as month,
               coalesce(sum(l.amount_fen), 0) as budget
        from bounds b left join reward_ledger l on l.kind in ('accrual', 'reversal') and l.created_at >= b.month_start`,
  );
  return { userDayFen: Number(row.day), userMonthFen: Number(row.month), budgetMonthFen: Number(row.budget) };
}

async function gatherFacts(tx: Database, report: ReportRow, signal: RewardFacts['caseSignal'], rules: RewardRules): Promise<RewardFacts> {
  const category = findCategory(report.category);
  const radius = category?.duplicateRadiusMeters ?? 50;
  const [user] = await queryRows<{ reward_exclusion: 'staff' | 'inspector' | null; blocked_at: Date | null; erased: boolean }>(tx, sql`select reward_exclusion, blocked_at, erased_at is not null as erased from users where id = ${report.userId}`);
  const here = sql`ll_to_earth(${report.lat}, ${report.lng})`;
  // Same problem, reported first: an earlier report of the same category close by within the window
  // (rejected and merged ones do not count), or one of ours nearby carrying a near-identical photo.
  const [earlier] = await queryRows<{ id: string }>(
    tx,
    sql`select r.id from reports r
        where r.id <> ${report.id} and r.created_at < ${report.createdAt}
          and r.created_at >= ${report.createdAt}::timestamptz - make_interval(hours => ${rules.dedupeWindowHours})
          and r.status not in ('rejected', 'duplicate')
          and earth_box(${here}, ${radius}) @> ll_to_earth(r.lat, r.lng)
          and earth_distance(ll_to_earth(r.lat, r.lng), ${here}) <= ${radius}
          and (r.category = ${report.category} or exists (
            select 1 from photos p join photos mine on mine.report_id = ${report.id}
            where p.report_id = r.id and bit_count(('x' || p.phash)::bit(64) # ('x' || mine.phash)::bit(64)) <= ${rules.photoHashMaxDistance}))
        limit 1`,
  );
  const photos = await queryRows<{ taken_at: Date | null; gps_lat: number | null; gps_lng: number | null; reused_from: string | null }>(
    tx,
    sql`select mine.taken_at, mine.gps_lat, mine.gps_lng,
          (select r.id from photos p join reports r on r.id = p.report_id
                  where p.report_id <> ${report.id} and r.created_at < ${report.createdAt}
                    and r.created_at >= ${report.createdAt}::timestamptz - make_interval(days => ${PHOTO_REUSE_LOOKBACK_DAYS})
                    and bit_count(('x' || p.phash)::bit(64) # ('x' || mine.phash)::bit(64)) <= ${rules.photoHashMaxDistance}
                  order by r.created_at limit 1) as reused_from
        from photos mine where mine.report_id = ${report.id}`,
  );
  return {
    caseSignal: signal,
    tier: category?.rewardTier ?? 'routine',
    reporter: { exclusion: user?.reward_exclusion ?? null, blocked: Boolean(user?.blocked_at), erased: Boolean(user?.erased) },
    earlierSameProblem: Boolean(earlier),
    photos: photos.map((p) => ({
      hoursOld: p.taken_at ? (report.createdAt.getTime() - new Date(p.taken_at).getTime()) / 3_600_000 : null,
      metersFromReport: p.gps_lat !== null && p.gps_lng !== null ? distanceMeters({ lat: p.gps_lat, lng: p.gps_lng }, report) : null,
      seenOnEarlierReport: p.reused_from !== null,
      earlierReportId: p.reused_from,
    })),
    usage: await rewardUsage(tx, report.userId),
  };
}

/**
 * Pays a reward after a human decided it is due (held reward approved, appeal upheld). The caps
 * still hold: a reward that no longer fits becomes "none" with the cap as its reason.
 */
export async function accrueAfterReview(tx: Database, decision: DecisionRow, reportCategory: string, reason: 'approved_on_review' | 'appeal_upheld'): Promise<DecisionRow> {
  await lockRewardBudget(tx);
  const rules = await loadRewardRules(tx);
  const tier = findCategory(reportCategory)?.rewardTier ?? 'routine';
  const amountFen = decision.outcome === 'held' ? decision.amount_fen : rules.amountsFen[tier];
  const capped = amountFen > 0 ? capReason(amountFen, await rewardUsage(tx, decision.user_id), rules, tier) : null;
  if (capped || amountFen <= 0) {
    const [row] = await queryRows<DecisionRow>(tx, sql`update reward_decisions set outcome = 'none', amount_fen = 0, reason = ${capped ?? 'registered'}, updated_at = now() where report_id = ${decision.report_id} returning *`);
    return row;
  }
  await lockUserLedger(tx, decision.user_id);
  await appendLedgerEntry(tx, decision.user_id, { kind: 'accrual', amountFen, reportId: decision.report_id, reason });
  const [row] = await queryRows<DecisionRow>(tx, sql`update reward_decisions set outcome = 'accrued', amount_fen = ${amountFen}, reason = ${reason}, updated_at = now() where report_id = ${decision.report_id} returning *`);
  return row;
}
