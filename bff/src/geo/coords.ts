import gcoord from 'gcoord';
import type { CoordSystem, LatLng } from '@cityloop/shared';

/**
 * Storage is WGS-84; WeChat's map and getLocation speak GCJ-02. Conversion happens here, at the
 * edge, and nowhere else. gcoord leaves points outside China unchanged, as GCJ-02 itself does.
 */
export function toWgs84(p: LatLng, from: CoordSystem): LatLng {
  if (from === 'wgs84') return p;
  const [lng, lat] = gcoord.transform([p.lng, p.lat], gcoord.GCJ02, gcoord.WGS84);
  return { lat, lng };
}

export function fromWgs84(p: LatLng, to: CoordSystem): LatLng {
  if (to === 'wgs84') return p;
  const [lng, lat] = gcoord.transform([p.lng, p.lat], gcoord.WGS84, gcoord.GCJ02);
  return { lat, lng };
}

/** Seven decimals is ~1 cm: enough, and stable in tests. */
export const round7 = (n: number) => Math.round(n * 1e7) / 1e7;
