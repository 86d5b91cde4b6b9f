/**
 * The staff console's API shapes (GET /api/v1/staff/…). The console imports these; they are never
 * copied into it. Times are ISO-8601 UTC strings, shown in Asia/Shanghai; money is integer fen.
 *
 * **One paging and sorting convention for every staff list:** `?limit=<1..100>&cursor=<opaque>&sort=<field>:<asc|desc>`
 * answers `{ items, nextCursor }`. `nextCursor` is null on the last page; pass it back unchanged, with
 * the same filters and sort, for the next page (keyset paging: a deep page costs what the first does).
 * Each list names the fields it sorts by; a cursor from another sort or list is refused with 400
 * `CURSOR_INVALID`, an unknown sort field with 400 `SORT_INVALID`.
 */
import type { RatingLevel } from './ratings';
import type { ReportStatus } from './reports';
import type { RewardOutcome } from './rewards';
import type { StallSpotDto } from './stalls';

export interface Page<T> {
  items: T[];
  /** Opaque; null when there is nothing after this page. */
  nextCursor: string | null;
}

export const PAGE_LIMITS = { default: 20, max: 100 } as const;
export const SORT_DIRECTIONS = ['asc', 'desc'] as const;
export type SortDirection = (typeof SORT_DIRECTIONS)[number];

/** The fields each staff list sorts by, and its default order. */
export const STAFF_SORTS = {
  reports: { fields: ['createdAt', 'updatedAt'], default: 'createdAt:desc' },
  auditLog: { fields: ['createdAt'], default: 'createdAt:desc' },
  payoutBatches: { fields: ['createdAt'], default: 'createdAt:desc' },
  stallSpots: { fields: ['code', 'updatedAt'], default: 'code:asc' },
  rewardRulesHistory: { fields: ['createdAt'], default: 'createdAt:desc' },
  ratings: { fields: ['createdAt'], default: 'createdAt:desc' },
} as const;

export type StaffReportRewardState = 'pending' | RewardOutcome;
export const STAFF_REPORT_REWARD_STATES: readonly StaffReportRewardState[] = ['pending', 'accrued', 'held', 'none', 'reversed'];

/** One row of GET /staff/reports: what a list and a map need. */
export interface StaffReportListItemDto {
  id: string;
  caseNumber: string | null;
  category: string;
  categoryName: string;
  status: ReportStatus;
  statusName: string;
  street: string | null;
  address: string;
  location: { lat: number; lng: number; coordSystem: 'wgs84' | 'gcj02' };
  createdAt: string;
  updatedAt: string;
  rewardState: StaffReportRewardState;
  rewardAmountFen: number;
  /** Any round rated 不满意 or 非常不满意. */
  hasBadRating: boolean;
}

export type StaffReportListDto = Page<StaffReportListItemDto>;

/** GET /staff/reports/map-points: the newest `limit` reports of the filtered set, for clustering. */
export interface StaffReportMapDto {
  coordSystem: 'wgs84' | 'gcj02';
  points: { id: string; lat: number; lng: number; status: ReportStatus; category: string }[];
  /** True when the filtered set holds more than `limit` reports (only the newest are shown). */
  truncated: boolean;
  limit: number;
}

export const STAFF_MAP_POINT_LIMITS = { default: 2000, max: 5000 } as const;

/** GET /staff/dashboard: today's counts (Asia/Shanghai), each linking to its queue. */
export interface StaffDashboardDto {
  /** The Shanghai day counted, YYYY-MM-DD. */
  day: string;
  newReportsToday: number;
  rewardsAwaitingReview: number;
  rewardAppealsPending: number;
  badRatingFollowUps: { open: number; dueSoon: number; overdue: number; dueSoonDays: number };
  payoutBatchesAwaitingConfirmation: number;
}

/** Open 差评 follow-ups due within this many days count as due soon on the dashboard. */
export const DASHBOARD_DUE_SOON_DAYS = 3;

export interface AuditLogEntryDto {
  id: string;
  actorKind: 'staff' | 'resident' | 'system';
  actorId: string | null;
  /** The staff member's display name (residents and the system have none). */
  actorName: string | null;
  action: string;
  entityType: string;
  entityId: string | null;
  details: Record<string, unknown>;
  createdAt: string;
}

