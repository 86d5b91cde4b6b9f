import { and, asc, eq, isNotNull, isNull } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { reports } from '../../db/schema';
import type { Logger } from '../../logger';
import type { CaseSystem } from '../../ports/case-system/case-system';
import { reportsRepository } from './reports.repository';

/**
 * Reports the case system took without a case number (Open311 blackbox, or batch before the token
 * resolved) get their number here: by token, by our client_request_id, or by the same text at the
 * same place. Runs before each poll, so the found cases are polled like any other.
 */
export async function findCaseNumbers(deps: { db: Database; caseSystem: CaseSystem; logger: Logger }, opts: { batch: number }): Promise<number> {
  const waiting = await deps.db
    .select({ id: reports.id, serviceCode: reports.serviceCode, description: reports.description, lat: reports.lat, lng: reports.lng, token: reports.caseToken, sentAt: reports.deliveredWithoutIdAt })
    .from(reports)
    .where(and(isNull(reports.caseId), isNotNull(reports.deliveredWithoutIdAt)))
    .orderBy(asc(reports.deliveredWithoutIdAt))
    .limit(opts.batch);
  let found = 0;
  for (const row of waiting) {
    try {
      const caseId = await deps.caseSystem.findCase({
        clientRequestId: row.id,
        serviceCode: row.serviceCode,
        token: row.token,
        sentAt: row.sentAt!,
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
      await deps.db
        .update(reports)
        .set({ caseId, caseToken: null })
        .where(and(eq(reports.id, row.id), isNull(reports.caseId)));
      await repo.addEvent({ reportId: row.id, status: 'received', note: `城市管理平台案件编号 ${caseId}`, updateId: 'cityloop:case-number', occurredAt: new Date() });
      found += 1;
    } catch (err) {
      deps.logger.warn({ reportId: row.id, err }, 'case number lookup failed');
    }
  }
  return found;
}
