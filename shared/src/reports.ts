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

const c = (
  code: string,
  name: string,
  klass: CategoryClass,
  group: string,
  serviceCode: string,
  duplicateRadiusMeters: number,
  rewardTier: RewardTier = 'routine',
  minPhotos = 1,
): ReportCategory => ({ code, name, class: klass, group, serviceCode, duplicateRadiusMeters, photos: { min: minPhotos, max: 9 }, rewardTier });

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
  nearbyMax: 5,
  idempotencyKeyMaxLength: 100,
  streetMaxChars: 50,
} as const;

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

export interface NearbyReportDto {
  id: string;
  category: string;
  categoryName: string;
  status: ReportStatus;
  statusName: string;
  address: string;
  distanceMeters: number;
  createdAt: string;
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
