import { createHash } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { claimAmountProblem, csvCell, expiringAmountFen, findCategory, maskName, REWARD_REASON_NAMES, type MyRewardsDto, type PayoutBatchCreatedDto, type PayoutBatchResultsDto, type ReportRewardDto, type RewardFiguresDto, type RewardReviewQueueDto, type RewardReason, type RewardRules } from '@cityloop/shared';
import { inTransaction, isUniqueViolation, queryRows, type Database } from '../../db/client';
import { payoutBatches } from '../../db/schema';
import { AppError } from '../../http/errors';
import { isUuid } from '../../http/validate';
import { findReportFor } from '../reports/reports.repository';
import { type PayoutState } from '../../ports/payout/payout';
import { recordAudit } from '../audit/audit';
import { appendLedgerEntry, isCheckViolation, ledgerBalance, lockUserLedger, type LedgerRow } from './ledger';
import { accrueAfterReview, type DecisionRow } from './reward-decisions';
import { loadRewardRules } from './reward-rules';
import { presentClaim, presentLedgerEntry, presentReportReward, type AppealRow, type ClaimRow, type PayoutWorkingDays } from './rewards.presenter';

const inList = (ids: string[]) => sql.join(ids.map((id) => sql`${id}`), sql`, `);


/** The reward state of each report (pending when the case system has not decided yet). */
export async function rewardsForReports(db: Database, reportIds: string[]): Promise<Map<string, ReportRewardDto>> {
  const out = new Map<string, ReportRewardDto>();
  if (!reportIds.length) return out;
  const [decisions, appeals] = await Promise.all([
    queryRows<DecisionRow>(db, sql`select * from reward_decisions where report_id in (${inList(reportIds)})`),
    queryRows<AppealRow>(db, sql`select * from reward_appeals where report_id in (${inList(reportIds)})`),
  ]);
  for (const id of reportIds) out.set(id, presentReportReward(decisions.find((d) => d.report_id === id), appeals.find((a) => a.report_id === id)));
  return out;
}

/** 我的奖励: balance derived from the ledger, entries newest first (keyset-paged), decisions and claims. */
export async function myRewards(db: Database, userId: string, cursor: number | undefined, limit: number, workingDays: PayoutWorkingDays): Promise<MyRewardsDto> {
  const rules = await loadRewardRules(db);
  const [balance, entries, decisions, appeals, claims, totals, user] = await Promise.all([
    ledgerBalance(db, userId),
    queryRows<LedgerRow>(db, sql`select * from reward_ledger where user_id = ${userId} ${cursor ? sql`and seq < ${cursor}` : sql``} order by seq desc limit ${limit + 1}`),
    queryRows<DecisionRow & { category: string }>(db, sql`select d.*, r.category from reward_decisions d join reports r on r.id = d.report_id where d.user_id = ${userId} order by d.decided_at desc limit 100`),
    queryRows<AppealRow>(db, sql`select * from reward_appeals where user_id = ${userId}`),
    queryRows<ClaimRow>(db, sql`select * from reward_claims where user_id = ${userId} order by created_at desc limit 50`),
    queryRows<{ earned: string; in_payout: string }>(
      db,
      sql`select coalesce((select sum(amount_fen) from reward_ledger where user_id = ${userId} and kind in ('accrual', 'reversal')), 0) as earned,
                 coalesce((select sum(amount_fen) from reward_claims where user_id = ${userId} and status in ('pending', 'processing')), 0) as in_payout`,
    ),
    queryRows<{ leaderboard_opt_in: boolean }>(db, sql`select leaderboard_opt_in from users where id = ${userId}`),
  ]);
  const page = entries.slice(0, limit);
  return {
    balanceFen: balance.balanceFen,
    inPayoutFen: Number(totals[0].in_payout),
    totalEarnedFen: Number(totals[0].earned),
    rules: { claimMinFen: rules.claimMinFen, claimMaxFen: rules.claimMaxFen, expiryDays: rules.expiryDays },
    leaderboardOptIn: user[0]?.leaderboard_opt_in ?? false,
    entries: page.map(presentLedgerEntry),
    decisions: decisions.map((d) => ({
      ...presentReportReward(d, appeals.find((a) => a.report_id === d.report_id)),
      reportId: d.report_id,
      categoryName: findCategory(d.category)?.name ?? d.category,
      decidedAt: new Date(d.decided_at).toISOString(),
    })),
    claims: claims.map((c) => presentClaim(c, workingDays)),
    nextCursor: entries.length > limit ? String(page[page.length - 1].seq) : null,
  };
}

