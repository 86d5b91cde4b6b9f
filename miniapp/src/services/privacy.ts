import Taro from '@tarojs/taro';
import type { EraseAccountResponse, MyDataExportDto } from '@cityloop/shared';
import { request } from './request';
import { setCurrentUser, setToken } from './session';

export const PRIVACY_URL = '/packages/privacy/index';

// ---- WeChat's privacy consent (用户隐私保护指引) ----------------------------------------------
// Since 2023 WeChat refuses its privacy-protected APIs until the resident has agreed to the
// mini-program's 用户隐私保护指引. With no onNeedPrivacyAuthorization listener registered, WeChat
// shows its own consent popup on the first such call; when the resident refuses there, the call fails
// with "privacy permission is not authorized". The guard below explains in Chinese what the consent
// is for and, if the resident wants to go on, makes the same call again, which brings WeChat's popup
// back; agreeing there lets the call continue. An API whose use the guide does not declare fails with
// "api scope is not declared in the privacy agreement": nothing the resident can do, so we say so.

/** The privacy-protected APIs this app calls, and what each is for. */
const PRIVACY_PURPOSES: Record<string, string> = {
  getLocation: '获取您当前的位置',
  chooseLocation: '在地图上选择位置',
  chooseMedia: '拍照或从相册选择照片',
  chooseImage: '拍照或从相册选择照片',
  setClipboardData: '把内容复制到剪贴板',
};

export type PrivacyRefusal = 'not-agreed' | 'not-declared';

/** Whether a failed wx call was refused for want of privacy consent (errno 104) or declaration (112). */
export function privacyRefusal(err: unknown): PrivacyRefusal | null {
  const e = err as { errMsg?: unknown; errno?: unknown } | null;
  const msg = typeof e?.errMsg === 'string' ? e.errMsg : err instanceof Error ? err.message : '';
  if (e?.errno === 112 || msg.indexOf('api scope is not declared in the privacy agreement') >= 0) return 'not-declared';
  if (e?.errno === 104 || msg.indexOf('privacy permission is not authorized') >= 0) return 'not-agreed';
  return null;
}

/** One explanation at a time: calls refused together share the resident's answer. */
let asking: Promise<boolean> | null = null;

function askForConsent(purpose: string): Promise<boolean> {
  if (!asking) {
    const clear = () => {
      asking = null;
    };
    asking = Taro.showModal({
      title: '需要您同意隐私保护指引',
      content: `为了${purpose}，需要您先阅读并同意《用户隐私保护指引》。点击“去同意”后，请在微信弹出的窗口中点“同意”。`,
      confirmText: '去同意',
      cancelText: '暂不',
    }).then(
      (res) => !!res.confirm,
      () => false,
    );
    asking.then(clear, clear);
  }
  return asking;
}

function explainUndeclared(purpose: string): void {
  Taro.showModal({
    title: '功能暂不可用',
    content: `当前版本的隐私保护指引未声明“${purpose}”，暂时无法使用，请先用其他方式（如手动选择城市、填写地址）。`,
    showCancel: false,
    confirmText: '知道了',
  }).catch(() => undefined);
}

type AnyApi = (options?: Record<string, unknown>) => Promise<unknown>;
type Callbacks = { success?: (res: unknown) => void; fail?: (err: unknown) => void; complete?: (res: unknown) => void };

/** Runs `call`; on a consent refusal explains why and, if the resident agrees to go on, calls once more. */
export async function withPrivacyConsent<T>(call: () => Promise<T>, purpose: string): Promise<T> {
  try {
    return await call();
  } catch (err) {
    const refusal = privacyRefusal(err);
    if (refusal === 'not-declared') explainUndeclared(purpose);
    if (refusal !== 'not-agreed' || !(await askForConsent(purpose))) throw err;
    try {
      return await call();
    } catch (again) {
      // WeChat waits a few seconds after a refusal before it shows its popup again.
      if (privacyRefusal(again)) Taro.showToast({ title: '未同意隐私保护指引，请稍后再试', icon: 'none', duration: 2500 }).catch(() => undefined);
      throw again;
    }
  }
}

/**
 * weapp: puts `withPrivacyConsent` in front of every privacy-protected Taro API, so each call site
 * (location, map picker, camera and album, clipboard) gets the explanation and the retry. Called once
 * at launch, before any page runs. The callbacks of a guarded call fire once, with the final outcome.
 */
export function installPrivacyGuard(): void {
  if (process.env.TARO_ENV !== 'weapp') return;
  const taro = Taro as unknown as Record<string, unknown>;
  Object.keys(PRIVACY_PURPOSES).forEach((name) => {
    const original = taro[name];
    if (typeof original !== 'function') return;
    const api = original as AnyApi;
    taro[name] = (options: Record<string, unknown> & Callbacks = {}) => {
      const { success, fail, complete, ...rest } = options;
      const run = withPrivacyConsent(() => api.call(Taro, { ...rest }), PRIVACY_PURPOSES[name]);
      run.then(
        (res) => {
          success?.(res);
          complete?.(res);
        },
        (err: unknown) => {
          fail?.(err);
          complete?.(err);
        },
      );
      return run;
    };
  });
}

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
