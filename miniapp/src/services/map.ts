import Taro from '@tarojs/taro';
import type { MapConfigDto } from '@cityloop/shared';
import { request, toApiError } from './request';

let configPromise: Promise<MapConfigDto | null> | null = null;

/**
 * Stopgap until the BFF serves GET /map/config: borrow the staff console's tile settings (the same
 * CONSOLE_TILE_URL source, the local tile stand-in in development). Remove once the route lands.
 */
async function consoleTilesFallback(): Promise<MapConfigDto | null> {
  const res = await Taro.request<{ tileUrl: string | null; tileAttribution: string; tileSubdomains: string }>({ url: '/console/config.json', method: 'GET', dataType: 'json' });
  if (res.statusCode !== 200 || !res.data?.tileUrl) return null;
  return { tileUrl: res.data.tileUrl, labelUrl: null, tileSubdomains: res.data.tileSubdomains, tileAttribution: res.data.tileAttribution, maxZoom: 18, coordSystem: 'wgs84' };
}

/**
 * The H5 map's tile source (GET /api/v1/map/config), read once per page load. Null means no map:
 * the route is missing or says there are no tiles, or the network failed; the pages then show their
 * lists without a map. A failure is not cached, so the next map tries again.
 */
export function getMapConfig(): Promise<MapConfigDto | null> {
  configPromise ??= request<MapConfigDto>({ path: '/map/config', auth: false })
    .then((config) => (config.tileUrl ? config : null))
    .catch((err: unknown) => {
      if (toApiError(err).status === 404) return consoleTilesFallback().catch(() => null);
      configPromise = null;
      return null;
    });
  return configPromise;
}