export async function setLeaderboardOptIn(db: Database, userId: string, optIn: boolean) {
  await db.execute(sql`update users set leaderboard_opt_in = ${optIn}, updated_at = now() where id = ${userId}`);
  return { leaderboardOptIn: optIn };
}

// ---- claims -----------------------------------------------------------------------------------

const claimHash = (amountFen: number) => createHash('sha256').update(JSON.stringify({ amountFen })).digest('hex');

/**
 * 提现: the claim row and its ledger debit in one transaction. The ledger refuses an overdraw by
 * constraint, so even writers that skipped the lock could not take more than the balance.
 */
export async function createClaim(db: Database, userId: string, idempotencyKey: string, amountFen: number, method: 'manual' | 'wechatpay', workingDays: PayoutWorkingDays) {
  const hash = claimHash(amountFen);
  try {
    return await inTransaction(db, async (t) => {
      await lockUserLedger(t, userId);
      const [previous] = await queryRows<ClaimRow & { request_hash: string }>(t, sql`select * from reward_claims where user_id = ${userId} and idempotency_key = ${idempotencyKey}`);
      if (previous) {
        if (previous.request_hash !== hash) throw new AppError('IDEMPOTENCY_KEY_REUSED');
        return { claim: presentClaim(previous, workingDays), balanceFen: (await ledgerBalance(t, userId)).balanceFen, created: false };
      }
      const rules = await loadRewardRules(t);
      const { balanceFen } = await ledgerBalance(t, userId);
      const problem = claimAmountProblem(amountFen, balanceFen, rules);
      if (problem) throw new AppError(amountFen > balanceFen && amountFen >= rules.claimMinFen && amountFen <= rules.claimMaxFen ? 'INSUFFICIENT_BALANCE' : 'REWARD_CLAIM_INVALID', problem);
      const [claim] = await queryRows<ClaimRow>(
        t,
        sql`insert into reward_claims (user_id, amount_fen, method, out_bill_no, idempotency_key, request_hash)
            values (${userId}, ${amountFen}, ${method}, replace(gen_random_uuid()::text, '-', ''), ${idempotencyKey}, ${hash}) returning *`,
      );
      const entry = await appendLedgerEntry(t, userId, { kind: 'claim', amountFen: -amountFen, claimId: claim.id });
      return { claim: presentClaim(claim, workingDays), balanceFen: Number(entry.balance_fen), created: true };
    });
  } catch (err) {
    if (isCheckViolation(err, 'reward_ledger_no_overdraw_check')) throw new AppError('INSUFFICIENT_BALANCE');
    if (isUniqueViolation(err)) throw new AppError('CONFLICT', '请求正在处理，请稍后刷新');
    throw err;
  }
}

/**
 * Settles a claim once: paid (a zero-amount `payout` entry records it) or failed (the amount returns
 * to the balance). Repeats — callbacks, polls, a staff double-click — find it settled and change nothing.
 */
export async function settleClaim(db: Database, claimId: string, state: PayoutState, actor: { kind: 'staff' | 'system'; id: string | null }): Promise<boolean> {
  if (state.state === 'accepted') {
    await db.execute(sql`update reward_claims set status = 'processing', provider_bill_no = coalesce(${state.providerBillNo}, provider_bill_no), updated_at = now() where id = ${claimId} and status = 'pending'`);
    return false;
  }
  return inTransaction(db, async (t) => {
    const [claim] = await queryRows<ClaimRow & { user_id: string }>(t, sql`select * from reward_claims where id = ${claimId} for update`);
    if (!claim || claim.status === 'paid' || claim.status === 'failed') return false;
    await lockUserLedger(t, claim.user_id);
    if (state.state === 'paid') {
      await t.execute(sql`update reward_claims set status = 'paid', paid_at = now(), provider_bill_no = coalesce(${state.providerBillNo}, provider_bill_no), last_error = null, updated_at = now() where id = ${claimId}`);
      await appendLedgerEntry(t, claim.user_id, { kind: 'payout', amountFen: 0, claimId, note: `已发放 ${Number(claim.amount_fen)} 分` });
    } else {
      await t.execute(sql`update reward_claims set status = 'failed', failure_reason = ${state.failureReason ?? '发放失败'}, updated_at = now() where id = ${claimId}`);
      await appendLedgerEntry(t, claim.user_id, { kind: 'payout_failed', amountFen: Number(claim.amount_fen), claimId, note: state.failureReason ?? '发放失败' });
    }
    await recordAudit(t, { actorKind: actor.kind, actorId: actor.id, action: `reward_claim.${state.state}`, entityType: 'reward_claim', entityId: claimId, details: { failureReason: state.failureReason } });
    return true;
  });
}

