import type { CoordSystem } from '@cityloop/shared';

/** Positions as the mini-program passes them around; types only, so pure modules (and unit tests) need no Taro. */

export interface QueryPosition {
  lat: number;
  lng: number;
  coordSystem: CoordSystem;
}

export type PositionSource = 'gps' | 'city' | 'picked';

export interface ChosenPosition extends QueryPosition {
  source: PositionSource;
  /** What the user sees after "位置：". */
  label: string;
  /** Set when the position is one of CITY_PRESETS, so it can be given in the other coordinate system. */
  presetKey?: string;
  /** The address under the point, from reverse geocoding; shown instead of the bare label. */
  address?: string;
  /** Street (街道/乡镇) under the point, when the geocoder knows it; sent for the figures. */
  street?: string;
}
