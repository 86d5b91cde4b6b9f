import { createHash } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import {
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
import { inTransaction, isUniqueViolation, queryRows, type Database } from '../../db/client';
import { caseOutbox } from '../../db/schema';
import { AppError } from '../../http/errors';
import { SerialJob } from '../../jobs/serial-job';
import type { Logger } from '../../logger';
import { CaseSystemError, type CaseSystem, type CaseUpdate } from '../../ports/case-system/case-system';
import { enqueueForReportFollowers, enqueueForUser, thing, type NoticeLog } from '../notifications/notifications';
import type { PhotoUrlSigner } from '../photos/photo-urls';
import { photosRepository } from '../photos/photos.repository';
import { fromWgs84, round7, toWgs84 } from '../../geo/coords';
import type { Geocoder } from '../../ports/geocoding/geocoder';
import { addressAtOrNull } from '../geo/geo.usecases';
import { onCaseStatus } from '../rewards/reward-decisions';
import { ratedRounds, ratingState } from '../ratings/ratings.usecases';
import { rewardsForReports } from '../rewards/rewards.usecases';
import { shouldApplyStatus } from './report-status';
import { presentReport, presentReportListItem } from './reports.presenter';
import { findReportFor, reportsRepository, type ReportRow } from './reports.repository';
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
  const canonical = JSON.stringify([input.category, input.description, input.location.lat, input.location.lng, input.location.coordSystem, input.address, input.photoIds, ...(input.street ? [input.street] : [])]);
  return createHash('sha256').update(canonical).digest('hex');
}

const reportPage = (id: string) => `packages/report/detail/index?id=${id}`;

/**
 * Saves the report, attaches its photos, writes the first timeline entry and the delivery outbox
 * record in one transaction. A repeated Idempotency-Key with the same body returns the first report.
 */
export async function submitReport(deps: ReportDeps, userId: string, idempotencyKey: string, input: SubmitInput): Promise<{ report: ReportRow; created: boolean }> {
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
      await photos.attach(row.id, input.photoIds);
      await reports.addEvent({ reportId: row.id, status: 'submitted', note: '举报已保存，正在提交至城市管理平台', occurredAt: row.createdAt });
      await tx.insert(caseOutbox).values({ reportId: row.id, kind: 'create' });
      return row;
    });
    return { report, created: true };
  } catch (err) {
    // Two identical requests racing: the unique (user, key) index lets one in; the other replays it.
    if (isUniqueViolation(err)) {
      const winner = await repo.findByIdempotencyKey(userId, idempotencyKey);
      if (winner) return replay(winner, hash);
    }
    throw err;
  }
}

function replay(previous: ReportRow, hash: string) {
  if (previous.requestHash !== hash) throw new AppError('IDEMPOTENCY_KEY_REUSED');
  return { report: previous, created: false };
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
    items: page.map((r) => presentReportListItem(r, photos.find((p) => p.reportId === r.id), { signer: deps.signer, nowMs }, { reward: rewards.get(r.id)!, canRate: canRate(r) })),
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
      status: r.status as ReportStatus,
      statusName: REPORT_STATUS_NAMES[r.status as ReportStatus],
      address: r.address,
      distanceMeters: Math.round(Number(r.distance_m)),
      location: { lat: round7(at.lat), lng: round7(at.lng) },
      createdAt: new Date(r.created_at).toISOString(),
      own: r.own,
      followed: r.followed,
      followers: Number(r.followers),
    };
  });
}

/**
 * Applies one case-system update exactly once: the timeline gets it (unique per update id) and the
 * status follows it unless a newer update was applied already. Returns whether anything changed.
 */
