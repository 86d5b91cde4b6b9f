import Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import { STAFF_SORTS, STALL_GOODS, STALL_KINDS, STALL_LIMITS, type StallGoods } from '@cityloop/shared';
import { z } from 'zod';
import { authOf, type StaffGuard } from '../../http/auth';
import { AppError } from '../../http/errors';
import { readLimitedBody } from '../../http/middleware';
import { boundedText, coordSystemParam, coordSystemSchema, decimalParam, instantSchema, keysOf, latParam, lngParam, parseInput } from '../../http/validate';
import type { TokenService } from '../auth/tokens';
import { cursorParam, limitParam, sortParam } from '../../http/paging';
import { listSpotsForStaff } from './staff-stalls';
import { presentSpot } from './stalls.presenter';
import { stallsRepository } from './stalls.repository';
import { spotInputSchema, spotPatchSchema, suspendSchema } from './stall-input';
import { importSpots } from './stall-import';
import { checkPosition, createSpot, getSpot, listSpots, resumeSpot, suspendSpot, updateSpot, type StallDeps } from './stalls.usecases';

const csvList = <T extends string>(values: [T, ...T[]]) =>
  boundedText(1, 200)
    .transform((v) => v.split(',').map((x) => x.trim()))
    .pipe(z.array(z.enum(values)).max(values.length));
const boolParam = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

const listQuery = z
  .object({
    lat: latParam,
    lng: lngParam,
    coordSystem: coordSystemParam,
    // The cap is checked after parsing so a too-wide radius gets its own code (STALL_RADIUS_TOO_LARGE).
    radius: decimalParam.pipe(z.number().int('must be whole metres').min(1)).default(STALL_LIMITS.defaultRadiusMeters),
    openNow: boolParam.default(false),
    at: instantSchema.optional(),
    goods: csvList(keysOf(STALL_GOODS)).optional(),
    kind: csvList(keysOf(STALL_KINDS)).optional(),
    q: boundedText(1, STALL_LIMITS.searchTextMaxLength).optional(),
    cursor: boundedText(1, 200).optional(),
    limit: decimalParam.pipe(z.number().int().min(1).max(STALL_LIMITS.maxPageSize)).default(STALL_LIMITS.defaultPageSize),
  })
  .strict();

const checkQuery = z.object({ lat: latParam, lng: lngParam, coordSystem: coordSystemParam, goods: z.enum(keysOf(STALL_GOODS)).optional() }).strict();

const detailQuery = z.object({ lat: latParam.optional(), lng: lngParam.optional(), coordSystem: coordSystemParam }).strict();
const followsQuery = z.object({ coordSystem: coordSystemParam }).strict();
const idParam = z.string().uuid('not a spot id');

/** Resident token is optional on public reads: with one, results say which spots you follow. */
function optionalViewer(tokens: TokenService): Middleware {
  return async function optionalViewerMiddleware(ctx: Context, next) {
    const header = ctx.get('authorization');
    if (header.startsWith('Bearer ')) {
      try {
        ctx.state.viewerId = tokens.verify(header.slice(7), 'resident').sub;
      } catch {
        // An expired token must not break a public read; the client re-logs in on its next write.
      }
    }
    await next();
  };
}

function spotId(ctx: Context): string {
  const result = idParam.safeParse(ctx.params.id);
  // A malformed id names no spot, so it is the same 404 as an unknown one.
  if (!result.success) throw new AppError('NOT_FOUND', '摊点不存在');
  return result.data;
}

export function stallRoutes(deps: StallDeps & { tokens: TokenService; residentGuard: Middleware; writeGuards: Middleware[]; publicReadGuard: Middleware }): Router {
  const router = new Router({ prefix: '/stall-spots' });
  const read = deps.publicReadGuard;
  const viewer = optionalViewer(deps.tokens);
  const repo = stallsRepository(deps.db);

  router.get('/', read, viewer, async (ctx) => {
    const q = parseInput(listQuery, ctx.query);
    if (q.radius > STALL_LIMITS.maxRadiusMeters) {
      throw new AppError('STALL_RADIUS_TOO_LARGE', undefined, { maxRadiusMeters: STALL_LIMITS.maxRadiusMeters });
    }
    ctx.body = await listSpots(deps, {
      lat: q.lat,
      lng: q.lng,
      coordSystem: q.coordSystem,
      radiusM: q.radius,
      openNow: q.openNow,
      at: q.at ? new Date(q.at) : undefined,
      goods: q.goods as StallGoods[] | undefined,
      kinds: q.kind,
      text: q.q,
      cursor: q.cursor,
      limit: q.limit,
      viewerId: ctx.state.viewerId,
    });
  });

  router.get('/check', read, async (ctx) => {
    const q = parseInput(checkQuery, ctx.query);
    ctx.body = await checkPosition(deps, q);
  });

  router.get('/:id', read, viewer, async (ctx) => {
    const q = parseInput(detailQuery, ctx.query);
    if ((q.lat === undefined) !== (q.lng === undefined)) throw new AppError('VALIDATION_FAILED', 'lat and lng: give both or neither');
    ctx.body = {
      spot: await getSpot(deps, spotId(ctx), {
        coordSystem: q.coordSystem,
        from: q.lat !== undefined && q.lng !== undefined ? { lat: q.lat, lng: q.lng } : undefined,
        viewerId: ctx.state.viewerId,
      }),
    };
  });

  router.put('/:id/follow', deps.residentGuard, ...deps.writeGuards, async (ctx) => {
    const id = spotId(ctx);
    if (!(await repo.findById(id))) throw new AppError('NOT_FOUND', '摊点不存在');
    await repo.follow(authOf(ctx).subject, id);
    ctx.body = { followed: true };
  });

  router.delete('/:id/follow', deps.residentGuard, ...deps.writeGuards, async (ctx) => {
    const id = spotId(ctx);
    if (!(await repo.findById(id))) throw new AppError('NOT_FOUND', '摊点不存在');
    await repo.unfollow(authOf(ctx).subject, id);
    ctx.body = { followed: false };
  });

  return router;
}

