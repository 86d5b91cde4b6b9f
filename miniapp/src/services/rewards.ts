import { REPORT_LIMITS, type ClaimDto, type MyRewardsDto, type ReportRewardDto } from '@cityloop/shared';
import { request } from './request';
import { buildQuery } from './stalls';

export const MY_REWARDS_URL = '/packages/rewards/index';

/** 我的奖励: balance, rules, the newest ledger entries (paged by `cursor`), decisions and claims. */
export function getMyRewards(cursor?: string | null, limit?: number): Promise<MyRewardsDto> {
  return request<MyRewardsDto>({ path: `/me/rewards${buildQuery({ cursor, limit })}` });
}

export interface ClaimResult {
  claim: ClaimDto;
  balanceFen: number;
}

/**
 * Asks for a payout of `amountFen`. The same key with the same amount returns the claim already
 * made, so a retry after a lost answer never pays twice: keep the key until the attempt has an answer.
 */
export function claimReward(amountFen: number, idempotencyKey: string): Promise<ClaimResult> {
  return request<ClaimResult>({
    path: '/me/rewards/claims',
    method: 'POST',
    data: { amountFen },
    header: { 'Idempotency-Key': idempotencyKey },
  });
}

/** 参与排行榜 on or off; answers the stored choice. */
export async function setLeaderboardOptIn(optIn: boolean): Promise<boolean> {
  const { leaderboardOptIn } = await request<{ leaderboardOptIn: boolean }>({ path: '/me/rewards/leaderboard', method: 'PUT', data: { optIn } });
  return leaderboardOptIn;
}

/** One appeal per report against its reward decision; answers the report's new reward state. */
export async function appealReward(reportId: string, reason: string): Promise<ReportRewardDto> {
  const { reward } = await request<{ reward: ReportRewardDto }>({
    path: `/reports/${encodeURIComponent(reportId)}/reward-appeal`,
    method: 'POST',
    data: { reason },
  });
  return reward;
}

function randomHex(bytes: number): string {
  const buf = new Uint8Array(bytes);
  if (typeof crypto !== 'undefined' && typeof crypto.getRandomValues === 'function') crypto.getRandomValues(buf);
  else for (let i = 0; i < buf.length; i += 1) buf[i] = Math.floor(Math.random() * 256);
  return Array.from(buf, (b) => (b < 16 ? '0' : '') + b.toString(16)).join('');
}

/** `clm-<time>-<32 hex>`: one per claim attempt. */
export function newClaimKey(): string {
  return `clm-${Date.now().toString(36)}-${randomHex(16)}`.slice(0, REPORT_LIMITS.idempotencyKeyMaxLength);
}
