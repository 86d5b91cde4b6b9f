import {
  bearingDegrees,
  directionZh,
  distanceMeters,
  formatShanghai,
  STALL_GOODS,
  STALL_LIMITS,
  stallOpenStatus,
  type CoordSystem,
  type StallCheckDto,
  type StallCheckVerdict,
  type StallGoods,
  type StallSpotListDto,
} from '@cityloop/shared';
import { inTransaction, isUniqueViolation, type Database } from '../../db/client';
import { AppError } from '../../http/errors';
import { isUuid } from '../../http/validate';
import { recordAudit } from '../audit/audit';
import { enqueueForSpotFollowers, thing, type NoticeLog } from '../notifications/notifications';
import { toWgs84 } from '../../geo/coords';
import { presentSpot } from './stalls.presenter';
import { stallsRepository, type NewSpotRow, type SpotRow, type SpotWithDistance } from './stalls.repository';
import { type SpotInput, type SpotPatch } from './stall-input';

export interface StallDeps {
  db: Database;
  now: () => Date;
  /** Where a notice that could not be queued is reported (the change itself still commits). */
  logger: NoticeLog;
}

export interface ListQuery {
  lat: number;
  lng: number;
  coordSystem: CoordSystem;
  radiusM: number;
  openNow: boolean;
  at?: Date;
  goods?: StallGoods[];
  kinds?: string[];
  text?: string;
  cursor?: string;
  limit: number;
  viewerId?: string;
}

/**
 * Most rows one list request examines. With "open now" PostgreSQL already keeps only spots whose
 * precomputed open hours contain the instant, so rows refused here (out of season, a closed date)
 * are few; the cap bounds the work when they are not.
 */
const MAX_SCANNED_ROWS = 500;

export function encodeCursor(row: { chord: number; id: string }): string {
  return Buffer.from(JSON.stringify({ c: row.chord, i: row.id })).toString('base64url');
}

export function decodeCursor(cursor: string): { chord: number; id: string } {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { c?: unknown; i?: unknown };
    if (typeof parsed.c === 'number' && Number.isFinite(parsed.c) && typeof parsed.i === 'string' && isUuid(parsed.i)) {
      return { chord: parsed.c, id: parsed.i };
    }
  } catch {
    /* fall through */
  }
  throw new AppError('VALIDATION_FAILED', 'cursor: not a cursor this API returned');
}

/**
 * Nearest-first list with filters. "Open now" is filtered by the index on the precomputed open hours
 * (a superset) and confirmed by the schedule rules (`stallOpenStatus`) row by row.
 */
export async function listSpots(deps: StallDeps, q: ListQuery): Promise<StallSpotListDto> {
  const repo = stallsRepository(deps.db);
  const at = q.at ?? deps.now();
  const here = toWgs84({ lat: q.lat, lng: q.lng }, q.coordSystem);
  let after = q.cursor ? decodeCursor(q.cursor) : undefined;
  const page: SpotWithDistance[] = [];
  let scanned = 0;
  let exhausted = false;
  let lastScanned: SpotWithDistance | undefined;
  while (page.length <= q.limit && scanned < MAX_SCANNED_ROWS) {
    const { rows: batch, more } = await repo.nearby({
      lat: here.lat,
      lng: here.lng,
      radiusM: q.radiusM,
      kinds: q.kinds,
      goods: q.goods,
      text: q.text,
      after,
      mayBeOpenAt: q.openNow ? at : undefined,
      limit: q.limit + 1,
    });
    for (const row of batch) {
      scanned += 1;
      lastScanned = row;
      if (q.openNow && stallOpenStatus(row, at).state !== 'open') continue;
      page.push(row);
      if (page.length > q.limit) break;
    }
    if (!more) {
      exhausted = page.length <= q.limit;
      break;
    }
    after = { chord: lastScanned!.chord, id: lastScanned!.id };
  }
  const hasMore = page.length > q.limit || (!exhausted && scanned >= MAX_SCANNED_ROWS);
  const items = page.slice(0, q.limit);
  const resumeFrom = page.length > q.limit ? items[items.length - 1] : lastScanned;
  const followed = q.viewerId
    ? await repo.followedIds(
        q.viewerId,
        items.map((i) => i.id),
      )
    : undefined;
  return {
    items: items.map((row) => presentSpot(row, { at, coordSystem: q.coordSystem, distanceM: distanceMeters(here, row), followed: followed?.has(row.id) })),
    nextCursor: hasMore && resumeFrom ? encodeCursor(resumeFrom) : null,
  };
}

export async function getSpot(deps: StallDeps, id: string, opts: { coordSystem: CoordSystem; from?: { lat: number; lng: number }; viewerId?: string }) {
  const repo = stallsRepository(deps.db);
  const row = await repo.findById(id);
  if (!row) throw new AppError('NOT_FOUND', '摊点不存在');
  let distanceM: number | null = null;
  if (opts.from) {
    distanceM = distanceMeters(toWgs84(opts.from, opts.coordSystem), row);
  }
  const followed = opts.viewerId ? (await repo.followedIds(opts.viewerId, [row.id])).has(row.id) : undefined;
  return presentSpot(row, { at: deps.now(), coordSystem: opts.coordSystem, distanceM, followed });
}

