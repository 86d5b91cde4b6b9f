/** Pure geometry on WGS-84 coordinates. Conversions to and from GCJ-02 happen at the BFF's edges. */

export type CoordSystem = 'wgs84' | 'gcj02';
export const COORD_SYSTEMS: readonly CoordSystem[] = ['wgs84', 'gcj02'];

export interface LatLng {
  lat: number;
  lng: number;
}

const EARTH_RADIUS_M = 6_371_008.8;
const rad = (deg: number) => (deg * Math.PI) / 180;

/** Great-circle distance in metres (haversine). */
export function distanceMeters(a: LatLng, b: LatLng): number {
  const dLat = rad(b.lat - a.lat);
  const dLng = rad(b.lng - a.lng);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Initial bearing from a to b in degrees, 0 = north, clockwise. */
export function bearingDegrees(a: LatLng, b: LatLng): number {
  const y = Math.sin(rad(b.lng - a.lng)) * Math.cos(rad(b.lat));
  const x = Math.cos(rad(a.lat)) * Math.sin(rad(b.lat)) - Math.sin(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.cos(rad(b.lng - a.lng));
  return ((Math.atan2(y, x) * 180) / Math.PI + 360) % 360;
}

const DIRECTIONS_ZH = ['北', '东北', '东', '东南', '南', '西南', '西', '西北'] as const;

/** The eight-point compass direction in Chinese, as a walking hint ("往东北走 300 米"). */
export function directionZh(bearing: number): (typeof DIRECTIONS_ZH)[number] {
  return DIRECTIONS_ZH[Math.round((((bearing % 360) + 360) % 360) / 45) % 8];
}

export function isValidLatLng(p: LatLng): boolean {
  return Number.isFinite(p.lat) && Number.isFinite(p.lng) && Math.abs(p.lat) <= 90 && Math.abs(p.lng) <= 180;
}

/**
 * Whether a point (WGS-84 or GCJ-02: the box is far wider than their difference) may lie in China:
 * the box GCJ-02 itself uses, outside which it leaves points unshifted. Points outside are refused
 * before any geocoder quota is spent; points inside but abroad are caught by the geocoder's answer.
 */
export function mayBeInChina(p: LatLng): boolean {
  return p.lng >= 72.004 && p.lng <= 137.8347 && p.lat >= 0.8293 && p.lat <= 55.8271;
}
