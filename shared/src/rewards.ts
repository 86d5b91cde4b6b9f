import { REFUSED_REPORT_STATUSES, type ReportStatus, type RewardTier } from './reports';
import { shanghaiDay, shanghaiDayStart } from './time';

/**
 * 有奖举报 rules. Every amount is integer fen. Defaults follow the real rules in DESIGN.md §4:
 * tiers ¥2 routine (Rizhao, Weifang ¥1–2), ¥20 standard (Chengyang ¥20 per valid first report),
 * ¥1,000 major (Haidian ¥1,000–2,000 for illegal building); caps ¥200/day (Shenzhen),
 * ¥1,000/month per person and a ¥30,000 monthly pool (Chengyang); rewards expire unclaimed after
 * 42 days (Haidian: 30 working days).
 */
export interface RewardRules {
  amountsFen: Record<RewardTier, number>;
  dailyCapFen: number;
  monthlyCapFen: number;
  monthlyBudgetFen: number;
  /** Our own dedupe: an earlier report of the same category within the category's radius and this window. */
  dedupeWindowHours: number;
  /** Near-identical photos: dHash Hamming distance at most this many bits (of 64). */
  photoHashMaxDistance: number;
  /** A photo taken longer ago than this (EXIF) goes to review. */
  photoMaxAgeHours: number;
  /** A photo whose GPS is farther than this from the report goes to review. */
  photoMaxDistanceMeters: number;
  claimMinFen: number;
  claimMaxFen: number;
  /** Unclaimed rewards expire after this many days. */
  expiryDays: number;
}

export const DEFAULT_REWARD_RULES: RewardRules = {
  amountsFen: { routine: 200, standard: 2_000, major: 100_000 },
  dailyCapFen: 20_000,
  monthlyCapFen: 100_000,
  monthlyBudgetFen: 3_000_000,
  dedupeWindowHours: 72,
  photoHashMaxDistance: 6,
  photoMaxAgeHours: 72,
  photoMaxDistanceMeters: 500,
  claimMinFen: 100,
  claimMaxFen: 20_000,
  expiryDays: 42,
};

/** Bounds staff may set; anything outside is refused, so a typo cannot open the till. */
export const REWARD_RULE_BOUNDS = {
  amountFen: { min: 0, max: 500_000 },
  capFen: { min: 0, max: 10_000_000 },
  budgetFen: { min: 0, max: 1_000_000_000 },
  hours: { min: 1, max: 24 * 90 },
  hashDistance: { min: 0, max: 16 },
  meters: { min: 10, max: 50_000 },
  claimFen: { min: 10, max: 2_000_000 },
  days: { min: 1, max: 365 },
} as const;

/** Why a report earned what it earned; shown to the resident with REWARD_REASON_NAMES. */
export type RewardReason =
  | 'registered'
  | 'not_registered'
  | 'duplicate'
  | 'duplicate_in_case_system'
  | 'daily_cap_reached'
  | 'monthly_cap_reached'
  | 'budget_spent'
  | 'excluded_staff'
  | 'excluded_inspector'
  | 'excluded_blocked'
  | 'excluded_erased'
  | 'review_photo_old'
  | 'review_photo_far'
  | 'review_photo_reused'
  | 'review_large_amount'
  | 'approved_on_review'
  | 'rejected_on_review'
  | 'appeal_upheld'
  | 'appeal_rejected'
  | 'reversed_duplicate';

export const REWARD_REASON_NAMES: Record<RewardReason, string> = {
  registered: '已立案，奖励已入账',
  not_registered: '未予立案，无奖励',
  duplicate: '重复举报，无奖励：此前已有人举报同一问题',
  duplicate_in_case_system: '重复举报，无奖励：城市管理平台已将其合并到先前的案件',
  daily_cap_reached: '已达每日奖励上限，无奖励',
  monthly_cap_reached: '已达每月奖励上限，无奖励',
  budget_spent: '本月奖励资金已发完，无奖励',
  excluded_staff: '工作人员举报不计奖励',
  excluded_inspector: '专职巡查员、信息采集员举报不计奖励',
  excluded_blocked: '账号受限，无奖励',
  excluded_erased: '举报人已注销账号，无奖励',
  review_photo_old: '照片拍摄时间较早，奖励待人工审核',
  review_photo_far: '照片拍摄地点与举报地点相距较远，奖励待人工审核',
  review_photo_reused: '照片与此前的举报相同，奖励待人工审核',
  review_large_amount: '奖励金额较大，待人工审核后入账',
  approved_on_review: '经人工审核，奖励已入账',
  rejected_on_review: '经人工审核，不予奖励',
  appeal_upheld: '申诉成立，奖励已入账',
  appeal_rejected: '申诉未获支持',
  reversed_duplicate: '案件被合并为重复举报，奖励已扣回',
};