const VERDICT_MESSAGES: Record<StallCheckVerdict, (spot?: SpotRow, goods?: StallGoods) => string> = {
  allowed: (spot) => `可以摆摊：您在「${spot!.name}」范围内，现在开放。`,
  closed_now: (spot) => `「${spot!.name}」现在不开放，请在开放时间内经营。`,
  goods_not_allowed: (spot, goods) => `「${spot!.name}」不允许经营${goods ? STALL_GOODS[goods] : '该类商品'}。`,
  suspended: (spot) => `「${spot!.name}」已暂停开放${spot!.suspendedReason ? `：${spot!.suspendedReason}` : ''}。`,
  outside: () => '这里不在合法摊点范围内，请到附近开放的摊点经营。',
};

/** "Can I sell here, now?" for a position and (optionally) a kind of goods. */
export async function checkPosition(deps: StallDeps, q: { lat: number; lng: number; coordSystem: CoordSystem; goods?: StallGoods }): Promise<StallCheckDto> {
  const repo = stallsRepository(deps.db);
  const at = deps.now();
  const here = toWgs84({ lat: q.lat, lng: q.lng }, q.coordSystem);
  // A spot's extent is at most 5 km, so containing spots are within that of the position.
  const { rows: near } = await repo.nearby({ lat: here.lat, lng: here.lng, radiusM: 5000, limit: 50 });
  // Displayed and compared distances all use one formula (shared haversine); SQL only bounds the search.
  const containing = near.filter((s) => distanceMeters(here, s) <= s.radiusM);
  const verdictFor = (s: SpotRow): StallCheckVerdict => {
    const state = stallOpenStatus(s, at).state;
    if (state === 'suspended') return 'suspended';
    if (q.goods && !s.goods.includes(q.goods)) return 'goods_not_allowed';
    return state === 'open' ? 'allowed' : 'closed_now';
  };
  // Prefer the answer most useful to the vendor: an allowed spot, then the nearest containing one.
  const judged = containing.map((s) => ({ spot: s, verdict: verdictFor(s) }));
  const best = judged.find((j) => j.verdict === 'allowed') ?? judged[0];
  const verdict: StallCheckVerdict = best?.verdict ?? 'outside';

  let alternatives: StallCheckDto['alternatives'] = [];
  if (verdict !== 'allowed') {
    const { rows: candidates } = await repo.nearby({
      lat: here.lat,
      lng: here.lng,
      radiusM: STALL_LIMITS.checkAlternativesRadiusMeters,
      goods: q.goods ? [q.goods] : undefined,
      mayBeOpenAt: at,
      limit: STALL_LIMITS.checkAlternatives + 10,
    });
    alternatives = candidates
      .filter((s) => s.id !== best?.spot.id && stallOpenStatus(s, at).state === 'open')
      .slice(0, STALL_LIMITS.checkAlternatives)
      .map((s) => {
        const bearing = bearingDegrees(here, s);
        const metres = distanceMeters(here, s);
        return {
          spot: presentSpot(s, { at, coordSystem: q.coordSystem, distanceM: metres }),
          distanceMeters: Math.round(metres),
          bearingDegrees: Math.round(bearing),
          direction: directionZh(bearing),
        };
      });
  }
  return {
    allowed: verdict === 'allowed',
    verdict,
    message: VERDICT_MESSAGES[verdict](best?.spot, q.goods),
    spot: best ? presentSpot(best.spot, { at, coordSystem: q.coordSystem, distanceM: distanceMeters(here, best.spot) }) : null,
    alternatives,
  };
}

export function inputToRow(input: SpotInput): NewSpotRow {
  const wgs = toWgs84({ lat: input.location.lat, lng: input.location.lng }, input.location.coordSystem as CoordSystem);
  return {
    code: input.code,
    name: input.name,
    kind: input.kind,
    district: input.district,
    street: input.street,
    address: input.address,
    lat: wgs.lat,
    lng: wgs.lng,
    coordApproximate: input.location.approximate,
    radiusM: input.radiusMeters,
    capacity: input.capacity,
    goods: input.goods,
    facilities: input.facilities,
    rules: input.rules,
    managerName: input.manager?.name ?? null,
    managerPhone: input.manager?.phone ?? null,
    photos: input.photos,
    schedule: input.schedule,
  };
}

