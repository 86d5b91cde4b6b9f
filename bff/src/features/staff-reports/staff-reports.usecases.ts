import { findCategory, REPORT_STATUS_NAMES, type CoordSystem, type ReportStatus, type StaffReportListDto, type StaffReportListItemDto, type StaffReportMapDto } from '@cityloop/shared';
import type { Database } from '../../db/client';
import { fromWgs84, round7 } from '../../geo/coords';
import { decodeCursor, encodeCursor, isTimestampText, pageOf, type Sort } from '../../http/paging';
import { isUuid } from '../../http/validate';
import { staffReportsRepository, type StaffReportFilter, type StaffReportRow, type StaffReportSortField } from './staff-reports.repository';

const SCOPE = 'staff-reports';

export function presentStaffReport(row: StaffReportRow, coordSystem: CoordSystem): StaffReportListItemDto {
  const status = row.status as ReportStatus;
  const location = fromWgs84({ lat: row.lat, lng: row.lng }, coordSystem);
  return {
    id: row.id,
    caseNumber: row.caseId,
    category: row.category,
    categoryName: findCategory(row.category)?.name ?? row.category,
    status,
    statusName: REPORT_STATUS_NAMES[status] ?? row.status,
    street: row.street,
    address: row.address,
    location: { lat: round7(location.lat), lng: round7(location.lng), coordSystem },
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    rewardState: row.rewardOutcome ?? 'pending',
    rewardAmountFen: row.rewardAmountFen ?? 0,
    hasBadRating: row.hasBadRating,
  };
}

export async function listStaffReports(
  db: Database,
  q: { filter: StaffReportFilter; sort: Sort<StaffReportSortField>; limit: number; cursor?: string; coordSystem: CoordSystem },
): Promise<StaffReportListDto> {
  const after = q.cursor ? decodeCursor(q.cursor, SCOPE, q.sort, isUuid, isTimestampText) : undefined;
  const rows = await staffReportsRepository(db).page(q.filter, q.sort, q.limit, after);
  return pageOf(
    rows,
    q.limit,
    (r) => presentStaffReport(r, q.coordSystem),
    (r) => encodeCursor(SCOPE, q.sort, r.sortValue, r.id),
  );
}

export async function staffReportMapPoints(db: Database, q: { filter: StaffReportFilter; limit: number; coordSystem: CoordSystem }): Promise<StaffReportMapDto> {
  const rows = await staffReportsRepository(db).points(q.filter, q.limit);
  return {
    coordSystem: q.coordSystem,
    points: rows.slice(0, q.limit).map((r) => {
      const p = fromWgs84({ lat: r.lat, lng: r.lng }, q.coordSystem);
      return { id: r.id, lat: round7(p.lat), lng: round7(p.lng), status: r.status as ReportStatus, category: r.category };
    }),
    truncated: rows.length > q.limit,
    limit: q.limit,
  };
}
