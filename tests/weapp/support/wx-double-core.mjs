// What every part of the wx test double shares: the fixed device answers and the API lists.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** Chenggong district, Kunming (GCJ-02): where the seeded stall spots are. */
export const FIXED_POINT = { latitude: 24.858, longitude: 102.849 };
export const PICKED_PLACE = { name: '呈贡区政府', address: '云南省昆明市呈贡区锦绣大街', latitude: 24.8801, longitude: 102.8215 };

/** WeChat's privacy-protected APIs that this app may call (用户隐私保护指引). */
export const PRIVACY_APIS = new Set([
  'getLocation',
  'getFuzzyLocation',
  'chooseLocation',
  'startLocationUpdate',
  'startLocationUpdateBackground',
  'chooseMedia',
  'chooseImage',
  'chooseVideo',
  'saveImageToPhotosAlbum',
  'setClipboardData',
  'getClipboardData',
  'chooseAddress',
]);
export const PRIVACY_REFUSED = { errno: 104, text: 'privacy permission is not authorized' };
export const PRIVACY_UNDECLARED = { errno: 112, text: 'api scope is not declared in the privacy agreement' };

/** API names Taro wraps (so the double lists them all and an unimplemented one fails by name). */
export function taroApiNames() {
  const names = new Set();
  for (const rel of ['node_modules/@tarojs/shared/dist/native-apis.js', 'node_modules/@tarojs/plugin-platform-weapp/dist/runtime.js']) {
    const file = path.join(root, rel);
    if (!fs.existsSync(file)) continue;
    const text = fs.readFileSync(file, 'utf8');
    const list = /needPromiseApis = new Set\(\[([\s\S]*?)\]\)/.exec(text);
    if (list) for (const m of list[1].matchAll(/'([A-Za-z0-9_]+)'/g)) names.add(m[1]);
  }
  return names;
}
export const SYNC_AND_EVENT_APIS = [
  'getStorageSync',
  'setStorageSync',
  'removeStorageSync',
  'clearStorageSync',
  'getStorageInfoSync',
  'getSystemInfoSync',
  'getWindowInfo',
  'getAppBaseInfo',
  'getDeviceInfo',
  'getSystemSetting',
  'getAppAuthorizeSetting',
  'getMenuButtonBoundingClientRect',
  'getAccountInfoSync',
  'getLaunchOptionsSync',
  'getEnterOptionsSync',
  'getFileSystemManager',
  'createSelectorQuery',
  'createIntersectionObserver',
  'createMapContext',
  'createVideoContext',
  'createCanvasContext',
  'createAnimation',
  'createInnerAudioContext',
  'getUpdateManager',
  'getRealtimeLogManager',
  'getLogManager',
  'onNetworkStatusChange',
  'offNetworkStatusChange',
  'onAppShow',
  'offAppShow',
  'onAppHide',
  'offAppHide',
  'onError',
  'offError',
  'onUnhandledRejection',
  'offUnhandledRejection',
  'onPageNotFound',
  'offPageNotFound',
  'onMemoryWarning',
  'onThemeChange',
  'offThemeChange',
  'onWindowResize',
  'offWindowResize',
  'onNeedPrivacyAuthorization',
  'onKeyboardHeightChange',
  'offKeyboardHeightChange',
  'onLocationChange',
  'offLocationChange',
  'canIUse',
  'nextTick',
  'reportAnalytics',
  'reportMonitor',
  'reportEvent',
  'arrayBufferToBase64',
  'base64ToArrayBuffer',
];

export const ok = (api, extra = {}) => ({ errMsg: `${api}:ok`, ...extra });
