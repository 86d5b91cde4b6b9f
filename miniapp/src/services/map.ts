import type { CoordSystem, MapConfigDto, ReverseGeocodeDto } from '@cityloop/shared';
import { request } from './request';
import { buildQuery } from './stalls';

let configPromise: Promise<MapConfigDto | null> | null = null;

/**
 * The H5 map's tile source (GET /api/v1/map/config), read once per page load. Null means no map:
 * the BFF has no tile source configured, or the network failed; the pages then show their
 * lists without a map. A failure is not cached, so the next map tries again.
 */
export function getMapConfig(): Promise<MapConfigDto | null> {
  configPromise ??= request<MapConfigDto>({ path: '/map/config', auth: false })
    .then((config) => (config.tileUrl ? config : null))
    .catch(() => {
      configPromise = null;
      return null;
    });
  return configPromise;
}

/**
 * The address under a point (GET /api/v1/geo/reverse; Tencent's WebService behind the BFF). Rejects
 * when the service is down or the point is outside China; the form then asks for a typed address.
 */
export function reverseGeocode(point: { lat: number; lng: number; coordSystem: CoordSystem }): Promise<ReverseGeocodeDto> {
  return request<ReverseGeocodeDto>({ path: `/geo/reverse${buildQuery({ lat: point.lat, lng: point.lng, coordSystem: point.coordSystem })}` });
}