// ---- manual payout batches --------------------------------------------------------------------

/** Puts every pending manual claim into a new batch for staff to pay; empty when nothing is pending. */
export async function createPayoutBatch(db: Database, staffId: string): Promise<PayoutBatchCreatedDto> {
  return inTransaction(db, async (t) => {
    const claims = await queryRows<{ id: string; amount_fen: number }>(t, sql`select id, amount_fen from reward_claims where method = 'manual' and status = 'pending' and batch_id is null order by created_at for update`);
    if (!claims.length) throw new AppError('NOT_FOUND', '没有待发放的提现申请');
    const total = claims.reduce((s, c) => s + Number(c.amount_fen), 0);
    const [batch] = await queryRows<{ id: string; created_at: Date }>(t, sql`insert into payout_batches (created_by, claim_count, total_fen) values (${staffId}, ${claims.length}, ${total}) returning id, created_at`);
    await t.execute(sql`update reward_claims set batch_id = ${batch.id}, status = 'processing', updated_at = now() where id in (${inList(claims.map((c) => c.id))})`);
    await recordAudit(t, { actorKind: 'staff', actorId: staffId, action: 'payout_batch.create', entityType: 'payout_batch', entityId: batch.id, details: { claimCount: claims.length, totalFen: total } });
    return { id: batch.id, claimCount: claims.length, totalFen: total, createdAt: new Date(batch.created_at).toISOString() };
  });
}


/**
 * The batch as CSV for the person paying it. It names the resident by our user id and masked
 * nickname: the openid never leaves the server, even to staff.
 */
export async function payoutBatchCsv(db: Database, batchId: string): Promise<string> {
  if (!isUuid(batchId)) throw new AppError('NOT_FOUND', '批次不存在');
  const rows = await queryRows<{ id: string; out_bill_no: string; user_id: string; nickname: string | null; amount_fen: number; status: string; created_at: Date }>(
    db,
    sql`select c.id, c.out_bill_no, c.user_id, u.nickname, c.amount_fen, c.status, c.created_at from reward_claims c join users u on u.id = c.user_id where c.batch_id = ${batchId} order by c.created_at`,
  );
  if (!rows.length) throw new AppError('NOT_FOUND', '批次不存在');
  const header = ['claim_id', 'out_bill_no', 'user_id', 'name', 'amount_fen', 'amount_yuan', 'status', 'claimed_at'];
  const lines = rows.map((r) => [r.id, r.out_bill_no, r.user_id, maskName(r.nickname, r.user_id), Number(r.amount_fen), (Number(r.amount_fen) / 100).toFixed(2), r.status, new Date(r.created_at).toISOString()].map(csvCell).join(','));
  return `\uFEFF${[header.join(','), ...lines].join('\r\n')}\r\n`;
}

