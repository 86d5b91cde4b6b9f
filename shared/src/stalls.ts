import type { CoordSystem } from './geo';
import { openStateAt, type StallSchedule } from './stall-schedule';
import { formatShanghai } from './time';

/** Kinds of legal selling points (引摊入市), as bureaus name them. */
export const STALL_KINDS = {
  convenience_market: '便民市场',
  night_market: '夜市',
  time_slot: '时段点',
  seasonal_market: '季节性市场',
  stall_cluster: '摊点群',
  guidance_point: '疏导点',
} as const;
export type StallKind = keyof typeof STALL_KINDS;

/** What may be sold. A spot lists the codes it allows. */
export const STALL_GOODS = {
  produce: '蔬果',
  snacks: '小吃',
  daily_goods: '日用百货',
  handicrafts: '手工艺',
  flowers: '花卉绿植',
  clothing: '服装鞋帽',
  books: '图书文具',
  repair: '维修服务',
} as const;
export type StallGoods = keyof typeof STALL_GOODS;

export const STALL_FACILITIES = { water: '供水', power: '供电', toilet: '公厕', parking: '停车' } as const;
export type StallFacility = keyof typeof STALL_FACILITIES;

export const STALL_LIMITS = {
  defaultRadiusMeters: 3000,
  /** Widest list search; wider is refused with STALL_RADIUS_TOO_LARGE (the mini-program asks for 10 km). */
  maxRadiusMeters: 20_000,
  defaultPageSize: 20,
  maxPageSize: 50,
  /** How far "can I sell here?" looks for alternatives. */
  checkAlternativesRadiusMeters: 10_000,
  checkAlternatives: 3,
  searchTextMaxLength: 50,
  importMaxBytes: 2 * 1024 * 1024,
  importMaxRows: 5000,
} as const;

export type StallOpenStateKind = 'open' | 'closed' | 'suspended';

export interface StallOpenStatus {
  state: StallOpenStateKind;
  /** ISO instant of the next change (closing, opening or end of suspension); null when none is known. */
  changesAt: string | null;
  /** Chinese one-liner for lists, e.g. "营业中 · 21:00 收摊", "明天 06:00 开市", "暂停开放". */
  label: string;
}

export interface StallSuspension {
  reason: string;
  until: string | null;
}

/** Suspension overrides the schedule until it lapses; a lapsed suspension no longer counts. */
export function stallOpenStatus(spot: { schedule: StallSchedule; status: 'active' | 'suspended'; suspendedUntil: Date | null }, at: Date): StallOpenStatus {
  if (spot.status === 'suspended' && (!spot.suspendedUntil || spot.suspendedUntil > at)) {
    return {
      state: 'suspended',
      changesAt: spot.suspendedUntil?.toISOString() ?? null,
      label: spot.suspendedUntil ? `暂停开放，${relativeDayTime(spot.suspendedUntil, at)} 恢复` : '暂停开放',
    };
  }
  const { open, changesAt } = openStateAt(spot.schedule, at);
  if (open) return { state: 'open', changesAt: changesAt?.toISOString() ?? null, label: changesAt ? `营业中 · ${relativeDayTime(changesAt, at)} 收摊` : '营业中' };
  return { state: 'closed', changesAt: changesAt?.toISOString() ?? null, label: changesAt ? `已收摊 · ${relativeDayTime(changesAt, at)} 开市` : '已收摊 · 暂无开放安排' };
}

/** "21:00", "明天 06:00", or "2026-12-01 06:00", read in Shanghai time relative to `now`. */
export function relativeDayTime(instant: Date, now: Date): string {
  const target = formatShanghai(instant);
  const today = formatShanghai(now).slice(0, 10);
  const tomorrow = formatShanghai(new Date(now.getTime() + 86_400_000)).slice(0, 10);
  if (target.startsWith(today)) return target.slice(11);
  if (target.startsWith(tomorrow)) return `明天 ${target.slice(11)}`;
  return target;
}

export interface StallSpotDto {
  id: string;
  code: string;
  name: string;
  kind: StallKind;
  kindName: string;
  district: string;
  street: string;
  address: string;
  location: { lat: number; lng: number; coordSystem: CoordSystem; approximate: boolean };
  /** The spot's extent as a circle around `location`, in metres. */
  radiusMeters: number;
  capacity: number;
  goods: StallGoods[];
  facilities: StallFacility[];
  rules: string;
  manager: { name: string; phone: string } | null;
  photos: string[];
  status: 'active' | 'suspended';
  suspension: StallSuspension | null;
  openStatus: StallOpenStatus;
  /** Today's windows in Shanghai time, e.g. ["18:00–次日02:00"]. */
  todayHours: string[];
  schedule: StallSchedule;
  /** Metres from the query position, when one was given. */
  distanceMeters: number | null;
  followed?: boolean;
  updatedAt: string;
}

export interface StallSpotListDto {
  items: StallSpotDto[];
  /** Pass back as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

export interface StallCheckAlternativeDto {
  spot: StallSpotDto;
  distanceMeters: number;
  bearingDegrees: number;
  /** "东北" etc. */
  direction: string;
}

export type StallCheckVerdict = 'allowed' | 'closed_now' | 'goods_not_allowed' | 'suspended' | 'outside';

export interface StallCheckDto {
  allowed: boolean;
  verdict: StallCheckVerdict;
  /** Chinese explanation for the vendor. */
  message: string;
  /** The spot the position is inside, if any. */
  spot: StallSpotDto | null;
  /** Nearest spots that are open now for the goods, when the answer is no. */
  alternatives: StallCheckAlternativeDto[];
}
