/**
 * 满意度评价, shaped by 政务服务"好差评" (国办发〔2019〕51号): one rating per case round, voluntary,
 * five levels of which the last two are 差评. An unrated case stays unrated: nothing here ever fills
 * in a default.
 */
export type RatingLevel = 'very_satisfied' | 'satisfied' | 'basically_satisfied' | 'dissatisfied' | 'very_dissatisfied';

export const RATING_LEVELS: readonly RatingLevel[] = ['very_satisfied', 'satisfied', 'basically_satisfied', 'dissatisfied', 'very_dissatisfied'];

export const RATING_LEVEL_NAMES: Record<RatingLevel, string> = {
  very_satisfied: '非常满意',
  satisfied: '满意',
  basically_satisfied: '基本满意',
  dissatisfied: '不满意',
  very_dissatisfied: '非常不满意',
};

/** 差评: the two lowest levels; they need a comment and open a follow-up. */
export const isBadRating = (level: RatingLevel): boolean => level === 'dissatisfied' || level === 'very_dissatisfied';
/** What 满意率 counts as satisfied: 非常满意, 满意 and 基本满意. */
export const isSatisfiedRating = (level: RatingLevel): boolean => !isBadRating(level);

export type RatingDimension = 'speed' | 'result' | 'attitude';
export const RATING_DIMENSION_NAMES: Record<RatingDimension, string> = { speed: '响应速度', result: '处置结果', attitude: '服务态度' };

export const RATING_RULES = {
  /** Days after closure in which the reporter may rate. */
  windowDays: 7,
  /** Days the handling unit has to follow up a 差评 (Zhejiang: fix within 15 days). */
  followUpDays: 15,
  /** The one reminder to rate, this many days after closure if still unrated. */
  reminderAfterDays: 3,
  /** FixMyStreet's question: this long after dispatch, if not closed, ask "is it fixed?". */
  fixedQuestionAfterDays: 28,
  commentMaxChars: 500,
  reworkReasonMaxChars: 500,
  appealReasonMaxChars: 500,
} as const;

export interface RatingRulesConfig {
  windowDays: number;
  followUpDays: number;
  fixedQuestionAfterDays: number;
}

export type RatingCannotRateReason = 'not_closed' | 'already_rated' | 'window_passed' | 'rework_in_progress';

export type RatingEligibility = { canRate: true; round: 1 | 2; windowEndsAt: Date } | { canRate: false; reason: RatingCannotRateReason };

/**
 * Whether the reporter may rate now. Round 1 follows the first closure; round 2 opens only when the
 * case has been closed again after a rework the resident asked for, and its window runs from that
 * closure.
 */
export function ratingEligibility(input: { status: string; closedAt: Date | null; ratedRounds: number; reworkRequestedAt: Date | null; now: Date; windowDays: number }): RatingEligibility {
  if (input.status !== 'closed' || !input.closedAt) return { canRate: false, reason: 'not_closed' };
  const round: 1 | 2 = input.reworkRequestedAt ? 2 : 1;
  if (input.ratedRounds >= round) return { canRate: false, reason: 'already_rated' };
  if (input.reworkRequestedAt && input.closedAt <= input.reworkRequestedAt) return { canRate: false, reason: 'rework_in_progress' };
  const windowEndsAt = new Date(input.closedAt.getTime() + input.windowDays * 86_400_000);
  if (input.now > windowEndsAt) return { canRate: false, reason: 'window_passed' };
  return { canRate: true, round, windowEndsAt };
}

export interface RatingDto {
  round: number;
  level: RatingLevel;
  levelName: string;
  speed: number | null;
  result: number | null;
  attitude: number | null;
  comment: string | null;
  /** Staff appeal upheld: excluded from the figures, never deleted. */
  excludedFromFigures: boolean;
  at: string;
}

export interface FollowUpDto {
  status: 'open' | 'done';
  dueAt: string;
  note: string | null;
}

