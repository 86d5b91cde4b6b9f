import type { CoordSystem, LatLng, ReverseGeocodeDto } from '@cityloop/shared';

/**
 * Port: the address at a point (reverse geocoding). Adapters take the point in the system it is
 * named in and convert to what their service speaks. Failures are AppErrors with the codes residents
 * see: GEOCODER_UNAVAILABLE (503: down, slow, over quota, our key refused), GEO_POINT_OUTSIDE_CHINA
 * (422) and GEO_ADDRESS_NOT_FOUND (422).
 */
export interface Geocoder {
  reverse(point: LatLng, coordSystem: CoordSystem): Promise<ReverseGeocodeDto>;
}