export type RewardOutcome = 'accrued' | 'held' | 'none' | 'reversed';

export interface RewardDecision {
  outcome: 'accrued' | 'held' | 'none';
  amountFen: number;
  reason: RewardReason;
}

/** What the decision needs to know, gathered by the BFF; the rule itself stays pure. */
export interface RewardFacts {
  /** The case system's signal: registered (立案), refused, or merged into another case. */
  caseSignal: 'registered' | 'rejected' | 'merged';
  tier: RewardTier;
  /** `erased`: the reporter erased the account (个人信息保护法); nobody is left to pay. */
  reporter: { exclusion: 'staff' | 'inspector' | null; blocked: boolean; erased?: boolean };
  /** An earlier report of the same problem by our own dedupe (category + radius + window, or same photo nearby). */
  earlierSameProblem: boolean;
  /** `earlierReportId`: the earliest other report carrying a near-identical photo, for the reviewer to compare (the rule reads only the boolean). */
  photos: { hoursOld: number | null; metersFromReport: number | null; seenOnEarlierReport: boolean; earlierReportId?: string | null }[];
  /** Already accrued to this reporter today / this month (Asia/Shanghai), and from the pool this month. */
  usage: { userDayFen: number; userMonthFen: number; budgetMonthFen: number };
}

/**
 * The reward rule. Order matters and is the order a resident would argue it: no case, no reward;
 * not the first, no reward; then who may not be paid; then what looks wrong (review); then the caps.
 * Caps are all-or-nothing: a reward that would overrun a cap earns nothing, rather than an odd part.
 */
export function decideReward(facts: RewardFacts, rules: RewardRules): RewardDecision {
  const none = (reason: RewardReason): RewardDecision => ({ outcome: 'none', amountFen: 0, reason });
  if (facts.caseSignal === 'rejected') return none('not_registered');
  if (facts.caseSignal === 'merged') return none('duplicate_in_case_system');
  if (facts.earlierSameProblem) return none('duplicate');
  if (facts.reporter.erased) return none('excluded_erased');
  if (facts.reporter.blocked) return none('excluded_blocked');
  if (facts.reporter.exclusion === 'staff') return none('excluded_staff');
  if (facts.reporter.exclusion === 'inspector') return none('excluded_inspector');
  const amountFen = rules.amountsFen[facts.tier];
  if (amountFen <= 0) return none('registered');
  const held = (reason: RewardReason): RewardDecision => ({ outcome: 'held', amountFen, reason });
  if (facts.photos.some((p) => p.seenOnEarlierReport)) return held('review_photo_reused');
  if (facts.photos.some((p) => p.hoursOld !== null && p.hoursOld > rules.photoMaxAgeHours)) return held('review_photo_old');
  if (facts.photos.some((p) => p.metersFromReport !== null && p.metersFromReport > rules.photoMaxDistanceMeters)) return held('review_photo_far');
  // ¥1,000-class rewards (illegal building) are checked by a person before money moves.
  if (facts.tier === 'major') return held('review_large_amount');
  const capped = capReason(amountFen, facts.usage, rules, facts.tier);
  if (capped) return none(capped);
  return { outcome: 'accrued', amountFen, reason: 'registered' };
}

/**
 * Which cap, if any, paying `amountFen` now would overrun. Also used when staff approve a held reward.
 * Major-tier rewards are above the per-person caps by design (Haidian pays ¥1,000–2,000 where Shenzhen
 * caps routine rewards at ¥200 a day), so only the monthly pool bounds them.
 */
export function capReason(amountFen: number, usage: RewardFacts['usage'], rules: RewardRules, tier: RewardTier): RewardReason | null {
  if (tier !== 'major' && usage.userDayFen + amountFen > rules.dailyCapFen) return 'daily_cap_reached';
  if (tier !== 'major' && usage.userMonthFen + amountFen > rules.monthlyCapFen) return 'monthly_cap_reached';
  if (usage.budgetMonthFen + amountFen > rules.monthlyBudgetFen) return 'budget_spent';
  return null;
}

