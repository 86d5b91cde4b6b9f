import Taro from '@tarojs/taro';
import { POPULAR_CATEGORY_CODES, REPORT_CATEGORIES, findCategory, type ReportCategory, type ReportStatus } from '@cityloop/shared';

/** Colour per status (see .report-status in app.scss): blue in progress, green closed, red rejected, grey merged. */
export function reportStatusClass(status: ReportStatus | string): string {
  return `report-status report-status--${status}`;
}

/** One glyph per category for the picker's tiles (phones draw emoji in colour; it is decoration only). */
export const CATEGORY_ICONS: Readonly<Record<string, string>> = {
  exposed_garbage: '🗑️',
  garbage_overflow: '♻️',
  piled_materials: '📦',
  illegal_small_ads: '📄',
  illegal_banner: '🚩',
  construction_dust: '🌫️',
  night_construction_noise: '🔊',
  illegal_building: '🏗️',
  street_vending: '🛒',
  shop_front_business: '🏪',
  illegal_parking: '🚗',
  shared_bike_clutter: '🚲',
  road_collapse: '🕳️',
  road_waterlogging: '💧',
  manhole_cover: '⭕',
  fire_hydrant: '🧯',
  street_light: '💡',
  traffic_sign: '🚸',
  guardrail: '🚧',
  trash_bin: '🗑️',
  public_toilet: '🚻',
  fallen_tree: '🌳',
  damaged_greenery: '🌱',
  dangerous_building: '🏚️',
};

/**
 * Groups for the picker as residents think of them: by 大类 name only. The official 事件/部件 split
 * put 市容环境 on screen twice; the case system still gets each category's own code.
 */
export const CATEGORY_GROUPS: ReadonlyArray<{ name: string; categories: ReportCategory[] }> = REPORT_CATEGORIES.reduce<{ name: string; categories: ReportCategory[] }[]>((groups, cat) => {
  const group = groups.find((g) => g.name === cat.group);
  if (group) group.categories.push(cat);
  else groups.push({ name: cat.group, categories: [cat] });
  return groups;
}, []);

const CATEGORY_USE_KEY = 'cityloop.categoryUse';
const FREQUENT_COUNT = 6;

/** This resident's most reported categories first, topped up with the city's most common ones. */
export function frequentCategories(): ReportCategory[] {
  let use: Record<string, number> = {};
  try {
    const raw: unknown = Taro.getStorageSync(CATEGORY_USE_KEY);
    if (raw && typeof raw === 'object') use = raw as Record<string, number>;
  } catch {
    // no history: the common ones
  }
  const own = Object.keys(use)
    .filter((code) => findCategory(code) && typeof use[code] === 'number')
    .sort((a, b) => use[b] - use[a]);
  const codes = own.concat(POPULAR_CATEGORY_CODES.filter((code) => own.indexOf(code) < 0)).slice(0, FREQUENT_COUNT);
  return codes.map((code) => findCategory(code)!).filter(Boolean);
}

/** Counts a submitted report's category for the 常用 row. */
export function recordCategoryUse(code: string): void {
  try {
    const raw: unknown = Taro.getStorageSync(CATEGORY_USE_KEY);
    const use = raw && typeof raw === 'object' ? { ...(raw as Record<string, number>) } : {};
    use[code] = (typeof use[code] === 'number' ? use[code] : 0) + 1;
    Taro.setStorageSync(CATEGORY_USE_KEY, use);
  } catch {
    // storage full: the row just stays as it was
  }
}
