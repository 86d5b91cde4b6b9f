import { distanceMeters, type CoordSystem, type LatLng } from '@cityloop/shared';

/** Pure (no Taro), so tests/unit can load it; utils/location.ts re-exports it for the pages. */
export interface CityPreset {
  key: string;
  name: string;
  /** GCJ-02, what WeChat and the forms use. */
  lat: number;
  lng: number;
  /** The same point in WGS-84 (converted once with gcoord, as the BFF does), for the H5 map's tiles. */
  wgs84: LatLng;
}

/** Fallback centres for when location is refused or unavailable, e.g. in H5. */
export const CITY_PRESETS: ReadonlyArray<CityPreset> = [
  { key: 'kunming-chenggong', name: '昆明呈贡', lat: 24.858, lng: 102.849, wgs84: { lat: 24.8611, lng: 102.84761 } },
  { key: 'hohhot-yuquan', name: '呼和浩特玉泉', lat: 40.79, lng: 111.652, wgs84: { lat: 40.78874, lng: 111.64529 } },
];

/**
 * The presets with the nearest to a rough position first (a resident in Kunming is not offered
 * Hohhot first). Without a position the order stays. GCJ-02 and WGS-84 differ by a few hundred
 * metres, which cannot change which city is nearer, so `near` may be in either.
 */
export function presetsNearestFirst(near: LatLng | null | undefined, presets: ReadonlyArray<CityPreset> = CITY_PRESETS): CityPreset[] {
  const list = presets.slice();
  if (!near) return list;
  return list
    .map((city, index) => ({ city, index, d: distanceMeters(near, city) }))
    .sort((a, b) => a.d - b.d || a.index - b.index)
    .map((x) => x.city);
}

/** A preset's point in `system`, or null for an unknown key. */
export function presetIn(key: string | undefined, system: CoordSystem): LatLng | null {
  const preset = key ? CITY_PRESETS.find((c) => c.key === key) : undefined;
  if (!preset) return null;
  return system === 'wgs84' ? preset.wgs84 : { lat: preset.lat, lng: preset.lng };
}