/** Bits that differ between two 16-hex-digit dHashes. */
export function hammingDistanceHex(a: string, b: string): number {
  if (a.length !== b.length) return 64;
  let bits = 0;
  for (let i = 0; i < a.length; i += 1) {
    let x = parseInt(a[i], 16) ^ parseInt(b[i], 16);
    while (x) {
      bits += x & 1;
      x >>= 1;
    }
  }
  return bits;
}

/** A claim amount's problems, in Chinese, or null when it may be claimed. */
export function claimAmountProblem(amountFen: number, balanceFen: number, rules: Pick<RewardRules, 'claimMinFen' | 'claimMaxFen'>): string | null {
  if (!Number.isSafeInteger(amountFen) || amountFen <= 0) return '提现金额须为正整数（单位：分）';
  if (amountFen < rules.claimMinFen) return `单次提现不少于 ${formatYuan(rules.claimMinFen)}`;
  if (amountFen > rules.claimMaxFen) return `单次提现不超过 ${formatYuan(rules.claimMaxFen)}`;
  if (amountFen > balanceFen) return `余额不足：可提现 ${formatYuan(Math.max(0, balanceFen))}`;
  return null;
}

/**
 * How much of the balance has expired (FIFO): claims, reversals and earlier expiries use the oldest
 * credits first, so what is left of credits older than the cutoff is what expires now.
 */
export function expiringAmountFen(input: { creditsBeforeCutoffFen: number; debitsFen: number; balanceFen: number }): number {
  return Math.max(0, Math.min(input.balanceFen, input.creditsBeforeCutoffFen - input.debitsFen));
}