export function myStallRoutes(deps: StallDeps & { residentGuard: Middleware }): Router {
  const router = new Router();
  router.get('/me/stall-spot-follows', deps.residentGuard, async (ctx) => {
    const coordSystem = parseInput(followsQuery, ctx.query).coordSystem;
    const rows = await stallsRepository(deps.db).followedSpots(authOf(ctx).subject);
    ctx.body = { items: rows.map((row) => presentSpot(row, { at: deps.now(), coordSystem, followed: true })) };
  });
  return router;
}

export const importQuery = z.object({ dryRun: boolParam.default(false) }).strict();
export const staffSpotListQuery = z
  .object({
    status: z.enum(['active', 'suspended']).optional(),
    district: boundedText(1, 100).optional(),
    street: boundedText(1, 100).optional(),
    q: boundedText(1, 50).optional(),
    coordSystem: coordSystemSchema.default('wgs84'),
    cursor: cursorParam.optional(),
    limit: limitParam(),
    sort: sortParam(STAFF_SORTS.stallSpots),
  })
  .strict();

export function staffStallRoutes(deps: StallDeps & { staffGuard: StaffGuard }): Router {
  const router = new Router({ prefix: '/staff/stall-spots' });
  router.use(deps.staffGuard('stalls.manage'));
  const actor = (ctx: Context) => ({ staffId: authOf(ctx).subject });
  const present = (row: Parameters<typeof presentSpot>[0]) => ({ spot: presentSpot(row, { at: deps.now(), coordSystem: 'wgs84' }) });

  router.get('/', async (ctx) => {
    const q = parseInput(staffSpotListQuery, ctx.query);
    ctx.body = await listSpotsForStaff(deps.db, {
      filter: { status: q.status, district: q.district, street: q.street, q: q.q },
      sort: q.sort,
      limit: q.limit,
      cursor: q.cursor,
      coordSystem: q.coordSystem,
      now: deps.now(),
    });
  });

  router.post('/', async (ctx) => {
    const input = parseInput(spotInputSchema, ctx.request.body);
    ctx.status = 201;
    ctx.body = present(await createSpot(deps, actor(ctx), input));
  });

  router.patch('/:id', async (ctx) => {
    const patch = parseInput(spotPatchSchema, ctx.request.body);
    ctx.body = present(await updateSpot(deps, actor(ctx), spotId(ctx), patch));
  });

  router.post('/:id/suspend', async (ctx) => {
    const input = parseInput(suspendSchema, ctx.request.body);
    ctx.body = present(await suspendSpot(deps, actor(ctx), spotId(ctx), input));
  });

  router.post('/:id/resume', async (ctx) => {
    ctx.body = present(await resumeSpot(deps, actor(ctx), spotId(ctx)));
  });

  // The file is the body: `Content-Type: text/csv` or `application/geo+json`, up to 2 MB.
  router.post('/import', async (ctx) => {
    const { dryRun } = parseInput(importQuery, ctx.query);
    const format = ctx.is('text/csv') ? 'csv' : ctx.is('application/geo+json') ? 'geojson' : null;
    if (!format) throw new AppError('UNSUPPORTED_MEDIA_TYPE', '导入文件须为 text/csv 或 application/geo+json');
    const raw = await readLimitedBody(ctx, STALL_LIMITS.importMaxBytes);
    let content: string;
    try {
      content = new TextDecoder('utf-8', { fatal: true }).decode(raw);
    } catch {
      throw new AppError('VALIDATION_FAILED', '导入文件须为 UTF-8 编码');
    }
    ctx.body = await importSpots(deps, actor(ctx), { format, content, dryRun });
  });

  return router;
}

/** The schemas these routes validate with, for the OpenAPI document. */
export const stallSchemas = { listQuery, checkQuery, detailQuery, followsQuery, importQuery, staffSpotListQuery, spotInputSchema, spotPatchSchema, suspendSchema };