/** Everything the report detail needs about rating: the gate, the ratings, follow-up and rework. */
export interface ReportRatingStateDto {
  canRate: boolean;
  /** Why not, in Chinese, when canRate is false. */
  cannotRateReason: string | null;
  round: number | null;
  windowEndsAt: string | null;
  ratings: RatingDto[];
  followUp: FollowUpDto | null;
  canRequestRework: boolean;
  rework: { requestedAt: string; reason: string } | null;
  /** FixMyStreet's question, when it has been asked. */
  fixedQuestion: { askedAt: string; answer: 'fixed' | 'not_fixed' | null } | null;
  /** The official closing note and after-photos, shown before rating. */
  closingNote: string | null;
}

export interface SubmitRatingBody {
  level: RatingLevel;
  speed?: number;
  result?: number;
  attitude?: number;
  comment?: string;
}

export const RATING_CANNOT_RATE_NAMES: Record<RatingCannotRateReason, string> = {
  not_closed: '案件结案后才能评价',
  rework_in_progress: '已申请重办，再次结案后可再评价一次',
  already_rated: '您已评价过此案件',
  window_passed: '已超过评价期限',
};

/**
 * The published figures. Each rate is a numerator over a denominator, both counted per report
 * (case) submitted in the period and matching the filters. Definitions (also in the README):
 *
 * - 响应率 response: of reports delivered to the case system, the share whose first decision
 *   (立案, 不予立案 or 合并) came within `responseHours` of submission.
 * - 处置率 handled: of registered reports (立案: reached accepted or any later step), the share
 *   that reached 处置完成 (handled) or 结案 (closed).
 * - 结案率 closed: of registered reports, the share whose current status is 结案.
 * - 满意率 satisfied: of rated reports (latest rating round, ratings excluded by an upheld appeal
 *   left out), the share rated 非常满意, 满意 or 基本满意. Unrated reports are in neither count.
 */
export const FIGURE_DEFINITIONS = {
  responseHours: 24,
} as const;

export type FigureDimension = 'street' | 'category' | 'department' | 'month';

/** The numerators and denominators of one group. */
export interface FigureCounts {
  /** The group's key (street name, category code, department or YYYY-MM); '' for the total. */
  key: string;
  reports: number;
  delivered: number;
  responded: number;
  registered: number;
  handled: number;
  closed: number;
  rated: number;
  satisfied: number;
}

export interface FigureRow extends FigureCounts {
  label: string;
  /** Percentages with one decimal, null when the denominator is 0 (never a made-up 100%). */
  responseRate: number | null;
  handledRate: number | null;
  closedRate: number | null;
  satisfactionRate: number | null;
}

/** A rate as a percentage with one decimal, or null when there is nothing to divide by. */
export function ratePercent(numerator: number, denominator: number): number | null {
  if (denominator <= 0) return null;
  return Math.round((numerator * 1000) / denominator) / 10;
}

export interface FiguresDto {
  from: string;
  to: string;
  groupBy: FigureDimension | null;
  total: FigureRow;
  rows: FigureRow[];
  definitions: Record<'responseRate' | 'handledRate' | 'closedRate' | 'satisfactionRate', string>;
}

export const FIGURE_DEFINITION_TEXT: FiguresDto['definitions'] = {
  responseRate: `已送达城市管理平台的案件中，${FIGURE_DEFINITIONS.responseHours} 小时内作出立案、不予立案或合并决定的比例`,
  handledRate: '已立案的案件中，已处置完成或已结案的比例',
  closedRate: '已立案的案件中，已结案的比例',
  satisfactionRate: '已评价的案件中（以最后一次评价为准，经申诉排除的评价不计），评价为非常满意、满意或基本满意的比例',
};

/** The public 城市管理成绩单: aggregates only, no personal data and no free text. */
export interface ScorecardDto {
  /** YYYY-MM in Asia/Shanghai. */
  month: string;
  total: FigureRow;
  byCategory: FigureRow[];
  byStreet: FigureRow[];
  definitions: FiguresDto['definitions'];
  /** Groups with fewer reports than this are folded into 其他, so no single report can be singled out. */
  minGroupSize: number;
}
