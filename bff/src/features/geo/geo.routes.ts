import Router from '@koa/router';
import type { Middleware } from 'koa';
import type { MapConfigDto } from '@cityloop/shared';
import { z } from 'zod';
import { coordSystemParam, latParam, lngParam, parseInput } from '../../http/validate';
import type { Geocoder } from '../../ports/geocoding/geocoder';
import { addressAt } from './geo.usecases';

const reverseQuery = z.object({ lat: latParam, lng: lngParam, coordSystem: coordSystemParam }).strict();

/** Maps and addresses for the resident app: the address under the pin, and the H5 map's tiles. */
export function geoRoutes(deps: { geocoder?: Geocoder; mapConfig: MapConfigDto; residentGuard: Middleware; geocodeGuard: Middleware; publicReadGuard: Middleware }): Router {
  const router = new Router();

  // Its own per-resident budget: every cache miss spends Tencent quota.
  router.get('/geo/reverse', deps.residentGuard, deps.geocodeGuard, async (ctx) => {
    const q = parseInput(reverseQuery, ctx.query);
    ctx.body = await addressAt(deps.geocoder, { lat: q.lat, lng: q.lng }, q.coordSystem);
  });

  router.get('/map/config', deps.publicReadGuard, async (ctx) => {
    ctx.body = deps.mapConfig;
  });

  return router;
}

/** The schemas these routes validate with, for the OpenAPI document. */
export const geoSchemas = { reverseQuery };