/** Staff report the batch's results; each claim settles once, and unknown or foreign ids are refused as a whole. */
export async function recordBatchResults(db: Database, staffId: string, batchId: string, results: { paid: string[]; failed: { claimId: string; reason: string }[] }): Promise<PayoutBatchResultsDto> {
  if (!isUuid(batchId)) throw new AppError('NOT_FOUND', '批次不存在');
  const [batch] = await db.select({ createdBy: payoutBatches.createdBy }).from(payoutBatches).where(eq(payoutBatches.id, batchId));
  if (!batch) throw new AppError('NOT_FOUND', '批次不存在');
  // 管审分离: the member who prepared the batch cannot also say it was paid.
  if (batch.createdBy === staffId) throw new AppError('SECOND_STAFF_REQUIRED', '发放结果须由制单人以外的工作人员确认');
  const ids = [...results.paid, ...results.failed.map((f) => f.claimId)];
  if (new Set(ids).size !== ids.length) throw new AppError('VALIDATION_FAILED', '同一提现申请不能同时出现两次');
  const inBatch = await queryRows<{ id: string; status: string }>(db, sql`select id, status from reward_claims where batch_id = ${batchId} and id in (${inList(ids)})`);
  const missing = ids.filter((id) => !inBatch.some((c) => c.id === id));
  if (missing.length) throw new AppError('VALIDATION_FAILED', `不属于此批次的提现申请：${missing.slice(0, 5).join(', ')}`);
  let settled = 0;
  for (const id of results.paid) if (await settleClaim(db, id, { state: 'paid', providerBillNo: null, failureReason: null }, { kind: 'staff', id: staffId })) settled += 1;
  for (const f of results.failed) if (await settleClaim(db, f.claimId, { state: 'failed', providerBillNo: null, failureReason: f.reason }, { kind: 'staff', id: staffId })) settled += 1;
  return { settled, alreadySettled: ids.length - settled };
}

// ---- appeals and review -----------------------------------------------------------------------

/** A resident appeals a "no reward" or held decision, once per report. */
export async function appealReward(db: Database, userId: string, reportId: string, reason: string): Promise<ReportRewardDto> {
  await inTransaction(db, async (t) => {
    await findReportFor(t, { userId }, reportId);
    const [decision] = await queryRows<DecisionRow>(t, sql`select * from reward_decisions where report_id = ${reportId}`);
    if (!decision || (decision.outcome !== 'none' && decision.outcome !== 'held')) {
      throw new AppError('REWARD_APPEAL_NOT_ALLOWED', decision ? '此举报已获得奖励，无需申诉' : '城市管理平台尚未立案，暂不能申诉');
    }
    const inserted = await queryRows<{ id: string }>(t, sql`insert into reward_appeals (report_id, user_id, reason) values (${reportId}, ${userId}, ${reason}) on conflict (report_id) do nothing returning id`);
    if (!inserted.length) throw new AppError('REWARD_APPEAL_EXISTS');
    await recordAudit(t, { actorKind: 'resident', actorId: userId, action: 'reward_appeal.file', entityType: 'report', entityId: reportId, details: { reason } });
  });
  return (await rewardsForReports(db, [reportId])).get(reportId)!;
}

/** Held rewards and pending appeals, oldest first: the staff's review queue. */
export async function reviewQueue(db: Database): Promise<RewardReviewQueueDto> {
  const [held, appeals] = await Promise.all([
    queryRows<DecisionRow & { category: string; facts: Record<string, unknown> }>(db, sql`select d.*, r.category from reward_decisions d join reports r on r.id = d.report_id where d.outcome = 'held' order by d.decided_at limit 200`),
    queryRows<AppealRow & { outcome: string; decision_reason: string; category: string }>(
      db,
      sql`select a.*, d.outcome, d.reason as decision_reason, r.category from reward_appeals a join reward_decisions d on d.report_id = a.report_id join reports r on r.id = a.report_id
          where a.status = 'pending' order by a.created_at limit 200`,
    ),
  ]);
  return {
    held: held.map((d) => ({
      reportId: d.report_id,
      userId: d.user_id,
      categoryName: findCategory(d.category)?.name ?? d.category,
      amountFen: Number(d.amount_fen),
      reason: d.reason,
      reasonName: REWARD_REASON_NAMES[d.reason as RewardReason] ?? d.reason,
      facts: d.facts,
      decidedAt: new Date(d.decided_at).toISOString(),
    })),
    appeals: appeals.map((a) => ({
      id: a.id,
      reportId: a.report_id,
      userId: a.user_id,
      categoryName: findCategory(a.category)?.name ?? a.category,
      decision: { outcome: a.outcome, reason: a.decision_reason, reasonName: REWARD_REASON_NAMES[a.decision_reason as RewardReason] ?? a.decision_reason },
      reason: a.reason,
      filedAt: new Date(a.created_at).toISOString(),
    })),
  };
}