/** ¥12.30 style, for people; the API always carries fen. */
export function formatYuan(fen: number): string {
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  return `${sign}¥${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** Masks a leaderboard name: 张三丰 → 张**, and residents without a nickname show as 市民 plus 4 id characters. */
export function maskName(nickname: string | null, userId: string): string {
  const name = (nickname ?? '').trim();
  if (!name) return `市民${userId.replace(/-/g, '').slice(-4)}`;
  const chars = Array.from(name);
  return chars[0] + '*'.repeat(Math.min(2, Math.max(1, chars.length - 1)));
}

export type LedgerKind = 'accrual' | 'reversal' | 'claim' | 'payout' | 'payout_failed' | 'expiry' | 'adjustment';

export const LEDGER_KIND_NAMES: Record<LedgerKind, string> = {
  accrual: '奖励入账',
  reversal: '奖励扣回',
  claim: '申请提现',
  payout: '提现已发放',
  payout_failed: '提现失败退回',
  expiry: '逾期未领取',
  adjustment: '人工调整',
};

export interface LedgerEntryDto {
  id: number;
  kind: LedgerKind;
  kindName: string;
  /** Signed change to the balance, fen. A payout is 0: the money left the balance at claim time. */
  amountFen: number;
  balanceFen: number;
  reportId: string | null;
  claimId: string | null;
  reason: RewardReason | null;
  reasonName: string | null;
  note: string | null;
  at: string;
}

export type RewardAppealStatus = 'pending' | 'upheld' | 'rejected';

/**
 * Words: money credited to the balance is 已入账; 已发放 is said only once a claim was paid out.
 * Each state names what it is about (奖励…), so a badge on a list row reads on its own.
 */
export const REWARD_STATE_NAMES: Record<'pending' | RewardOutcome, string> = {
  pending: '奖励待定',
  accrued: '奖励已入账',
  held: '奖励待审核',
  none: '无奖励',
  reversed: '奖励已扣回',
};

/** The reward state of one report, shown on the report and in 我的奖励. */
export interface ReportRewardDto {
  state: 'pending' | RewardOutcome;
  /** REWARD_STATE_NAMES[state]. */
  stateName: string;
  amountFen: number;
  reason: RewardReason | null;
  reasonName: string;
  canAppeal: boolean;
  appeal: { status: RewardAppealStatus; reason: string; decisionNote: string | null; at: string } | null;
}

export type ClaimStatus = 'pending' | 'processing' | 'paid' | 'failed';

export const CLAIM_STATUS_NAMES: Record<ClaimStatus, string> = {
  pending: '待发放',
  processing: '发放中',
  paid: '已发放',
  failed: '发放失败，已退回余额',
};

export type PayoutMethod = 'manual' | 'wechatpay';

/** Where a claim's money goes, as the confirmation tells the resident. */
export const PAYOUT_CHANNEL_NAMES: Record<PayoutMethod, string> = {
  wechatpay: '微信零钱',
  manual: '线下发放（工作人员核对后转账）',
};

/** Working days within which a claim should be paid, by payout method (the defaults of PAYOUT_*_WORKING_DAYS). */
export const PAYOUT_WORKING_DAYS = { manual: 5, wechatpay: 1 } as const;

/**
 * By when a claim should be paid: the end (23:59:59 Asia/Shanghai) of the `workingDays`-th working
 * day after the day it was made, Monday to Friday counting as working days (0: the same day).
 * Statutory holidays and their 调休 weekends are not modelled, so around a holiday the date may be
 * early by the holiday's length; the confirmation says 预计, never a promise.
 */
export function claimExpectedBy(claimedAt: Date, workingDays: number): Date {
  let day = shanghaiDayStart(shanghaiDay(claimedAt));
  for (let left = Math.max(0, Math.floor(workingDays)); left > 0;) {
    day = new Date(day.getTime() + 86_400_000);
    // `day` is Shanghai midnight; +8 h puts it on the same calendar day in UTC for getUTCDay.
    const weekday = new Date(day.getTime() + 8 * 3_600_000).getUTCDay();
    if (weekday !== 0 && weekday !== 6) left -= 1;
  }
  return new Date(day.getTime() + 86_400_000 - 1000);
}

export interface ClaimDto {
  id: string;
  amountFen: number;
  status: ClaimStatus;
  statusName: string;
  method: PayoutMethod;
  /** PAYOUT_CHANNEL_NAMES[method]: 微信零钱, or paid by hand after staff check it. */
  channelName: string;
  /** While pending or processing: by when it should be paid (claimExpectedBy); null once paid or failed. */
  expectedBy: string | null;
  failureReason: string | null;
  createdAt: string;
  paidAt: string | null;
}

export interface MyRewardsDto {
  balanceFen: number;
  /** Claimed and not yet paid. */
  inPayoutFen: number;
  totalEarnedFen: number;
  rules: Pick<RewardRules, 'claimMinFen' | 'claimMaxFen' | 'expiryDays'>;
  leaderboardOptIn: boolean;
  entries: LedgerEntryDto[];
  /** Decisions per report, newest first, including "no reward" and why. */
  decisions: (ReportRewardDto & { reportId: string; categoryName: string; decidedAt: string })[];
  claims: ClaimDto[];
  nextCursor: string | null;
}

export const REWARD_LIMITS = {
  appealReasonMinChars: 5,
  appealReasonMaxChars: 500,
  staffNoteMaxChars: 500,
} as const;

/** Another report near this one, as the dedupe query finds it (within the box and window, coarsely). */
export interface DuplicateCandidate {
  category: string;
  status: ReportStatus;
  createdAt: Date;
  metersAway: number;
  /** The smallest dHash distance between its photos and ours; null when either has none. */
  photoHashDistance: number | null;
}

/**
 * Our own dedupe: the report is not the first of its problem when an earlier report, made within the
 * window before it and within the category's radius, was of the same category or carries a
 * near-identical photo. Reports the case system refused or merged do not count.
 */
export function isEarlierSameProblem(
  report: { category: string; createdAt: Date },
  candidates: readonly DuplicateCandidate[],
  rules: Pick<RewardRules, 'dedupeWindowHours' | 'photoHashMaxDistance'> & { radiusMeters: number },
): boolean {
  const from = report.createdAt.getTime() - rules.dedupeWindowHours * 3_600_000;
  return candidates.some(
    (c) =>
      c.createdAt.getTime() < report.createdAt.getTime() &&
      c.createdAt.getTime() >= from &&
      !REFUSED_REPORT_STATUSES.includes(c.status) &&
      c.metersAway <= rules.radiusMeters &&
      (c.category === report.category || (c.photoHashDistance !== null && c.photoHashDistance <= rules.photoHashMaxDistance)),
  );
}
