import { findCategory, REPORT_STATUS_NAMES, type ReportRatingStateDto, type ReportRewardDto, type ReportDto, type ReportListItemDto, type ReportStatus } from '@cityloop/shared';
import { fromWgs84, round7 } from '../../geo/coords';
import { presentPhoto } from '../photos/photo.presenter';
import type { PhotoUrlSigner } from '../photos/photo-urls';
import type { PhotoRow } from '../photos/photos.repository';
import type { ReportEventRow, ReportRow } from './reports.repository';

const categoryName = (code: string) => findCategory(code)?.name ?? code;

export function presentReport(
  row: ReportRow,
  events: ReportEventRow[],
  photos: PhotoRow[],
  ctx: { signer: PhotoUrlSigner; nowMs: number; coordSystem: 'wgs84' | 'gcj02' },
  extras: { reward: ReportRewardDto; rating: ReportRatingStateDto },
): ReportDto {
  const location = fromWgs84({ lat: row.lat, lng: row.lng }, ctx.coordSystem);
  const status = row.status as ReportStatus;
  return {
    id: row.id,
    category: row.category,
    categoryName: categoryName(row.category),
    description: row.description,
    location: { lat: round7(location.lat), lng: round7(location.lng), coordSystem: ctx.coordSystem },
    address: row.address,
    status,
    statusName: REPORT_STATUS_NAMES[status],
    caseNumber: row.caseId,
    department: row.department,
    expectedAt: row.expectedAt?.toISOString() ?? null,
    photos: photos.map((p) => presentPhoto(p, ctx.signer, ctx.nowMs)),
    afterPhotos: row.afterPhotos,
    timeline: events.map((e) => ({
      status: e.status as ReportStatus,
      statusName: REPORT_STATUS_NAMES[e.status as ReportStatus] ?? e.status,
      note: e.note,
      at: e.occurredAt.toISOString(),
    })),
    reward: extras.reward,
    rating: extras.rating,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export function presentReportListItem(
  row: ReportRow,
  firstPhoto: PhotoRow | undefined,
  ctx: { signer: PhotoUrlSigner; nowMs: number },
  extras: { reward: ReportRewardDto; canRate: boolean },
): ReportListItemDto {
  const status = row.status as ReportStatus;
  return {
    id: row.id,
    category: row.category,
    categoryName: categoryName(row.category),
    status,
    statusName: REPORT_STATUS_NAMES[status],
    address: row.address,
    thumbUrl: firstPhoto ? presentPhoto(firstPhoto, ctx.signer, ctx.nowMs).thumbUrl : null,
    rewardState: extras.reward.state,
    rewardStateName: extras.reward.stateName,
    rewardAmountFen: extras.reward.amountFen,
    canRate: extras.canRate,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
