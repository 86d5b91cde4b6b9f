import { and, eq, sql } from 'drizzle-orm';
import { inTransaction, queryRows, type Database } from '../../db/client';
import { caseOutbox } from '../../db/schema';
import { int, json, oneOf, row as rowOf, text } from '../../db/rows';
import { OutboxDispatcher, type Outbox } from '../../jobs/outbox-worker';
import type { Logger } from '../../logger';
import { CaseSystemError, type CaseSystem, type NewCase } from '../../ports/case-system/case-system';
import type { PhotoUrlSigner } from '../photos/photo-urls';
import { photosRepository } from '../photos/photos.repository';
import { findCaseNumbers } from './case-lookup';
import { applyCaseUpdate } from './reports.usecases';
import { claimInRotation, reportsRepository, type ReportRow } from './reports.repository';

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

const deliveryRow = rowOf({ id: int, report_id: text, kind: oneOf(['create', 'rework', 'bad_rating'] as const), attempts: int, payload: json<Record<string, unknown>>() });
type DeliveryRow = ReturnType<typeof deliveryRow>;

/** Retried without end while the case system is down; a refusal it marks final is given up. */
const DELIVERY_RETRY = {
  /** 5 s, 10 s, 20 s … capped at 10 min; a case system down for hours is retried every 10 minutes. */
  backoffSeconds: (attempts: number) => Math.min(600, 5 * 2 ** (attempts - 1)),
  retryable: (err: unknown) => !(err instanceof CaseSystemError) || err.retryable,
};
/** How long case-system links to photos stay valid: long enough for a case's whole life. */
const CASE_MEDIA_TTL_SECONDS = 90 * 86_400;

/**
 * Delivers queued reports to the case system through the outbox worker. Rows are leased with SKIP
 * LOCKED, so several BFF instances share the queue; the case system dedupes on our report id, so a
 * crash between its answer and our commit only repeats an idempotent call.
 */
export class CaseDeliveryDispatcher extends OutboxDispatcher<DeliveryRow> {
  constructor(private readonly deps: DeliveryDeps) {
    super();
  }

  protected log() {
    return this.deps.logger;
  }

  protected outbox(): Outbox<DeliveryRow> {
    const { db } = this.deps;
    return {
      name: 'case delivery',
      batch: 20,
      lease: async (batch) => {
        const leased = await queryRows(
          db,
          sql`
          update case_outbox set next_attempt_at = now() + interval '2 minutes', attempts = attempts + 1
          where id in (
            select id from case_outbox where status = 'pending' and next_attempt_at <= now()
            order by id limit ${batch} for update skip locked)
          returning id, report_id, kind, attempts, payload`,
          deliveryRow,
        );
        return leased.sort((a, b) => a.id - b.id);
      },
      send: (job) => this.send(job),
      retry: DELIVERY_RETRY,
      postpone: async (job, error, delaySeconds) => {
        await db
          .update(caseOutbox)
          .set({ lastError: error, nextAttemptAt: sql`now() + make_interval(secs => ${delaySeconds})` })
          .where(and(eq(caseOutbox.id, job.id), eq(caseOutbox.status, 'pending')));
      },
      giveUp: async (job, error) => {
        await db
          .update(caseOutbox)
          .set({ status: 'failed', lastError: error })
          .where(and(eq(caseOutbox.id, job.id), eq(caseOutbox.status, 'pending')));
        return false;
      },
      describeFailure: (job) => ({ context: { reportId: job.report_id }, message: 'case delivery not done' }),
    };
  }

