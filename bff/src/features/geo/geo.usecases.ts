import { mayBeInChina, type CoordSystem, type LatLng, type ReverseGeocodeDto } from '@cityloop/shared';
import { AppError } from '../../http/errors';
import type { Geocoder } from '../../ports/geocoding/geocoder';

/**
 * The address at a point. A point outside the box GCJ-02 covers is refused before any quota is
 * spent; without a geocoder (GEOCODER=off) the answer is the same 503 as an outage, so clients have
 * one path: type the address by hand.
 */
export async function addressAt(geocoder: Geocoder | undefined, point: LatLng, coordSystem: CoordSystem): Promise<ReverseGeocodeDto> {
  if (!mayBeInChina(point)) throw new AppError('GEO_POINT_OUTSIDE_CHINA');
  if (!geocoder) throw new AppError('GEOCODER_UNAVAILABLE');
  return geocoder.reverse(point, coordSystem);
}

/** addressAt for work that must not fail because of it (submitting a report): null instead of an error. */
export async function addressAtOrNull(geocoder: Geocoder | undefined, point: LatLng, coordSystem: CoordSystem): Promise<ReverseGeocodeDto | null> {
  try {
    return await addressAt(geocoder, point, coordSystem);
  } catch (err) {
    if (err instanceof AppError) return null;
    throw err;
  }
}
