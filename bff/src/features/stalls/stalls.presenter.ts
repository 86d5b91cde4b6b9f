import { STALL_KINDS, stallOpenStatus, windowsOnDate, type CoordSystem, type StallFacility, type StallGoods, type StallKind, type StallSpotDto } from '@cityloop/shared';
import { fromWgs84, round7 } from '../../geo/coords';
import type { SpotRow } from './stalls.repository';

export interface PresentOptions {
  at: Date;
  coordSystem: CoordSystem;
  distanceM?: number | null;
  followed?: boolean;
}

export function presentSpot(row: SpotRow, options: PresentOptions): StallSpotDto {
  const location = fromWgs84({ lat: row.lat, lng: row.lng }, options.coordSystem);
  const suspended = row.status === 'suspended';
  return {
    id: row.id,
    code: row.code,
    name: row.name,
    kind: row.kind as StallKind,
    kindName: STALL_KINDS[row.kind as StallKind] ?? row.kind,
    district: row.district,
    street: row.street,
    address: row.address,
    location: { lat: round7(location.lat), lng: round7(location.lng), coordSystem: options.coordSystem, approximate: row.coordApproximate },
    radiusMeters: row.radiusM,
    capacity: row.capacity,
    goods: row.goods as StallGoods[],
    facilities: row.facilities as StallFacility[],
    rules: row.rules,
    manager: row.managerName || row.managerPhone ? { name: row.managerName ?? '', phone: row.managerPhone ?? '' } : null,
    photos: row.photos,
    status: row.status,
    suspension: suspended ? { reason: row.suspendedReason ?? '', until: row.suspendedUntil?.toISOString() ?? null } : null,
    openStatus: stallOpenStatus(row, options.at),
    todayHours: windowsOnDate(row.schedule, options.at),
    schedule: row.schedule,
    distanceMeters: options.distanceM == null ? null : Math.round(options.distanceM),
    ...(options.followed === undefined ? {} : { followed: options.followed }),
    updatedAt: row.updatedAt.toISOString(),
  };
}
