import type { CoordSystem } from './geo';
import type { ReportRatingStateDto } from './ratings';
import type { ReportRewardDto } from './rewards';

/**
 * Report categories residents recognise, modelled on the digital urban-management classes:
 * 事件 (events) and 部件 (facilities), each in a 大类 group. `serviceCode` is the case system's
 * Open311 service_code; `duplicateRadiusMeters` is how close another open report of the same category
 * must be to count as the same problem.
 */
export type CategoryClass = 'event' | 'facility';
export type RewardTier = 'routine' | 'standard' | 'major';

export interface ReportCategory {
  code: string;
  name: string;
  class: CategoryClass;
  group: string;
  serviceCode: string;
  duplicateRadiusMeters: number;
  /** How many photos a report must and may carry. */
  photos: { min: number; max: number };
  rewardTier: RewardTier;
}

const c = (code: string, name: string, klass: CategoryClass, group: string, serviceCode: string, duplicateRadiusMeters: number, rewardTier: RewardTier = 'routine', minPhotos = 1): ReportCategory => ({
  code,
  name,
  class: klass,
  group,
  serviceCode,
  duplicateRadiusMeters,
  photos: { min: minPhotos, max: 9 },
  rewardTier,
});

export const REPORT_CATEGORIES: readonly ReportCategory[] = [
  c('exposed_garbage', '暴露垃圾', 'event', '市容环境', 'SJ-0101', 50),
  c('garbage_overflow', '垃圾满溢', 'event', '市容环境', 'SJ-0102', 30),
  c('piled_materials', '乱堆物料', 'event', '市容环境', 'SJ-0103', 50),
  c('illegal_small_ads', '非法小广告', 'event', '宣传广告', 'SJ-0201', 30),
  c('illegal_banner', '违规横幅标语', 'event', '宣传广告', 'SJ-0202', 50),
  c('construction_dust', '施工扬尘', 'event', '施工管理', 'SJ-0301', 150, 'standard'),
  c('night_construction_noise', '夜间施工噪音', 'event', '施工管理', 'SJ-0302', 200, 'standard', 0),
  c('illegal_building', '违法建设', 'event', '施工管理', 'SJ-0303', 50, 'major'),
  c('street_vending', '占道经营', 'event', '街面秩序', 'SJ-0401', 80),
  c('shop_front_business', '店外经营', 'event', '街面秩序', 'SJ-0402', 30),
  c('illegal_parking', '违章停车', 'event', '街面秩序', 'SJ-0403', 30),
  c('shared_bike_clutter', '共享单车乱停放', 'event', '街面秩序', 'SJ-0404', 50),
  c('road_collapse', '路面塌陷', 'event', '突发事件', 'SJ-0501', 50, 'standard'),
  c('road_waterlogging', '道路积水', 'event', '突发事件', 'SJ-0502', 100, 'standard'),
  c('manhole_cover', '井盖缺失破损', 'facility', '公用设施', 'BJ-0101', 20, 'standard'),
  c('fire_hydrant', '消防栓损坏', 'facility', '公用设施', 'BJ-0102', 20),
  c('street_light', '路灯不亮', 'facility', '道路交通', 'BJ-0201', 30),
  c('traffic_sign', '交通标志损坏', 'facility', '道路交通', 'BJ-0202', 30),
  c('guardrail', '护栏损坏', 'facility', '道路交通', 'BJ-0203', 30),
  c('trash_bin', '垃圾桶破损', 'facility', '市容环境', 'BJ-0301', 20),
  c('public_toilet', '公厕设施损坏', 'facility', '市容环境', 'BJ-0302', 30),
  c('fallen_tree', '树木倒伏', 'facility', '园林绿化', 'BJ-0401', 30, 'standard'),
  c('damaged_greenery', '绿地毁坏', 'facility', '园林绿化', 'BJ-0402', 50),
  c('dangerous_building', '危房险情', 'facility', '房屋土地', 'BJ-0501', 50, 'major'),
];

