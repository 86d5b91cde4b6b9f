import {
  CLAIM_STATUS_NAMES,
  LEDGER_KIND_NAMES,
  REWARD_REASON_NAMES,
  REWARD_STATE_NAMES,
  PAYOUT_CHANNEL_NAMES,
  claimExpectedBy,
  type ClaimDto,
  type ClaimStatus,
  type LedgerEntryDto,
  type ReportRewardDto,
  type RewardAppealStatus,
  type RewardReason,
} from '@cityloop/shared';
import type { DecisionRow } from './reward-decisions';
import type { LedgerRow } from './ledger';

export interface AppealRow {
  id: string;
  report_id: string;
  user_id: string;
  reason: string;
  status: RewardAppealStatus;
  decision_note: string | null;
  decided_at: Date | string | null;
  created_at: Date | string;
}

export interface ClaimRow {
  id: string;
  amount_fen: number;
  status: ClaimStatus;
  method: 'manual' | 'wechatpay';
  failure_reason: string | null;
  created_at: Date | string;
  paid_at: Date | string | null;
}

const iso = (d: Date | string) => new Date(d).toISOString();
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
    amountFen: decision.outcome === 'none' ? 0 : Number(decision.amount_fen),
    reason,
    reasonName: REWARD_REASON_NAMES[reason] ?? reason,
    canAppeal: APPEALABLE.has(decision.outcome) && !appeal,
    appeal: appeal ? { status: appeal.status, reason: appeal.reason, decisionNote: appeal.decision_note, at: iso(appeal.decided_at ?? appeal.created_at) } : null,
  };
}

export function presentLedgerEntry(row: LedgerRow): LedgerEntryDto {
  return {
    id: Number(row.id),
    kind: row.kind,
    kindName: LEDGER_KIND_NAMES[row.kind],
    amountFen: Number(row.amount_fen),
    balanceFen: Number(row.balance_fen),
    reportId: row.report_id,
    claimId: row.claim_id,
    reason: row.reason,
    reasonName: row.reason ? (REWARD_REASON_NAMES[row.reason] ?? row.reason) : null,
    note: row.note,
    at: iso(row.created_at),
  };
}

/** Working days (Mon–Fri) within which a claim should be paid, by method (PAYOUT_*_WORKING_DAYS). */
export type PayoutWorkingDays = Record<ClaimRow['method'], number>;
export const DEFAULT_PAYOUT_WORKING_DAYS: PayoutWorkingDays = { manual: 5, wechatpay: 1 };

export function presentClaim(row: ClaimRow, workingDays: PayoutWorkingDays): ClaimDto {
  const settled = row.status === 'paid' || row.status === 'failed';
  return {
    id: row.id,
    amountFen: Number(row.amount_fen),
    status: row.status,
    statusName: CLAIM_STATUS_NAMES[row.status],
    method: row.method,
    channelName: PAYOUT_CHANNEL_NAMES[row.method],
    expectedBy: settled ? null : claimExpectedBy(new Date(row.created_at), workingDays[row.method]).toISOString(),
    failureReason: row.failure_reason,
    createdAt: iso(row.created_at),
    paidAt: row.paid_at ? iso(row.paid_at) : null,
  };
}