/** Staff approve or reject a held reward. Approval pays if the caps still allow it. */
export async function reviewHeldReward(db: Database, staffId: string, reportId: string, approve: boolean, note: string) {
  if (!isUuid(reportId)) throw new AppError('NOT_FOUND', '奖励记录不存在');
  return inTransaction(db, async (t) => {
    const [decision] = await queryRows<DecisionRow & { category: string }>(t, sql`select d.*, r.category from reward_decisions d join reports r on r.id = d.report_id where d.report_id = ${reportId} for update of d`);
    if (!decision) throw new AppError('NOT_FOUND', '奖励记录不存在');
    if (decision.outcome !== 'held') throw new AppError('REVIEW_ALREADY_DECIDED');
    const after = approve
      ? await accrueAfterReview(t, decision, decision.category, 'approved_on_review')
      : (await queryRows<DecisionRow>(t, sql`update reward_decisions set outcome = 'none', amount_fen = 0, reason = 'rejected_on_review', updated_at = now() where report_id = ${reportId} returning *`))[0];
    await t.execute(sql`update reward_decisions set reviewed_by = ${staffId}, review_note = ${note}, reviewed_at = now() where report_id = ${reportId}`);
    await recordAudit(t, { actorKind: 'staff', actorId: staffId, action: approve ? 'reward_review.approve' : 'reward_review.reject', entityType: 'report', entityId: reportId, details: { note, outcome: after.outcome, reason: after.reason } });
    return presentReportReward(after, undefined);
  });
}

/** Staff decide a resident's appeal. Upheld: the reward is paid (caps permitting); rejected: the decision stands. */
export async function decideRewardAppeal(db: Database, staffId: string, appealId: string, uphold: boolean, note: string) {
  if (!isUuid(appealId)) throw new AppError('NOT_FOUND', '申诉不存在');
  return inTransaction(db, async (t) => {
    const [appeal] = await queryRows<AppealRow>(t, sql`select * from reward_appeals where id = ${appealId} for update`);
    if (!appeal) throw new AppError('NOT_FOUND', '申诉不存在');
    if (appeal.status !== 'pending') throw new AppError('REVIEW_ALREADY_DECIDED');
    const [decision] = await queryRows<DecisionRow & { category: string }>(t, sql`select d.*, r.category from reward_decisions d join reports r on r.id = d.report_id where d.report_id = ${appeal.report_id} for update of d`);
    let after: DecisionRow = decision;
    if (uphold && (decision.outcome === 'none' || decision.outcome === 'held')) after = await accrueAfterReview(t, decision, decision.category, 'appeal_upheld');
    else if (!uphold && decision.outcome === 'held') {
      after = (await queryRows<DecisionRow>(t, sql`update reward_decisions set outcome = 'none', amount_fen = 0, reason = 'appeal_rejected', updated_at = now() where report_id = ${appeal.report_id} returning *`))[0];
    }
    const [updated] = await queryRows<AppealRow>(t, sql`update reward_appeals set status = ${uphold ? 'upheld' : 'rejected'}, decided_by = ${staffId}, decision_note = ${note}, decided_at = now() where id = ${appealId} returning *`);
    await recordAudit(t, { actorKind: 'staff', actorId: staffId, action: uphold ? 'reward_appeal.uphold' : 'reward_appeal.reject', entityType: 'report', entityId: appeal.report_id, details: { appealId, note, outcome: after.outcome } });
    return presentReportReward(after, updated);
  });
}

/** Staff mark a resident as staff or full-time inspector (no rewards), or clear it. */
export async function setRewardExclusion(db: Database, staffId: string, userId: string, exclusion: 'staff' | 'inspector' | null) {
  if (!isUuid(userId)) throw new AppError('NOT_FOUND', '用户不存在');
  return inTransaction(db, async (t) => {
    const rows = await queryRows<{ id: string }>(t, sql`update users set reward_exclusion = ${exclusion}, updated_at = now() where id = ${userId} returning id`);
    if (!rows.length) throw new AppError('NOT_FOUND', '用户不存在');
    await recordAudit(t, { actorKind: 'staff', actorId: staffId, action: 'user.reward_exclusion', entityType: 'user', entityId: userId, details: { exclusion } });
    return { userId, rewardExclusion: exclusion };
  });
}

// ---- expiry and figures -----------------------------------------------------------------------

/**
 * Expires what is left of rewards older than the expiry period (FIFO: claims and reversals use the
 * oldest credits first). One `expiry` entry per user per run; the ledger refuses an overdraw.
 */