/** Words residents type for each category, beyond its own name (搜索问题类型). */
export const CATEGORY_KEYWORDS: Readonly<Record<string, readonly string[]>> = {
  exposed_garbage: ['垃圾', '脏', '乱扔', '卫生'],
  garbage_overflow: ['垃圾', '垃圾箱', '满了', '溢出'],
  piled_materials: ['堆放', '杂物', '建筑垃圾', '占道'],
  illegal_small_ads: ['小广告', '牛皮癣', '贴纸', '涂鸦', '喷涂'],
  illegal_banner: ['横幅', '标语', '广告牌'],
  construction_dust: ['扬尘', '灰尘', '工地', '渣土'],
  night_construction_noise: ['噪音', '施工', '扰民', '晚上', '工地'],
  illegal_building: ['违建', '搭建', '加盖', '私搭乱建'],
  street_vending: ['摆摊', '小贩', '流动摊', '占道'],
  shop_front_business: ['出店', '店门口', '占道', '商户'],
  illegal_parking: ['停车', '乱停', '违停', '汽车', '占道'],
  shared_bike_clutter: ['单车', '自行车', '电动车', '乱停'],
  road_collapse: ['塌陷', '坑', '路面', '破损', '坑洼'],
  road_waterlogging: ['积水', '淹水', '下雨', '内涝', '排水'],
  manhole_cover: ['井盖', '窨井', '下水道', '坑'],
  fire_hydrant: ['消防', '消火栓', '漏水'],
  street_light: ['路灯', '灯', '不亮', '照明'],
  traffic_sign: ['标志', '标牌', '指示牌', '红绿灯'],
  guardrail: ['护栏', '栏杆', '隔离栏'],
  trash_bin: ['垃圾桶', '果皮箱', '破损'],
  public_toilet: ['厕所', '公厕', '卫生间'],
  fallen_tree: ['树', '倒伏', '断枝', '台风'],
  damaged_greenery: ['绿化', '草坪', '踩踏', '毁绿'],
  dangerous_building: ['危房', '裂缝', '倒塌', '墙'],
};

/**
 * Categories matching what a resident typed: by name first, then by keyword, each in list order.
 * Whitespace-separated words must all match. An empty query matches nothing (the caller shows all).
 */
export function searchCategories(query: string): ReportCategory[] {
  const words = query.trim().toLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length) return [];
  const scored: { cat: ReportCategory; score: number; index: number }[] = [];
  REPORT_CATEGORIES.forEach((cat, index) => {
    const keywords = CATEGORY_KEYWORDS[cat.code] ?? [];
    let score = 0;
    for (const word of words) {
      if (cat.name.includes(word)) score += 2;
      else if (keywords.some((k) => k.includes(word) || word.includes(k)) || cat.group.includes(word)) score += 1;
      else return;
    }
    scored.push({ cat, score, index });
  });
  return scored.sort((a, b) => b.score - a.score || a.index - b.index).map((x) => x.cat);
}

/** What residents report most, for the 常用 row until their own history says otherwise. */
export const POPULAR_CATEGORY_CODES: readonly string[] = ['exposed_garbage', 'illegal_parking', 'street_vending', 'manhole_cover', 'street_light', 'road_waterlogging'];

export const CATEGORY_CLASS_NAMES: Record<CategoryClass, string> = { event: '事件', facility: '部件' };

export function findCategory(code: unknown): ReportCategory | undefined {
  return REPORT_CATEGORIES.find((cat) => cat.code === code);
}

/**
 * The report as the resident sees it move through the city's loop. `submitted` is ours (saved and
 * queued); the rest come from the case system. Terminal for now: rejected, duplicate, closed.
 */
export type ReportStatus = 'submitted' | 'received' | 'accepted' | 'rejected' | 'duplicate' | 'dispatched' | 'handled' | 'closed' | 'reopened';

export const REPORT_STATUS_NAMES: Record<ReportStatus, string> = {
  submitted: '已提交',
  received: '已受理',
  accepted: '已立案',
  rejected: '不予立案',
  duplicate: '重复合并',
  dispatched: '已派遣',
  handled: '已处置',
  closed: '已结案',
  reopened: '重新办理',
};

