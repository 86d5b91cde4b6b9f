import Taro from '@tarojs/taro';
import { distanceMeters, type CoordSystem } from '@cityloop/shared';
import type { ChosenPosition, QueryPosition } from './position';
import { presetIn, type CityPreset } from './city-presets';

export type { ChosenPosition, PositionSource } from './position';

/** Two points closer than this are the same spot (a map recentring itself, GPS jitter). */
const SAME_SPOT_METERS = 3;

export function sameSpot(a: QueryPosition | null, b: QueryPosition | null): boolean {
  if (!a || !b || a.coordSystem !== b.coordSystem) return false;
  return distanceMeters(a, b) < SAME_SPOT_METERS;
}

export { CITY_PRESETS, presetsNearestFirst, type CityPreset } from './city-presets';

export function cityPosition(city: CityPreset): ChosenPosition {
  return { lat: city.lat, lng: city.lng, coordSystem: 'gcj02', source: 'city', label: `${city.name}（手动选择）`, presetKey: city.key };
}

/**
 * The same position in another coordinate system, when that is known without converting: itself when
 * it is already in `system`, a preset's other coordinates; null otherwise.
 */
export function positionIn(position: ChosenPosition, system: CoordSystem): ChosenPosition | null {
  if (position.coordSystem === system) return position;
  const point = presetIn(position.presetKey, system);
  return point ? { ...position, ...point, coordSystem: system } : null;
}

/** A browser may never answer the permission prompt; give up rather than spin forever. */
const LOCATE_TIMEOUT_MS = process.env.TARO_ENV === 'h5' ? 6000 : 10_000;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timeout')), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}

/**
 * The device position. WeChat returns GCJ-02 directly. Taro's H5 getLocation only supports WGS-84
 * (it rejects 'gcj02' outright), so H5 asks for WGS-84 and tells the BFF so; the BFF converts.
 */
export async function locateCurrent(): Promise<ChosenPosition> {
  const h5 = process.env.TARO_ENV === 'h5';
  const res = await withTimeout(Taro.getLocation({ type: h5 ? 'wgs84' : 'gcj02' }), LOCATE_TIMEOUT_MS);
  return { lat: res.latitude, lng: res.longitude, coordSystem: h5 ? 'wgs84' : 'gcj02', source: 'gps', label: '当前位置' };
}

/** weapp only: pick any point on WeChat's map (GCJ-02). Rejects when the user cancels. */
export async function chooseOnMap(near: QueryPosition | null): Promise<ChosenPosition> {
  return (await pickPlace(near)).position;
}

/**
 * weapp only: like chooseOnMap, plus the place's address text ("address name", either may be empty)
 * for forms that want to prefill an address. Rejects when the user cancels.
 */
export async function pickPlace(near: QueryPosition | null): Promise<{ position: ChosenPosition; address: string }> {
  const res = await Taro.chooseLocation(near && near.coordSystem === 'gcj02' ? { latitude: near.lat, longitude: near.lng } : {});
  const address = res.address && res.name && res.address.indexOf(res.name) < 0 ? `${res.address} ${res.name}` : res.address || res.name || '';
  return {
    position: {
      lat: res.latitude,
      lng: res.longitude,
      coordSystem: 'gcj02',
      source: 'picked',
      label: `${res.name || res.address || '地图选点'}（地图选点）`,
    },
    address,
  };
}