export type AuditLogDto = Page<AuditLogEntryDto>;

/** A resident as staff may see them: never the openid, the nickname masked. */
export interface StaffResidentDto {
  id: string;
  maskedNickname: string;
  blocked: boolean;
  blockedAt: string | null;
  blockedReason: string | null;
  rewardExclusion: 'staff' | 'inspector' | null;
  /** Erased accounts (个人信息保护法 art. 47) remain as empty tombstones. */
  erased: boolean;
  reportCount: number;
  balanceFen: number;
  createdAt: string;
  lastLoginAt: string;
}

export type PayoutBatchState = 'awaiting_confirmation' | 'settled';

export interface PayoutBatchDto {
  id: string;
  createdBy: { id: string; displayName: string | null };
  claimCount: number;
  totalFen: number;
  createdAt: string;
  /** awaiting_confirmation while any claim is still processing: another member must mark it. */
  state: PayoutBatchState;
  claims: { processing: number; paid: number; failed: number };
}

export type PayoutBatchListDto = Page<PayoutBatchDto>;

export interface StaffStallSpotDto extends StallSpotDto {
  followers: number;
}

export type StaffStallSpotListDto = Page<StaffStallSpotDto>;

/** One change of the reward rules, from the audit log. */
export interface RewardRulesChangeDto {
  id: string;
  changedBy: { id: string | null; displayName: string | null };
  before: Record<string, unknown>;
  after: Record<string, unknown>;
  changedAt: string;
}

export type RewardRulesHistoryDto = Page<RewardRulesChangeDto>;

// ---- Shapes of the older staff routes, published here so the console need not derive them ----------

/** GET /staff/rewards/review: held rewards and pending reward appeals, oldest first (at most 200 each). */
export interface RewardReviewQueueDto {
  held: {
    reportId: string;
    userId: string;
    categoryName: string;
    amountFen: number;
    reason: string;
    reasonName: string;
    /** What the hold was decided on (EXIF age, GPS distance, the matched earlier report). */
    facts: Record<string, unknown>;
    decidedAt: string;
  }[];
  appeals: {
    id: string;
    reportId: string;
    userId: string;
    categoryName: string;
    decision: { outcome: string; reason: string; reasonName: string };
    reason: string;
    filedAt: string;
  }[];
}

/** One row of GET /staff/ratings (the rater stays anonymous). */
export interface StaffRatingItemDto {
  id: string;
  reportId: string;
  caseNumber: string | null;
  categoryName: string;
  round: number;
  level: RatingLevel;
  levelName: string;
  comment: string | null;
  excludedFromFigures: boolean;
  /** The staff appeal against this rating, if any; `filedBy` is a staff id, so the console can offer the decision only to someone else. */
  appeal: { id: string; status: 'pending' | 'upheld' | 'dismissed'; reason: string; filedBy: string } | null;
  followUp: { status: string; dueAt: string; overdue: boolean } | null;
  at: string;
}

export type StaffRatingListDto = Page<StaffRatingItemDto>;

/** POST /staff/rewards/payout-batches. */
export interface PayoutBatchCreatedDto {
  id: string;
  claimCount: number;
  totalFen: number;
  createdAt: string;
}

/** POST /staff/rewards/payout-batches/{id}/results. */
export interface PayoutBatchResultsDto {
  settled: number;
  alreadySettled: number;
}

/** GET /staff/rewards/figures. */
export interface RewardFiguresDto {
  month: string;
  budgetFen: number;
  budgetUsedFen: number;
  byCategory: { category: string; categoryName: string; rewards: number; amountFen: number }[];
  topReporters: { rank: number; name: string; rewards: number; amountFen: number }[];
  backlog: { pendingAppeals: number; oldestPendingAppealAt: string | null; heldRewards: number };
}

/** POST /staff/stall-spots/import (a refusal is 422 IMPORT_INVALID with `details.rows`). */
export interface StallImportResultDto {
  created: number;
  updated: number;
  valid: number;
  dryRun: boolean;
}

/** One bad row of a refused import: CSV line number (header is line 1) or GeoJSON feature index. */
export interface StallImportRowProblemDto {
  row: number;
  code?: string;
  errors: string[];
}
