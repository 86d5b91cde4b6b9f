import { createHash } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import {
  DECIDED_REPORT_STATUSES,
  REGISTERED_REPORT_STATUSES,
  FOLLOWED_REPORT_NOTICE_PAGE,
  MAP_REPORT_LIMITS,
  REPORT_LIMITS,
  findCategory,
  formatShanghai,
  isStorableInstant,
  ratingEligibility,
  type RatingRulesConfig,
  REPORT_STATUS_NAMES,
  type CoordSystem,
  type MapReportDto,
  type ReportStatus,
} from '@cityloop/shared';
import { inTransaction, isUniqueViolation, type Database } from '../../db/client';
import { caseOutbox, reports as reportsTable } from '../../db/schema';
import { AppError } from '../../http/errors';
import { type CaseUpdate } from '../../ports/case-system/case-system';
import { enqueueForReportFollowers, enqueueForUser, thing, type NoticeLog } from '../notifications/notifications';
import type { PhotoUrlSigner } from '../photos/photo-urls';
import { photosRepository, type PhotoRow } from '../photos/photos.repository';
import { fromWgs84, round7, toWgs84 } from '../../geo/coords';
import type { Geocoder } from '../../ports/geocoding/geocoder';
import { addressAtOrNull } from '../geo/geo.usecases';
import { onCaseStatus } from '../rewards/reward-decisions';
import { presentRatingState, ratedRounds, ratingState } from '../ratings/ratings.usecases';
import { rewardsForReports } from '../rewards/rewards.usecases';
import { presentReportReward } from '../rewards/rewards.presenter';
import { shouldApplyStatus } from './report-status';
import { presentReport, presentReportListItem } from './reports.presenter';
import { findReportFor, reportsRepository, type ReportEventRow, type ReportRow } from './reports.repository';
import { isUuid } from '../../http/validate';

export interface ReportDeps {
  db: Database;
  signer: PhotoUrlSigner;
  now: () => Date;
  ratingRules: RatingRulesConfig;
  /** Fills the address (and street) from the pin at submit time; absent (GEOCODER=off): typed text only. */
  geocoder?: Geocoder;
}

export interface SubmitInput {
  category: string;
  description: string;
  location: { lat: number; lng: number; coordSystem: CoordSystem };
  /** What the resident typed; '' when they left it to the pin. */
  address: string;
  photoIds: string[];
  street?: string;
}

