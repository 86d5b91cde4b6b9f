import { and, eq, sql } from 'drizzle-orm';
import { inTransaction, queryRows, type Database } from '../../db/client';
import { caseOutbox } from '../../db/schema';
import { SerialJob } from '../../jobs/serial-job';
import type { Logger } from '../../logger';
import { CaseSystemError, type CaseSystem } from '../../ports/case-system/case-system';
import type { PhotoUrlSigner } from '../photos/photo-urls';
import { photosRepository } from '../photos/photos.repository';
import { findCaseNumbers } from './case-lookup';
import { applyCaseUpdate } from './reports.usecases';
import { reportsRepository, type ReportRow } from './reports.repository';

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
    if (report.caseId || report.deliveredWithoutIdAt) return; // delivered before a crash; nothing to do
    const photos = await photosRepository(db).forReports([reportId]);
    const nowMs = this.deps.now().getTime();
    const { caseId, token } = await caseSystem.createCase({
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
    // Without a number (blackbox, batch) it is delivered all the same: posting again could duplicate the
    // case, so the number is looked up later (case-lookup.ts).
    await inTransaction(db, async (tx) => {
      await queryRows(
        tx,
        caseId
          ? sql`update reports set case_id = ${caseId}, status = case when status = 'submitted' then 'received' else status end, updated_at = now() where id = ${reportId}`
          : sql`update reports set delivered_without_id_at = now(), case_token = ${token ?? null}, status = case when status = 'submitted' then 'received' else status end, updated_at = now() where id = ${reportId}`,
      );
      const note = caseId ? `已送达城市管理平台，案件编号 ${caseId}` : '已送达城市管理平台，案件编号待平台分配';
      await reportsRepository(tx).addEvent({ reportId, status: 'received', note, updateId: 'cityloop:delivered', occurredAt: this.deps.now() });
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
  await findCaseNumbers(deps, { batch: opts.batch });
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

