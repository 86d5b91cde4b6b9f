import { REWARD_STATE_NAMES, formatYuan, type ReportRewardDto, type RewardAppealStatus } from '@cityloop/shared';

export type YuanParse = { ok: true; fen: number } | { ok: false; message: string };

/**
 * Reads an amount typed in yuan ("12", "12.5", "0.30", "¥8") as integer fen with string arithmetic
 * only, so 0.1 + 0.2 style float errors never reach the ledger. At most two decimals.
 */
export function parseYuanToFen(input: string): YuanParse {
  const text = input.trim().replace(/^[¥￥]\s*/, '');
  if (!text) return { ok: false, message: '请输入提现金额' };
  const match = /^(\d{0,9})(?:\.(\d*))?$/.exec(text);
  if (!match || (!match[1] && !match[2])) return { ok: false, message: '请输入正确的金额，如 12.50' };
  const decimals = match[2] ?? '';
  if (decimals.length > 2) return { ok: false, message: '金额最多保留两位小数' };
  const fen = Number(match[1] || '0') * 100 + Number((decimals + '00').slice(0, 2));
  return Number.isSafeInteger(fen) ? { ok: true, fen } : { ok: false, message: '请输入正确的金额，如 12.50' };
}

/** Fen as yuan digits for an input box: 1230 → "12.30". */
export function fenToYuanInput(fen: number): string {
  return formatYuan(fen).replace('¥', '');
}

/** +¥2.00 / -¥2.00 / ¥0.00 for a balance change. */
export function signedYuan(fen: number): string {
  return fen > 0 ? `+${formatYuan(fen)}` : formatYuan(fen);
}

export const APPEAL_STATUS_NAMES: Record<RewardAppealStatus, string> = {
  pending: '申诉处理中',
  upheld: '申诉成立',
  rejected: '申诉未获支持',
};

/** The line a resident reads about one report's reward. */
export function rewardSummary(reward: Pick<ReportRewardDto, 'state' | 'amountFen' | 'reasonName'>): string {
  switch (reward.state) {
    case 'pending':
      return '待城市管理平台立案后确定';
    case 'accrued':
      return `${formatYuan(reward.amountFen)}，${reward.reasonName}`;
    default:
      return reward.reasonName;
  }
}

/** The small badge on a 我的举报 row, or null when there is nothing worth a badge. */
export function rewardBadge(state: ReportRewardDto['state'], amountFen: number): { text: string; tone: 'good' | 'wait' } | null {
  if (state === 'accrued' && amountFen > 0) return { text: `+${formatYuan(amountFen)}`, tone: 'good' };
  // The bare 待审核 on a list row read as if the report itself was under review.
  if (state === 'held') return { text: REWARD_STATE_NAMES.held, tone: 'wait' };
  return null;
}