/** Same body ⇒ same hash, whatever the key order, so a retried request is recognised as such. */
export function requestHash(input: SubmitInput): string {
  // street joins only when sent, so hashes of reports without it are unchanged.
  const canonical = JSON.stringify([
    input.category,
    input.description,
    input.location.lat,
    input.location.lng,
    input.location.coordSystem,
    input.address,
    input.photoIds,
    ...(input.street ? [input.street] : []),
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}

const reportPage = (id: string) => `packages/report/detail/index?id=${id}`;

/**
 * Saves the report, attaches its photos, writes the first timeline entry and the delivery outbox
 * record in one transaction. A repeated Idempotency-Key with the same body returns the first report.
 */
/** A report just saved, with what its detail shows; `created` false: a replay of the first request (re-read). */
export type Submitted = { report: ReportRow; created: true; events: ReportEventRow[]; photos: PhotoRow[] } | { report: ReportRow; created: false };

export async function submitReport(deps: ReportDeps, userId: string, idempotencyKey: string, input: SubmitInput): Promise<Submitted> {
  const category = findCategory(input.category);
  if (!category) throw new AppError('VALIDATION_FAILED', 'category: 未知的问题类型');
  const hash = requestHash(input);
  const repo = reportsRepository(deps.db);
  const previous = await repo.findByIdempotencyKey(userId, idempotencyKey);
  if (previous) return replay(previous, hash);
  if (input.photoIds.length < category.photos.min) throw new AppError('VALIDATION_FAILED', `photoIds: 「${category.name}」至少需要 ${category.photos.min} 张照片`);
  if (new Set(input.photoIds).size !== input.photoIds.length) throw new AppError('VALIDATION_FAILED', 'photoIds: 照片重复');

  const wgs = toWgs84({ lat: input.location.lat, lng: input.location.lng }, input.location.coordSystem);
  // Best effort, before the transaction: the form usually asked for this point already (a cache hit);
  // a geocoder that fails leaves the typed text (or '') and the report is still accepted.
  const geo = await addressAtOrNull(deps.geocoder, { lat: input.location.lat, lng: input.location.lng }, input.location.coordSystem);
  try {
    const report = await inTransaction(deps.db, async (tx) => {
      const photos = photosRepository(tx);
      const attachable = await photos.findAttachable(userId, input.photoIds);
      if (attachable.length !== input.photoIds.length) {
        // Someone else's photo, one already used, or an unknown id: all look the same from outside.
        const missing = input.photoIds.find((id) => !attachable.some((p) => p.id === id));
        throw new AppError('VALIDATION_FAILED', `photoIds: 照片 ${missing} 不存在或已被使用`);
      }
      const reports = reportsRepository(tx);
      const row = await reports.insert({
        userId,
        category: category.code,
        serviceCode: category.serviceCode,
        description: input.description,
        lat: wgs.lat,
        lng: wgs.lng,
        address: input.address || geo?.address || '',
        geocodedAddress: geo?.address || null,
        // The street (街道) the figures group by: the resident's, else the geocoder's town.
        street: input.street ?? (geo?.street || null),
        idempotencyKey,
        requestHash: hash,
      });
      const attached = await photos.attach(row.id, input.photoIds);
      const event = await reports.addEvent({ reportId: row.id, status: 'submitted', note: '举报已保存，正在提交至城市管理平台', occurredAt: row.createdAt });
      await tx.insert(caseOutbox).values({ reportId: row.id, kind: 'create' });
      return { report: row, created: true as const, events: [event!], photos: attached };
    });
    return report;
  } catch (err) {
    // Two identical requests racing: the unique (user, key) index lets one in; the other replays it.
    if (isUniqueViolation(err)) {
      const winner = await repo.findByIdempotencyKey(userId, idempotencyKey);
      if (winner) return replay(winner, hash);
    }
    throw err;
  }
}

function replay(previous: ReportRow, hash: string): Submitted {
  if (previous.requestHash !== hash) throw new AppError('IDEMPOTENCY_KEY_REUSED');
  return { report: previous, created: false };
}

/**
 * The detail POST /reports answers. A report saved just now is presented from what its transaction
 * wrote: it has no reward decision, rating, appeal or follow-up yet, so reading them back would be
 * seven statements to learn nothing. A replay reads the report as it is now.
 */
export async function presentSubmitted(deps: ReportDeps, submitted: Submitted, userId: string, coordSystem: CoordSystem) {
  if (!submitted.created) return getReport(deps, { userId }, submitted.report.id, coordSystem);
  const { report, events, photos } = submitted;
  const now = deps.now();
  return presentReport(
    report,
    events,
    photos,
    { signer: deps.signer, nowMs: now.getTime(), coordSystem },
    { reward: presentReportReward(undefined, undefined), rating: presentRatingState(report, [], undefined, now, deps.ratingRules) },
  );
}

/** The full report for its owner (or staff): anyone else gets the same 404 as a missing report. */
export async function getReport(deps: ReportDeps, viewer: { userId?: string; staff?: boolean }, id: string, coordSystem: CoordSystem) {
  const repo = reportsRepository(deps.db);
  const row = await findReportFor(deps.db, viewer, id);
  const [events, photos, rewards, rating] = await Promise.all([
    repo.events(row.id),
    photosRepository(deps.db).forReports([row.id]),
    rewardsForReports(deps.db, [row.id]),
    ratingState(deps.db, row, deps.now(), deps.ratingRules),
  ]);
  return presentReport(row, events, photos, { signer: deps.signer, nowMs: deps.now().getTime(), coordSystem }, { reward: rewards.get(row.id)!, rating });
}

export async function listMyReports(deps: ReportDeps, userId: string, cursor: string | undefined, limit: number) {
  let before: { createdAt: Date; id: string } | undefined;
  if (cursor) {
    const [ms, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
    const createdAt = new Date(Number(ms));
    // Any digits are not a time: the instant must be one a report could have been created at.
    if (!/^\d{1,16}$/.test(ms ?? '') || !isStorableInstant(createdAt) || !isUuid(id ?? '')) throw new AppError('VALIDATION_FAILED', 'cursor: not a cursor this API returned');
    before = { createdAt, id };
  }
  const rows = await reportsRepository(deps.db).listForUser(userId, limit + 1, before);
  const page = rows.slice(0, limit);
  const ids = page.map((r) => r.id);
  const [photos, rewards, rated] = await Promise.all([photosRepository(deps.db).forReports(ids), rewardsForReports(deps.db, ids), ratedRounds(deps.db, ids)]);
  const now = deps.now();
  const nowMs = now.getTime();
  const last = page[page.length - 1];
  const canRate = (r: ReportRow) =>
    ratingEligibility({ status: r.status, closedAt: r.closedAt, ratedRounds: rated.get(r.id) ?? 0, reworkRequestedAt: r.reworkRequestedAt, now, windowDays: deps.ratingRules.windowDays }).canRate;
  return {
    items: page.map((r) =>
      presentReportListItem(
        r,
        photos.find((p) => p.reportId === r.id),
        { signer: deps.signer, nowMs },
        { reward: rewards.get(r.id)!, canRate: canRate(r) },
      ),
    ),
    // Microsecond timestamps are truncated to ms in the cursor; `<` on the truncated value may repeat a row
    // created in the same millisecond, never skip one.
    nextCursor: rows.length > limit && last ? Buffer.from(`${last.createdAt.getTime()}|${last.id}`).toString('base64url') : null,
  };
}

/**
 * Open reports around a point. With a category: the duplicate hint ("is this the same problem?"),
 * within the category's radius, at most REPORT_LIMITS.nearbyMax. Without: the map's open reports of
 * every category within MAP_REPORT_LIMITS. Only what helps decide "is this the same problem": never
 * who reported it or their words; `own` and `followed` are about the caller.
 */
export async function nearbyReports(deps: ReportDeps, viewerId: string, q: { category?: string; lat: number; lng: number; coordSystem: CoordSystem }): Promise<MapReportDto[]> {
  const category = q.category === undefined ? undefined : findCategory(q.category);
  if (q.category !== undefined && !category) throw new AppError('VALIDATION_FAILED', 'category: 未知的问题类型');
  const here = toWgs84({ lat: q.lat, lng: q.lng }, q.coordSystem);
  const rows = await reportsRepository(deps.db).nearbyOpen({
    category: category?.code,
    lat: here.lat,
    lng: here.lng,
    radiusM: category ? category.duplicateRadiusMeters : MAP_REPORT_LIMITS.radiusMeters,
    limit: category ? REPORT_LIMITS.nearbyMax : MAP_REPORT_LIMITS.maxItems,
    viewerId,
  });
  return rows.map((r) => {
    const at = fromWgs84({ lat: r.lat, lng: r.lng }, q.coordSystem);
    return {
      id: r.id,
      category: r.category,
      categoryName: findCategory(r.category)?.name ?? r.category,
      status: r.status,
      statusName: REPORT_STATUS_NAMES[r.status],
      address: r.address,
      distanceMeters: Math.round(r.distance_m),
      location: { lat: round7(at.lat), lng: round7(at.lng) },
      createdAt: r.created_at.toISOString(),
      own: r.own,
      followed: r.followed,
      followers: r.followers,
    };
  });
}

/**
 * Applies one case-system update exactly once: the timeline gets it (unique per update id) and the
 * status follows it unless a newer update was applied already. Returns whether anything changed.
 */
export async function applyCaseUpdate(db: Database, log: NoticeLog, reportId: string, update: CaseUpdate, now: Date = new Date()): Promise<boolean> {
  return inTransaction(db, async (tx) => {
    const reports = reportsRepository(tx);
    // Lock the report so two deliveries of different updates serialise.
    const [locked] = await tx.select({ id: reportsTable.id }).from(reportsTable).where(eq(reportsTable.id, reportId)).for('update');
    if (!locked) return false;
    const report = (await reports.findById(reportId))!;
    const fresh = await reports.addEvent({
      reportId,
      status: update.status,
      note: update.note,
      updateId: update.updateId,
      mediaUrls: update.mediaUrls,
      occurredAt: update.updatedAt,
    });
    if (!fresh) return false;
    await recordMilestones(tx, reportId, update);
    // The reward follows the case system's decision even when the update arrives late.
    await onCaseStatus(tx, report, update.status, now);
    if (!shouldApplyStatus({ status: report.status as ReportStatus, lastCaseUpdateAt: report.lastCaseUpdateAt }, update)) return true;
    await reports.update(reportId, {
      status: update.status,
      caseId: report.caseId ?? update.caseId,
      department: update.department ?? report.department,
      // A reopened case starts a new round: the old deadline no longer says anything.
      expectedAt: update.expectedAt ?? (update.status === 'reopened' ? null : report.expectedAt),
      afterPhotos: update.status === 'handled' && update.mediaUrls.length ? update.mediaUrls : report.afterPhotos,
      lastCaseUpdateAt: update.updatedAt,
      ...(update.status === 'closed' ? { closedAt: update.updatedAt, closingNote: update.note } : {}),
    });
    const category = findCategory(report.category);
    const data = {
      thing1: thing(category?.name ?? report.category),
      phrase2: REPORT_STATUS_NAMES[update.status],
      thing3: thing(update.note ?? ''),
      time4: formatShanghai(update.updatedAt),
    };
    await enqueueForUser(tx, log, report.userId, 'report_status_changed', { page: reportPage(reportId), data });
    // 我也遇到了: the same notice to each follower, opening their list (the detail page is the reporter's).
    await enqueueForReportFollowers(tx, log, reportId, { page: `${FOLLOWED_REPORT_NOTICE_PAGE}?followedReport=${reportId}`, data });
    return true;
  });
}

/**
 * The milestones the published figures count, each kept at the earliest update that reached it
 * (a later step implies the earlier ones: a case dispatched without a separate 立案 was registered).
 */
async function recordMilestones(tx: Database, reportId: string, update: CaseUpdate) {
  const at = update.updatedAt;
  const s = update.status;
  const earliest = (column: string, reached: boolean) => (reached ? sql`${sql.raw(column)} = least(coalesce(${sql.raw(column)}, ${at}), ${at})` : null);
  const sets = [
    earliest('responded_at', DECIDED_REPORT_STATUSES.includes(s)),
    earliest('registered_at', REGISTERED_REPORT_STATUSES.includes(s)),
    earliest('dispatched_at', s === 'dispatched' || s === 'handled' || s === 'closed'),
    earliest('handled_at', s === 'handled' || s === 'closed'),
  ].filter((x): x is NonNullable<typeof x> => x !== null);
  if (sets.length) await tx.execute(sql`update reports set ${sql.join(sets, sql`, `)} where id = ${reportId}`);
}