export const REPORT_STATUSES = Object.keys(REPORT_STATUS_NAMES) as ReportStatus[];

/** Open = still being worked on (used for the nearby-duplicates hint). */
export const OPEN_REPORT_STATUSES: readonly ReportStatus[] = ['submitted', 'received', 'accepted', 'dispatched', 'handled', 'reopened'];

/** Ended = nothing more will happen: closed, refused or merged (the complement of the open ones). */
export const ENDED_REPORT_STATUSES: readonly ReportStatus[] = ['closed', 'rejected', 'duplicate'];

/** Registered (立案) or past it: what decides a reward and sets `registered_at`. */
export const REGISTERED_REPORT_STATUSES: readonly ReportStatus[] = ['accepted', 'dispatched', 'handled', 'closed'];

/** Refused or merged by the case system: such a report never counts as the first of a problem. */
export const REFUSED_REPORT_STATUSES: readonly ReportStatus[] = ['rejected', 'duplicate'];

/** The case system has answered the report one way or the other (registered, refused or merged): `responded_at`. */
export const DECIDED_REPORT_STATUSES: readonly ReportStatus[] = [...REGISTERED_REPORT_STATUSES, ...REFUSED_REPORT_STATUSES];

/**
 * The timeline as the resident reads it: newest first, and one entry per step. The BFF's own
 * "delivered" entry and the case system's acknowledgement are both 已受理; consecutive entries of
 * the same status become one, at the earliest time, with the notes kept in order.
 */
export function residentTimeline<T extends { status: ReportStatus; note: string | null; at: string }>(timeline: readonly T[]): T[] {
  const oldestFirst = timeline
    .map((entry, index) => ({ entry, index, t: Date.parse(entry.at) }))
    .sort((a, b) => a.t - b.t || a.index - b.index)
    .map((x) => x.entry);
  const merged: T[] = [];
  for (const entry of oldestFirst) {
    const last = merged[merged.length - 1];
    if (last && last.status === entry.status) {
      const notes = [last.note, entry.note].filter((n): n is string => !!n && n !== last.note);
      merged[merged.length - 1] = { ...last, note: notes.length ? [last.note, entry.note].filter(Boolean).join('；') : last.note };
    } else {
      merged.push(entry);
    }
  }
  return merged.reverse();
}

/** The city's seven-step loop, as residents are told about it. */
export const REPORT_STEPS: ReadonlyArray<{ name: string; text: string }> = [
  { name: '上报', text: '您拍照提交，平台受理' },
  { name: '立案', text: '核实属于城市管理问题后立案' },
  { name: '派遣', text: '派给负责的处置部门' },
  { name: '处置', text: '部门到现场处理' },
  { name: '核查', text: '监督员复查处理结果' },
  { name: '结案', text: '确认解决后结案' },
  { name: '评价', text: '您对处理结果打分' },
];

/** The seven steps of the city's loop, 0–6: 上报 立案 派遣 处置 核查 结案 评价. */
export type ReportStep = 0 | 1 | 2 | 3 | 4 | 5 | 6;

/**
 * Where the step bar stands: `current` is the step the status badge names (已处置 → 处置, not the
 * 核查 that comes next), every earlier step is done; a rated closed case has 评价 done too.
 * `stopped` when the case ended without being handled (不予立案, 重复合并).
 */
export function reportStepState(status: ReportStatus, ratedThisRound: boolean): { current: ReportStep; done: number; stopped: boolean } {
  switch (status) {
    case 'submitted':
    case 'received':
      return { current: 0, done: 0, stopped: false };
    case 'accepted':
      return { current: 1, done: 1, stopped: false };
    case 'rejected':
    case 'duplicate':
      return { current: 1, done: 1, stopped: true };
    case 'dispatched':
    case 'reopened':
      return { current: 2, done: 2, stopped: false };
    case 'handled':
      return { current: 3, done: 3, stopped: false };
    case 'closed':
      return ratedThisRound ? { current: 6, done: 7, stopped: false } : { current: 6, done: 6, stopped: false };
    default:
      return { current: 0, done: 0, stopped: false };
  }
}

