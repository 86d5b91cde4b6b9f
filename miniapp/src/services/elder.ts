import Taro from '@tarojs/taro';

/**
 * 适老化 elder mode (MIIT's rules for government apps): larger text and touch targets. The resident
 * turns it on under 我的; until they choose, weapp follows the phone's font size setting.
 * Pages render through <Page>, which zooms its content, so layout reflows like browser zoom does.
 */
const STORAGE_KEY = 'cityloop.elderMode';
/** 1.25 × 28 px body text is 35 design px ≈ 17.5 CSS px on a 375 pt phone; titles reach 22+ pt. */
export const ELDER_ZOOM = 1.25;

type Listener = (on: boolean) => void;
const listeners = new Set<Listener>();

function storedChoice(): boolean | null {
  try {
    const v: unknown = Taro.getStorageSync(STORAGE_KEY);
    return v === 'on' ? true : v === 'off' ? false : null;
  } catch {
    return null;
  }
}

/** weapp: the system font scale (base library 2.21+: fontSizeScaleFactor; iOS: fontSizeSetting, 17 is the default). */
function systemPrefersLargeText(): boolean {
  if (process.env.TARO_ENV !== 'weapp') return false;
  try {
    const info = (Taro.getAppBaseInfo ? Taro.getAppBaseInfo() : Taro.getSystemInfoSync()) as { fontSizeScaleFactor?: number; fontSizeSetting?: number };
    if (typeof info.fontSizeScaleFactor === 'number') return info.fontSizeScaleFactor >= 1.15;
    return typeof info.fontSizeSetting === 'number' && info.fontSizeSetting >= 20;
  } catch {
    return false;
  }
}

let current: boolean | null = null;

export function isElderMode(): boolean {
  if (current === null) current = storedChoice() ?? systemPrefersLargeText();
  return current;
}

export function setElderMode(on: boolean): void {
  current = on;
  try {
    Taro.setStorageSync(STORAGE_KEY, on ? 'on' : 'off');
  } catch {
    // storage full or unavailable: the choice still holds until the app closes
  }
  listeners.forEach((fn) => fn(on));
}

export function onElderModeChange(fn: Listener): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}