export async function expireUnclaimedRewards(db: Database, rules: Pick<RewardRules, 'expiryDays'>): Promise<{ users: number; expiredFen: number }> {
  const candidates = await queryRows<{ user_id: string }>(
    db,
    sql`select distinct user_id from reward_ledger where kind in ('accrual', 'adjustment') and amount_fen > 0 and created_at < now() - make_interval(days => ${rules.expiryDays})`,
  );
  let users = 0;
  let expiredFen = 0;
  for (const { user_id } of candidates) {
    const amount = await inTransaction(db, async (t) => {
      await lockUserLedger(t, user_id);
      const [sums] = await queryRows<{ old_credits: string; debits: string }>(
        t,
        sql`select coalesce(sum(amount_fen) filter (where kind in ('accrual', 'adjustment') and amount_fen > 0 and created_at < now() - make_interval(days => ${rules.expiryDays})), 0) as old_credits,
                   coalesce(-sum(amount_fen) filter (where kind in ('claim', 'reversal', 'expiry') or (kind = 'adjustment' and amount_fen < 0)), 0)
                     - coalesce(sum(amount_fen) filter (where kind = 'payout_failed'), 0) as debits
            from reward_ledger where user_id = ${user_id}`,
      );
      const { balanceFen } = await ledgerBalance(t, user_id);
      const due = expiringAmountFen({ creditsBeforeCutoffFen: Number(sums.old_credits), debitsFen: Number(sums.debits), balanceFen });
      if (due > 0) await appendLedgerEntry(t, user_id, { kind: 'expiry', amountFen: -due, note: `超过 ${rules.expiryDays} 天未提现` });
      return due;
    });
    if (amount > 0) {
      users += 1;
      expiredFen += amount;
    }
  }
  return { users, expiredFen };
}

/** The staff's monthly figures: budget used, rewards by category, top reporters (opt-in, masked), appeals backlog. */
export async function rewardFigures(db: Database, month: string): Promise<RewardFiguresDto> {
  const rules = await loadRewardRules(db);
  // The month's bounds in Asia/Shanghai, as instants.
  const start = sql`(${month + '-01'}::timestamp at time zone 'Asia/Shanghai')`;
  const end = sql`((${month + '-01'}::timestamp + interval '1 month') at time zone 'Asia/Shanghai')`;
  const range = (column: string) => sql`${sql.raw(column)} >= ${start} and ${sql.raw(column)} < ${end}`;
  const [[budget], byCategory, top, [backlog]] = await Promise.all([
    queryRows<{ used: string }>(db, sql`select coalesce(sum(amount_fen), 0) as used from reward_ledger where kind in ('accrual', 'reversal') and ${range('created_at')}`),
    queryRows<{ category: string; n: number; amount: string }>(
      db,
      sql`select r.category, count(*)::int as n, sum(l.amount_fen) as amount from reward_ledger l join reports r on r.id = l.report_id
          where l.kind = 'accrual' and ${range('l.created_at')} group by r.category order by amount desc`,
    ),
    queryRows<{ user_id: string; nickname: string | null; n: number; amount: string }>(
      db,
      sql`select l.user_id, u.nickname, count(*)::int as n, sum(l.amount_fen) as amount from reward_ledger l join users u on u.id = l.user_id
          where l.kind = 'accrual' and u.leaderboard_opt_in and ${range('l.created_at')} group by l.user_id, u.nickname order by amount desc, n desc limit 10`,
    ),
    queryRows<{ appeals: number; oldest: Date | null; held: number }>(
      db,
      sql`select (select count(*)::int from reward_appeals where status = 'pending') as appeals,
                 (select min(created_at) from reward_appeals where status = 'pending') as oldest,
                 (select count(*)::int from reward_decisions where outcome = 'held') as held`,
    ),
  ]);
  return {
    month,
    budgetFen: rules.monthlyBudgetFen,
    budgetUsedFen: Number(budget.used),
    byCategory: byCategory.map((c) => ({ category: c.category, categoryName: findCategory(c.category)?.name ?? c.category, rewards: c.n, amountFen: Number(c.amount) })),
    topReporters: top.map((t, i) => ({ rank: i + 1, name: maskName(t.nickname, t.user_id), rewards: t.n, amountFen: Number(t.amount) })),
    backlog: { pendingAppeals: backlog.appeals, oldestPendingAppealAt: backlog.oldest ? new Date(backlog.oldest).toISOString() : null, heldRewards: backlog.held },
  };
}
