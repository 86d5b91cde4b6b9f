import {
  CLAIM_STATUS_NAMES,
  LEDGER_KIND_NAMES,
  REWARD_REASON_NAMES,
  REWARD_STATE_NAMES,
  PAYOUT_CHANNEL_NAMES,
  PAYOUT_WORKING_DAYS,
  claimExpectedBy,
  type ClaimDto,
  type LedgerEntryDto,
  type ReportRewardDto,
  type RewardReason,
} from '@cityloop/shared';
import type { LedgerRow } from './ledger';
import type { AppealRow, ClaimRow, DecisionRow } from './rewards.repository';

/** A resident may appeal "no reward" and "held for review" once per report. */
const APPEALABLE = new Set(['none', 'held']);

export function presentReportReward(decision: DecisionRow | undefined, appeal: AppealRow | undefined): ReportRewardDto {
  if (!decision) {
    return { state: 'pending', stateName: REWARD_STATE_NAMES.pending, amountFen: 0, reason: null, reasonName: '待城市管理平台立案后确定', canAppeal: false, appeal: null };
  }
  const reason = decision.reason as RewardReason;
  return {
    state: decision.outcome,
    stateName: REWARD_STATE_NAMES[decision.outcome],
    amountFen: decision.outcome === 'none' ? 0 : decision.amountFen,
    reason,
    reasonName: REWARD_REASON_NAMES[reason] ?? reason,
    canAppeal: APPEALABLE.has(decision.outcome) && !appeal,
    appeal: appeal ? { status: appeal.status, reason: appeal.reason, decisionNote: appeal.decisionNote, at: (appeal.decidedAt ?? appeal.createdAt).toISOString() } : null,
  };
}

export function presentLedgerEntry(row: LedgerRow): LedgerEntryDto {
  return {
    id: row.id,
    kind: row.kind,
    kindName: LEDGER_KIND_NAMES[row.kind],
    amountFen: row.amountFen,
    balanceFen: row.balanceFen,
    reportId: row.reportId,
    claimId: row.claimId,
    reason: row.reason as RewardReason | null,
    reasonName: row.reason ? (REWARD_REASON_NAMES[row.reason as RewardReason] ?? row.reason) : null,
    note: row.note,
    at: row.createdAt.toISOString(),
  };
}

/** Working days (Mon–Fri) within which a claim should be paid, by method (PAYOUT_*_WORKING_DAYS). */
export type PayoutWorkingDays = Record<ClaimRow['method'], number>;
export const DEFAULT_PAYOUT_WORKING_DAYS: PayoutWorkingDays = { ...PAYOUT_WORKING_DAYS };

export function presentClaim(row: ClaimRow, workingDays: PayoutWorkingDays): ClaimDto {
  const settled = row.status === 'paid' || row.status === 'failed';
  return {
    id: row.id,
    amountFen: row.amountFen,
    status: row.status,
    statusName: CLAIM_STATUS_NAMES[row.status],
    method: row.method,
    channelName: PAYOUT_CHANNEL_NAMES[row.method],
    expectedBy: settled ? null : claimExpectedBy(row.createdAt, workingDays[row.method]).toISOString(),
    failureReason: row.failureReason,
    createdAt: row.createdAt.toISOString(),
    paidAt: row.paidAt?.toISOString() ?? null,
  };
}
