import type { PhotoDto } from '@cityloop/shared';
import type { PhotoRow } from './photos.repository';
import type { PhotoUrlSigner } from './photo-urls';

/** Links for the app live an hour; the list and detail endpoints hand out fresh ones on every read. */
export const RESIDENT_LINK_TTL_SECONDS = 3600;

export function presentPhoto(row: PhotoRow, signer: PhotoUrlSigner, nowMs: number): PhotoDto {
  return {
    id: row.id,
    url: signer.path(row.id, 'display', nowMs, RESIDENT_LINK_TTL_SECONDS),
    thumbUrl: signer.path(row.id, 'thumb', nowMs, RESIDENT_LINK_TTL_SECONDS),
    width: row.width,
    height: row.height,
    takenAt: row.takenAt?.toISOString() ?? null,
    hasGps: row.gpsLat !== null,
  };
}