function patchToRow(patch: SpotPatch): Partial<NewSpotRow> {
  const row: Partial<NewSpotRow> = {};
  if (patch.name !== undefined) row.name = patch.name;
  if (patch.kind !== undefined) row.kind = patch.kind;
  if (patch.district !== undefined) row.district = patch.district;
  if (patch.street !== undefined) row.street = patch.street;
  if (patch.address !== undefined) row.address = patch.address;
  if (patch.location !== undefined) {
    const wgs = toWgs84({ lat: patch.location.lat, lng: patch.location.lng }, patch.location.coordSystem as CoordSystem);
    Object.assign(row, { lat: wgs.lat, lng: wgs.lng, coordApproximate: patch.location.approximate });
  }
  if (patch.radiusMeters !== undefined) row.radiusM = patch.radiusMeters;
  if (patch.capacity !== undefined) row.capacity = patch.capacity;
  if (patch.goods !== undefined) row.goods = patch.goods;
  if (patch.facilities !== undefined) row.facilities = patch.facilities;
  if (patch.rules !== undefined) row.rules = patch.rules;
  if (patch.manager !== undefined) Object.assign(row, { managerName: patch.manager?.name ?? null, managerPhone: patch.manager?.phone ?? null });
  if (patch.photos !== undefined) row.photos = patch.photos;
  if (patch.schedule !== undefined) row.schedule = patch.schedule;
  return row;
}

const detailPage = (id: string) => `packages/stalls/detail/index?id=${id}`;

/** Template fields of the "摊点变动提醒" subscribe message; keys follow the template configured in WeChat. */
function changeNotice(spot: SpotRow, change: string, note: string, at: Date) {
  return { page: detailPage(spot.id), data: { thing1: thing(spot.name), phrase2: change, thing3: thing(note || '详情请查看摊点页面'), time4: formatShanghai(at) } };
}

export interface StaffActor {
  staffId: string;
}

export async function createSpot(deps: StallDeps, actor: StaffActor, input: SpotInput) {
  try {
    return await inTransaction(deps.db, async (tx) => {
      const row = await stallsRepository(tx).insert(inputToRow(input));
      await recordAudit(tx, { actorKind: 'staff', actorId: actor.staffId, action: 'stall_spot.create', entityType: 'stall_spot', entityId: row.id, details: { code: row.code, name: row.name } });
      return row;
    });
  } catch (err) {
    // The unique index decides, so two staff creating the same code at once get one spot and one 409.
    if (isUniqueViolation(err)) throw new AppError('STALL_CODE_EXISTS', undefined, { code: input.code });
    throw err;
  }
}

export async function updateSpot(deps: StallDeps, actor: StaffActor, id: string, patch: SpotPatch) {
  return inTransaction(deps.db, async (db) => {
    const repo = stallsRepository(db);
    const before = await repo.findById(id);
    if (!before) throw new AppError('NOT_FOUND', '摊点不存在');
    const after = (await repo.update(id, patchToRow(patch)))!;
    const hoursChanged = patch.schedule !== undefined && JSON.stringify(before.schedule) !== JSON.stringify(after.schedule);
    const notified = hoursChanged ? await enqueueForSpotFollowers(db, deps.logger, id, changeNotice(after, '时间调整', '开放时间已调整', deps.now())) : 0;
    await recordAudit(db, {
      actorKind: 'staff',
      actorId: actor.staffId,
      action: 'stall_spot.update',
      entityType: 'stall_spot',
      entityId: id,
      details: { fields: Object.keys(patch), hoursChanged, notified },
    });
    return after;
  });
}

export async function suspendSpot(deps: StallDeps, actor: StaffActor, id: string, input: { reason: string; until?: string }) {
  const until = input.until ? new Date(input.until) : null;
  if (until && until <= deps.now()) throw new AppError('VALIDATION_FAILED', 'until: must be in the future');
  return inTransaction(deps.db, async (db) => {
    const repo = stallsRepository(db);
    if (!(await repo.findById(id))) throw new AppError('NOT_FOUND', '摊点不存在');
    const after = (await repo.update(id, { status: 'suspended', suspendedReason: input.reason, suspendedUntil: until }))!;
    const note = until ? `${input.reason}，预计${formatShanghai(until)}恢复` : input.reason;
    const notified = await enqueueForSpotFollowers(db, deps.logger, id, changeNotice(after, '暂停开放', note, deps.now()));
    await recordAudit(db, {
      actorKind: 'staff',
      actorId: actor.staffId,
      action: 'stall_spot.suspend',
      entityType: 'stall_spot',
      entityId: id,
      details: { reason: input.reason, until: until?.toISOString() ?? null, notified },
    });
    return after;
  });
}

export async function resumeSpot(deps: StallDeps, actor: StaffActor, id: string) {
  return inTransaction(deps.db, async (db) => {
    const repo = stallsRepository(db);
    const before = await repo.findById(id);
    if (!before) throw new AppError('NOT_FOUND', '摊点不存在');
    if (before.status === 'active') return before;
    const after = (await repo.update(id, { status: 'active', suspendedReason: null, suspendedUntil: null }))!;
    const notified = await enqueueForSpotFollowers(db, deps.logger, id, changeNotice(after, '恢复开放', '摊点已恢复开放', deps.now()));
    await recordAudit(db, { actorKind: 'staff', actorId: actor.staffId, action: 'stall_spot.resume', entityType: 'stall_spot', entityId: id, details: { notified } });
    return after;
  });
}
