import type { ScorecardDto } from '@cityloop/shared';
import { request } from './request';
import { buildQuery } from './stalls';

export const SCORECARD_URL = '/packages/scorecard/index';

/** The public 城市管理成绩单 for `month` (YYYY-MM, Asia/Shanghai). Sent without a token: no login needed. */
export async function getScorecard(month: string): Promise<ScorecardDto> {
  const { scorecard } = await request<{ scorecard: ScorecardDto }>({ path: `/public/scorecard${buildQuery({ month })}`, auth: false });
  return scorecard;
}
