import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { date, nullable, num, row as rowOf, text } from '../../db/rows';
import { reports } from '../../db/schema';
import type { Logger } from '../../logger';
import type { CaseSystem } from '../../ports/case-system/case-system';
import { claimInRotation, reportsRepository } from './reports.repository';

const waitingRow = rowOf({
  id: text,
  service_code: text,
  description: text,
  lat: num,
  lng: num,
  case_token: nullable(text),
  delivered_without_id_at: date,
});

/**
 * Reports the case system took without a case number (Open311 blackbox, or batch before the token
 * resolved) get their number here: by token, by our client_request_id, or by the same text at the
 * same place. Runs before each poll, so the found cases are polled like any other.
 *
 * Each run claims the reports looked up longest ago (never first), as the poll does (claimInRotation):
 * a few reports the case system never shows must not keep the newer ones from being looked up, and
 * two instances must not look up (and record) the same report twice.
 */
export async function findCaseNumbers(deps: { db: Database; caseSystem: CaseSystem; logger: Logger; now?: () => Date }, opts: { batch: number; olderThanSeconds: number }): Promise<number> {
  const waiting = await claimInRotation(deps.db, {
    stamp: 'case_lookup_at',
    where: sql`case_id is null and delivered_without_id_at is not null`,
    thenBy: sql`delivered_without_id_at`,
    olderThanSeconds: opts.olderThanSeconds,
    batch: opts.batch,
    columns: sql`id, service_code, description, lat, lng, case_token, delivered_without_id_at`,
    parse: waitingRow,
  });
  let found = 0;
  for (const row of waiting) {
    try {
      const caseId = await deps.caseSystem.findCase({
        clientRequestId: row.id,
        serviceCode: row.service_code,
        token: row.case_token,
        sentAt: row.delivered_without_id_at,
        description: row.description,
        lat: row.lat,
        lng: row.lng,
      });
      if (!caseId) continue;
      const repo = reportsRepository(deps.db);
      if (await repo.findByCaseId(caseId)) {
        deps.logger.warn({ reportId: row.id, caseId }, 'case number found for a report is already another report’s');
        continue;
      }
      const set = await deps.db
        .update(reports)
        .set({ caseId, caseToken: null })
        .where(and(eq(reports.id, row.id), isNull(reports.caseId)))
        .returning({ id: reports.id });
      if (set.length === 0) continue;
      await repo.addEvent({ reportId: row.id, status: 'received', note: `城市管理平台案件编号 ${caseId}`, updateId: 'cityloop:case-number', occurredAt: deps.now?.() ?? new Date() });
      found += 1;
    } catch (err) {
      deps.logger.warn({ reportId: row.id, err }, 'case number lookup failed');
    }
  }
  return found;
}
