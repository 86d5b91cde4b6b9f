/**
 * Contracts for the resident app's maps: reverse geocoding (the address under the pin), the H5 map's
 * tile source, open reports shown around the pin, and "我也遇到了" follows.
 */
import type { CoordSystem, LatLng } from './geo';
import type { ReportSummaryDto } from './reports';

/** GET /api/v1/geo/reverse?lat&lng&coordSystem — the address at a point (Tencent WebService in production). */
export interface ReverseGeocodeDto {
  /** Readable address for the form, e.g. 云南省昆明市呈贡区彩云北路 (recommend text when the service has one). */
  address: string;
  province: string;
  city: string;
  district: string;
  /** Street or township (街道/乡镇) when known, for the figures; '' otherwise. */
  street: string;
  /** A nearby landmark to help the resident describe the spot, '' when none. */
  landmark: string;
}

/**
 * GET /api/v1/map/config — the H5 map's tiles. TianDiTu (天地图, CGCS2000 ≈ WGS-84) in production,
 * a local tile stand-in in dev and tests; null tileUrl means no map (the form still works).
 * Leaflet URL templates: {z}/{x}/{y}, {s} picks one of tileSubdomains.
 */
export interface MapConfigDto {
  tileUrl: string | null;
  /** TianDiTu's annotation layer (地名注记), drawn over the base tiles; null when none. */
  labelUrl: string | null;
  tileSubdomains: string;
  tileAttribution: string;
  maxZoom: number;
  /** The coordinate system the tiles are drawn in: points for the H5 map are asked for in it. */
  coordSystem: CoordSystem;
}

/** An open report around the pin (GET /api/v1/reports/nearby), without anything about its reporter. */
export interface MapReportDto extends ReportSummaryDto {
  distanceMeters: number;
  /** In the coordSystem the request asked for. */
  location: LatLng;
  createdAt: string;
  /** The caller filed it. */
  own: boolean;
  /** The caller follows it (我也遇到了). */
  followed: boolean;
  followers: number;
}

/** GET /api/v1/me/report-follows — reports I said 我也遇到了 to; their status notices come to me. */
export interface FollowedReportDto extends ReportSummaryDto {
  followedAt: string;
  updatedAt: string;
}

/** PUT / DELETE /api/v1/reports/{id}/follow: the state after the call (both are idempotent). */
export interface ReportFollowStateDto {
  followed: boolean;
  followers: number;
}

/**
 * The page a follower's status notice opens. The report's detail page is the reporter's own (anyone
 * else gets 404), so followers land on the report tab, which lists what they follow.
 */
export const FOLLOWED_REPORT_NOTICE_PAGE = 'pages/report/index';
