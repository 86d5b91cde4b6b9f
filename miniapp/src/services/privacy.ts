import Taro from '@tarojs/taro';
import type { EraseAccountResponse, MyDataExportDto } from '@cityloop/shared';
import { request } from './request';
import { setCurrentUser, setToken } from './session';

export const PRIVACY_URL = '/packages/privacy/index';

/** Everything the BFF holds about me (个人信息保护法 art. 45). */
export function exportMyData(): Promise<MyDataExportDto> {
  return request<MyDataExportDto>({ path: '/me/data-export' });
}

/**
 * Erases the account (art. 47). `forfeitBalance` only after the resident confirmed giving up the
 * balance the BFF named. On success everything this device kept (token, drafts, queue) goes too.
 */
export async function eraseMyAccount(forfeitBalance: boolean): Promise<EraseAccountResponse> {
  const result = await request<EraseAccountResponse>({ path: '/me', method: 'DELETE', data: { confirm: true, forfeitBalance } });
  setToken(null);
  setCurrentUser(null);
  try {
    Taro.clearStorageSync();
  } catch {
    // Storage unavailable: nothing was kept there either.
  }
  return result;
}

/** The export's contents in a line a resident reads before copying it. */
export function exportSummary(data: MyDataExportDto): string {
  return [
    `举报 ${data.reports.length} 条`,
    `评价 ${data.ratings.length} 条`,
    `奖励记录 ${data.rewards.ledger.length} 条`,
    `提现 ${data.rewards.claims.length} 笔`,
    `关注摊点 ${data.stallSpotFollows.length} 个`,
    `通知 ${data.notifications.length} 条`,
  ].join('，');
}