export const REPORT_LIMITS = {
  /** Counted in characters (code points), so Chinese text gets the same allowance as Latin. */
  descriptionMinChars: 5,
  descriptionMaxChars: 500,
  addressMaxChars: 200,
  maxPhotos: 9,
  /** Raw upload cap; phones produce 2–8 MB JPEGs. */
  photoMaxBytes: 15 * 1024 * 1024,
  /** Decompression-bomb guard: 50 megapixels. */
  photoMaxPixels: 50_000_000,
  photoDisplayMaxSide: 1600,
  photoThumbMaxSide: 320,
  /**
   * On-device compression before upload: the server keeps only 1600 px anyway (photoDisplayMaxSide),
   * so sending more costs the resident time and data for nothing (a 2.2 MB photo took 24 s on Fast 3G).
   */
  devicePhotoMaxSide: 1600,
  devicePhotoJpegQuality: 0.8,
  nearbyMax: 5,
  idempotencyKeyMaxLength: 100,
  streetMaxChars: 50,
} as const;

/**
 * The size to re-encode a photo at on the device: the long side capped at `maxSide`, the aspect kept,
 * never enlarged. Integer pixels, at least 1.
 */
export function fitLongSide(width: number, height: number, maxSide: number = REPORT_LIMITS.devicePhotoMaxSide): { width: number; height: number } {
  const long = Math.max(width, height);
  if (!(long > maxSide)) return { width: Math.max(1, Math.round(width)), height: Math.max(1, Math.round(height)) };
  const scale = maxSide / long;
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

export interface PhotoDto {
  id: string;
  /** Display size (≤ 1600 px), served to the reporter and staff only. */
  url: string;
  thumbUrl: string;
  width: number;
  height: number;
  /** Capture time from EXIF, ISO UTC, if the camera recorded one. */
  takenAt: string | null;
  /** Whether the original carried a GPS position (the position itself is kept server-side). */
  hasGps: boolean;
}

export interface ReportLocationDto {
  lat: number;
  lng: number;
  coordSystem: CoordSystem;
}

export interface ReportTimelineEntryDto {
  status: ReportStatus;
  statusName: string;
  /** Official note from the case system, e.g. the reason for 不予立案. */
  note: string | null;
  at: string;
}

export interface ReportDto {
  id: string;
  category: string;
  categoryName: string;
  description: string;
  location: ReportLocationDto;
  address: string;
  status: ReportStatus;
  statusName: string;
  caseNumber: string | null;
  department: string | null;
  expectedAt: string | null;
  photos: PhotoDto[];
  /** After-photos from the department that handled it. */
  afterPhotos: string[];
  timeline: ReportTimelineEntryDto[];
  /** 有奖举报: pending until the case system decides; then accrued, held, none (with why) or reversed. */
  reward: ReportRewardDto;
  /** 满意度评价: whether it can be rated now, ratings so far, follow-up and rework. */
  rating: ReportRatingStateDto;
  createdAt: string;
  updatedAt: string;
}

export interface ReportListItemDto {
  id: string;
  category: string;
  categoryName: string;
  status: ReportStatus;
  statusName: string;
  address: string;
  thumbUrl: string | null;
  rewardState: ReportRewardDto['state'];
  /** REWARD_STATE_NAMES[rewardState], e.g. 奖励待审核. */
  rewardStateName: string;
  rewardAmountFen: number;
  canRate: boolean;
  createdAt: string;
  updatedAt: string;
}

/** What a resident may see of any report, theirs or not: never who filed it. */
export interface ReportSummaryDto {
  id: string;
  category: string;
  categoryName: string;
  status: ReportStatus;
  statusName: string;
  address: string;
}

export interface SubmitReportBody {
  category: string;
  description: string;
  location: ReportLocationDto;
  /**
   * What the resident typed to describe the spot; may be empty or absent once the pin is set: the BFF
   * then stores the reverse-geocoded address (best effort, '' when the geocoder fails).
   */
  address?: string;
  /** Street (街道) if the client knows it; the figures group by it. */
  street?: string;
  photoIds: string[];
}