export async function applyCaseUpdate(db: Database, log: NoticeLog, reportId: string, update: CaseUpdate): Promise<boolean> {
  return inTransaction(db, async (tx) => {
    const reports = reportsRepository(tx);
    // Lock the report so two deliveries of different updates serialise.
    const [locked] = await queryRows<{ id: string }>(tx, sql`select id from reports where id = ${reportId} for update`);
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
    await onCaseStatus(tx, report, update.status);
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

const DECIDED: ReadonlySet<string> = new Set(['accepted', 'rejected', 'duplicate', 'dispatched', 'handled', 'closed']);
const REGISTERED: ReadonlySet<string> = new Set(['accepted', 'dispatched', 'handled', 'closed']);

/**
 * The milestones the published figures count, each kept at the earliest update that reached it
 * (a later step implies the earlier ones: a case dispatched without a separate 立案 was registered).
 */
async function recordMilestones(tx: Database, reportId: string, update: CaseUpdate) {
  const at = update.updatedAt;
  const s = update.status;
  const earliest = (column: string, reached: boolean) => (reached ? sql`${sql.raw(column)} = least(coalesce(${sql.raw(column)}, ${at}), ${at})` : null);
  const sets = [
    earliest('responded_at', DECIDED.has(s)),
    earliest('registered_at', REGISTERED.has(s)),
    earliest('dispatched_at', s === 'dispatched' || s === 'handled' || s === 'closed'),
    earliest('handled_at', s === 'handled' || s === 'closed'),
  ].filter((x): x is NonNullable<typeof x> => x !== null);
  if (sets.length) await tx.execute(sql`update reports set ${sql.join(sets, sql`, `)} where id = ${reportId}`);
}

export interface DeliveryDeps {
  db: Database;
  caseSystem: CaseSystem;
  signer: PhotoUrlSigner;
  publicBaseUrl: string;
  /** false by default: the case system gets the problem, not who reported it (举报人保密). */
  shareReporterIdentity: boolean;
  logger: Logger;
  now: () => Date;
}

/** 5 s, 10 s, 20 s … capped at 10 min; a case system down for hours is retried every 10 minutes. */
const deliveryBackoffSeconds = (attempts: number) => Math.min(600, 5 * 2 ** (attempts - 1));
/** How long case-system links to photos stay valid: long enough for a case's whole life. */
const CASE_MEDIA_TTL_SECONDS = 90 * 86_400;

/**
 * Delivers queued reports to the case system. Rows are leased with SKIP LOCKED, so several BFF
 * instances share the queue; the case system dedupes on our report id, so a crash between its
 * answer and our commit only repeats an idempotent call.
 */
export class CaseDeliveryDispatcher {
  private static readonly BATCH = 20;
  private readonly job: SerialJob<{ leased: number; delivered: number }>;

  constructor(private readonly deps: DeliveryDeps) {
    this.job = new SerialJob('case delivery', () => this.dispatch(CaseDeliveryDispatcher.BATCH), deps.logger);
  }

  /** Delivers one batch of due jobs; resolves to how many were delivered. */
  async runOnce(): Promise<number> {
    return (await this.job.run()).delivered;
  }

  /** Keeps delivering full batches until nothing is due, so a backlog does not wait a tick per batch. */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const { leased, delivered } = await this.job.run();
      total += delivered;
      if (leased < CaseDeliveryDispatcher.BATCH) return total;
    }
  }

  start(intervalMs: number) {
    this.job.start(intervalMs, () => this.drain());
  }

  stop() {
    return this.job.stop();
  }

  private async dispatch(batch: number): Promise<{ leased: number; delivered: number }> {
    const { db } = this.deps;
    const leased = await queryRows<{ id: number; report_id: string; kind: 'create' | 'rework' | 'bad_rating'; attempts: number; payload: Record<string, unknown> }>(db, sql`
      update case_outbox set next_attempt_at = now() + interval '2 minutes', attempts = attempts + 1
      where id in (
        select id from case_outbox where status = 'pending' and next_attempt_at <= now()
        order by id limit ${batch} for update skip locked)
      returning id, report_id, kind, attempts, payload`);
    leased.sort((a, b) => a.id - b.id);
    let delivered = 0;
    for (const job of leased) {
      try {
        if (job.kind === 'create') await this.create(job.report_id);
        else if (job.kind === 'rework') await this.deps.caseSystem.requestRework(await this.caseIdOf(job.report_id), String(job.payload.reason ?? ''));
        else {
          const p = job.payload as { level: string; levelName: string; comment: string; followUpDueAt: string };
          await this.deps.caseSystem.sendBadRating(await this.caseIdOf(job.report_id), { level: p.level, levelName: p.levelName, comment: p.comment, followUpDueAt: new Date(p.followUpDueAt) });
        }
        await db.update(caseOutbox).set({ status: 'done', doneAt: sql`now()`, lastError: null }).where(eq(caseOutbox.id, job.id));
        delivered += 1;
        // A job that failed before has just succeeded: the case system is back, so the others waiting
        // out their backoff go now instead of up to 10 minutes later.
        if (job.attempts > 1) await db.execute(sql`update case_outbox set next_attempt_at = now() where status = 'pending' and next_attempt_at > now() and attempts > 0`);
      } catch (err) {
        const retryable = !(err instanceof CaseSystemError) || err.retryable;
        const message = err instanceof Error ? err.message : String(err);
        await db
          .update(caseOutbox)
          .set(retryable ? { lastError: message, nextAttemptAt: sql`now() + make_interval(secs => ${deliveryBackoffSeconds(job.attempts)})` } : { status: 'failed', lastError: message })
          .where(and(eq(caseOutbox.id, job.id), eq(caseOutbox.status, 'pending')));
        this.deps.logger[retryable ? 'warn' : 'error']({ reportId: job.report_id, attempts: job.attempts, retryable, error: message }, 'case delivery not done');
      }
    }
    return { leased: leased.length, delivered };
  }

  /** Rework and feedback go to the case number; a report not yet delivered waits (retryable). */
  private async caseIdOf(reportId: string): Promise<string> {
    const report = await reportsRepository(this.deps.db).findById(reportId);
    if (!report?.caseId) throw new CaseSystemError('report not delivered to the case system yet', true);
    return report.caseId;
  }

  private async create(reportId: string) {
    const { db, caseSystem, signer, publicBaseUrl } = this.deps;
    const report = await reportsRepository(db).findById(reportId);
    if (!report) return;
    if (report.caseId) return; // delivered before a crash; nothing to do
    const photos = await photosRepository(db).forReports([reportId]);
    const nowMs = this.deps.now().getTime();
    const { caseId } = await caseSystem.createCase({
      clientRequestId: report.id,
      serviceCode: report.serviceCode,
      lat: report.lat,
      lng: report.lng,
      address: caseAddress(report),
      description: report.description,
      mediaUrls: photos.map((p) => publicBaseUrl + signer.path(p.id, 'display', nowMs, CASE_MEDIA_TTL_SECONDS)),
      ...(this.deps.shareReporterIdentity ? { reporter: { id: report.userId } } : {}),
    });
    // Record delivery and the case number now; the case system's own steps follow by webhook or polling.
    await inTransaction(db, async (tx) => {
      await queryRows(tx, sql`update reports set case_id = ${caseId}, status = case when status = 'submitted' then 'received' else status end, updated_at = now() where id = ${reportId}`);
      await reportsRepository(tx).addEvent({ reportId, status: 'received', note: `已送达城市管理平台，案件编号 ${caseId}`, updateId: 'cityloop:delivered', occurredAt: this.deps.now() });
    });
  }
}

/**
 * The address the case system gets: the geocoded one, with what the resident typed beside it when
 * they typed something else (often the detail only they can see: 学校东门对面第二个井盖).
 */
export function caseAddress(report: Pick<ReportRow, 'address' | 'geocodedAddress'>): string {
  const typed = report.address.trim();
  const geocoded = report.geocodedAddress?.trim() ?? '';
  if (typed && geocoded && typed !== geocoded) return `${geocoded}（市民描述：${typed}）`;
  return typed || geocoded;
}

/** Pulls status for open cases whose webhook may have been lost; the fallback to pushed updates. */
export async function pollOpenCases(deps: { db: Database; caseSystem: CaseSystem; logger: Logger }, opts: { olderThanSeconds: number; batch: number }): Promise<number> {
  const due = await queryRows<{ id: string; case_id: string }>(deps.db, sql`
    update reports set last_polled_at = now()
    where id in (
      select id from reports
      where case_id is not null and status not in ('closed', 'rejected', 'duplicate')
        and (last_polled_at is null or last_polled_at < now() - make_interval(secs => ${opts.olderThanSeconds}))
      order by last_polled_at nulls first limit ${opts.batch} for update skip locked)
    returning id, case_id`);
  let applied = 0;
  for (const row of due) {
    try {
      const snapshot = await deps.caseSystem.getCase(row.case_id);
      for (const update of snapshot.updates) if (await applyCaseUpdate(deps.db, deps.logger, row.id, update)) applied += 1;
    } catch (err) {
      deps.logger.warn({ reportId: row.id, err }, 'case poll failed');
    }
  }
  return applied;
}