  /** One outbox job: the new case, a rework request or a bad rating, then the job marked done. */
  private async send(job: DeliveryRow): Promise<boolean> {
    const { db } = this.deps;
    if (job.kind === 'create') await this.create(job.report_id);
    else if (job.kind === 'rework') await this.deps.caseSystem.requestRework(await this.caseIdOf(job.report_id), String(job.payload.reason ?? ''));
    else {
      const p = job.payload as { level: string; levelName: string; comment: string; followUpDueAt: string };
      await this.deps.caseSystem.sendBadRating(await this.caseIdOf(job.report_id), { level: p.level, levelName: p.levelName, comment: p.comment, followUpDueAt: new Date(p.followUpDueAt) });
    }
    await db
      .update(caseOutbox)
      .set({ status: 'done', doneAt: sql`now()`, lastError: null })
      .where(eq(caseOutbox.id, job.id));
    // A job that failed before has just succeeded: the case system is back, so the others waiting
    // out their backoff go now instead of up to 10 minutes later.
    if (job.attempts > 1) await db.execute(sql`update case_outbox set next_attempt_at = now() where status = 'pending' and next_attempt_at > now() and attempts > 0`);
    return true;
  }

  /** Rework and feedback go to the case number; a report not yet delivered waits (retryable). */
  private async caseIdOf(reportId: string): Promise<string> {
    const report = await reportsRepository(this.deps.db).findById(reportId);
    if (!report?.caseId) throw new CaseSystemError('report not delivered to the case system yet', true);
    return report.caseId;
  }

  private async create(reportId: string) {
    const { db, signer, publicBaseUrl } = this.deps;
    const report = await reportsRepository(db).findById(reportId);
    if (!report) return;
    if (report.caseId || report.deliveredWithoutIdAt) return; // delivered before a crash; nothing to do
    const photos = await photosRepository(db).forReports([reportId]);
    const nowMs = this.deps.now().getTime();
    await sendCaseAndRecord(this.deps, {
      clientRequestId: report.id,
      serviceCode: report.serviceCode,
      lat: report.lat,
      lng: report.lng,
      address: caseAddress(report),
      description: report.description,
      mediaUrls: photos.map((p) => publicBaseUrl + signer.path(p.id, 'display', nowMs, CASE_MEDIA_TTL_SECONDS)),
      ...(this.deps.shareReporterIdentity ? { reporter: { id: report.userId } } : {}),
    });
  }
}

/**
 * Sends the new case, then records delivery and the case number; the case system's own steps follow by
 * webhook or polling. Without a number (blackbox, batch) it is delivered all the same: posting again
 * could duplicate the case, so the number is looked up later (case-lookup.ts).
 */
async function sendCaseAndRecord(deps: Pick<DeliveryDeps, 'db' | 'caseSystem' | 'now'>, request: NewCase) {
  const { caseId, token } = await deps.caseSystem.createCase(request);
  const reportId = request.clientRequestId;
  await inTransaction(deps.db, async (tx) => {
    await tx.execute(
      caseId
        ? sql`update reports set case_id = ${caseId}, status = case when status = 'submitted' then 'received' else status end, updated_at = now() where id = ${reportId}`
        : sql`update reports set delivered_without_id_at = now(), case_token = ${token ?? null}, status = case when status = 'submitted' then 'received' else status end, updated_at = now() where id = ${reportId}`,
    );
    const note = caseId ? `已送达城市管理平台，案件编号 ${caseId}` : '已送达城市管理平台，案件编号待平台分配';
    await reportsRepository(tx).addEvent({ reportId, status: 'received', note, updateId: 'cityloop:delivered', occurredAt: deps.now() });
  });
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
export async function pollOpenCases(deps: { db: Database; caseSystem: CaseSystem; logger: Logger; now?: () => Date }, opts: { olderThanSeconds: number; batch: number }): Promise<number> {
  await findCaseNumbers(deps, opts);
  const due = await claimInRotation(deps.db, {
    stamp: 'last_polled_at',
    where: sql`case_id is not null and status not in ('closed', 'rejected', 'duplicate')`,
    olderThanSeconds: opts.olderThanSeconds,
    batch: opts.batch,
    columns: sql`id, case_id`,
    parse: rowOf({ id: text, case_id: text }),
  });
  let applied = 0;
  for (const row of due) {
    try {
      const snapshot = await deps.caseSystem.getCase(row.case_id);
      for (const update of snapshot.updates) if (await applyCaseUpdate(deps.db, deps.logger, row.id, update, deps.now?.() ?? new Date())) applied += 1;
    } catch (err) {
      deps.logger.warn({ reportId: row.id, err }, 'case poll failed');
    }
  }
  return applied;
}
