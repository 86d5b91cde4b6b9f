import {
  STALL_FACILITIES,
  STALL_GOODS,
  WEEKDAY_ZH,
  parseHm,
  type DateRange,
  type ScheduleException,
  type StallFacility,
  type StallGoods,
  type StallOpenStateKind,
  type StallSpotDto,
  type TimeWindow,
  type Weekday,
  type WeeklyRule,
} from '@cityloop/shared';
import type { QueryPosition } from '../services/stalls';

/** "850 米", "3.2 公里", "125 公里". */
export function formatDistance(meters: number | null | undefined): string {
  if (meters === null || meters === undefined || !Number.isFinite(meters)) return '';
  if (meters < 1000) return `${Math.max(0, Math.round(meters))} 米`;
  if (meters < 100_000) return `${(meters / 1000).toFixed(1).replace(/\.0$/, '')} 公里`;
  return `${Math.round(meters / 1000)} 公里`;
}

/** "周一至周五", "周六、周日", "每天"; runs of three or more days are written as a range. */
export function describeDays(days: readonly Weekday[]): string {
  const sorted = days.filter((d, i) => days.indexOf(d) === i).sort((a, b) => a - b);
  if (sorted.length === 7) return '每天';
  const runs: Weekday[][] = [];
  sorted.forEach((d) => {
    const last = runs[runs.length - 1];
    if (last && d === last[last.length - 1] + 1) last.push(d);
    else runs.push([d]);
  });
  return runs.map((run) => (run.length >= 3 ? `${WEEKDAY_ZH[run[0]]}至${WEEKDAY_ZH[run[run.length - 1]]}` : run.map((d) => WEEKDAY_ZH[d]).join('、'))).join('、');
}

/** "06:00–08:30", or "18:00–次日02:00" when the window runs past midnight (close at or before open). */
export function describeWindow(w: TimeWindow): string {
  const open = parseHm(w.open);
  const close = parseHm(w.close);
  const nextDay = open !== null && close !== null && close <= open;
  return `${w.open}–${nextDay ? '次日' : ''}${w.close}`;
}

/** "周一至周五 06:00–08:30、17:00–21:00". */
export function describeWeeklyRule(rule: WeeklyRule): string {
  return `${describeDays(rule.days)} ${rule.windows.map(describeWindow).join('、')}`;
}

/** "季节：2026-11-01 至 2027-05-31"; several ranges are joined with "；". */
export function describeSeasons(seasons: readonly DateRange[] | undefined): string | null {
  if (!seasons?.length) return null;
  return `季节：${seasons.map((s) => `${s.from} 至 ${s.to}`).join('；')}`;
}

/** "2026-10-01 休市（国庆）", "2026-10-02 调整为 10:00–14:00". */
export function describeException(ex: ScheduleException): string {
  const what = ex.closed || !ex.windows?.length ? '休市' : `调整为 ${ex.windows.map(describeWindow).join('、')}`;
  return `${ex.date} ${what}${ex.note ? `（${ex.note}）` : ''}`;
}

export function goodsNames(goods: readonly StallGoods[]): string {
  return goods.map((g) => STALL_GOODS[g] ?? g).join('、');
}

export function facilityNames(facilities: readonly StallFacility[]): string {
  return facilities.map((f) => STALL_FACILITIES[f] ?? f).join('、');
}

/** Class modifier per state: open green, closed grey, suspended red (see .stall-status in app.scss). */
export function statusClass(state: StallOpenStateKind): string {
  return `stall-status stall-status--${state}`;
}

/** The pin for a spot: a suspended spot shows as suspended even when its hours say open. */
export function stallMarkerKind(spot: Pick<StallSpotDto, 'status' | 'openStatus'>): StallOpenStateKind {
  return spot.status === 'suspended' ? 'suspended' : spot.openStatus.state;
}

/** The detail page lives in a subpackage; the viewer's position rides along so it can show the distance. */
export function stallDetailUrl(id: string, from: QueryPosition | null): string {
  const base = `/packages/stalls/detail/index?id=${encodeURIComponent(id)}`;
  if (!from) return base;
  return `${base}&lat=${from.lat}&lng=${from.lng}&cs=${from.coordSystem}`;
}
