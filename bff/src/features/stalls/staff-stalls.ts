import type { CoordSystem, StaffStallSpotListDto } from '@cityloop/shared';
import { and, eq, getTableColumns, or, sql, type SQL } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { stallSpots } from '../../db/schema';
import { afterCursor, decodeCursor, encodeCursor, isTimestampText, keysetOrder, likePrefix, pageOf, timestampText, type Sort } from '../../http/paging';
import { isUuid } from '../../http/validate';
import { presentSpot } from './stalls.presenter';

const SCOPE = 'staff-stall-spots';

export interface StaffSpotFilter {
  status?: 'active' | 'suspended';
  district?: string;
  street?: string;
  /** Part of the name, code or address. */
  q?: string;
}

/** 摊点管理: every spot, suspended ones included, with its followers count; keyset-paged by code or last change. */
export async function listSpotsForStaff(
  db: Database,
  q: { filter: StaffSpotFilter; sort: Sort<'code' | 'updatedAt'>; limit: number; cursor?: string; coordSystem: CoordSystem; now: Date },
): Promise<StaffStallSpotListDto> {
  const byCode = q.sort.field === 'code';
  const column = byCode ? stallSpots.code : stallSpots.updatedAt;
  const where: SQL[] = [];
  if (q.filter.status) where.push(eq(stallSpots.status, q.filter.status));
  if (q.filter.district) where.push(eq(stallSpots.district, q.filter.district));
  if (q.filter.street) where.push(eq(stallSpots.street, q.filter.street));
  if (q.filter.q) {
    const pattern = `%${likePrefix(q.filter.q)}`;
    where.push(or(sql`${stallSpots.name} like ${pattern}`, sql`${stallSpots.code} like ${pattern}`, sql`${stallSpots.address} like ${pattern}`)!);
  }
  if (q.cursor) {
    const after = decodeCursor(q.cursor, SCOPE, q.sort, isUuid, byCode ? (v) => v.length > 0 && v.length <= 200 : isTimestampText);
    where.push(afterCursor(column, stallSpots.id, q.sort.direction, byCode ? sql`${after.value}::text` : sql`${after.value}::timestamptz`, sql`${after.id}::uuid`));
  }
  const rows = await db
    .select({
      ...getTableColumns(stallSpots),
      sortValue: byCode ? sql<string>`${stallSpots.code}` : timestampText(stallSpots.updatedAt),
      // Qualified by hand: drizzle leaves a one-table select's columns unqualified, which a subquery would misread.
      followers: sql<number>`(select count(*) from stall_spot_follows f where f.spot_id = "stall_spots"."id")`.mapWith(Number),
    })
    .from(stallSpots)
    .where(and(...where))
    .orderBy(...keysetOrder(column, stallSpots.id, q.sort.direction))
    .limit(q.limit + 1);
  return pageOf(
    rows,
    q.limit,
    ({ sortValue: _s, followers, ...row }) => ({ ...presentSpot(row, { at: q.now, coordSystem: q.coordSystem }), followers }),
    (r) => encodeCursor(SCOPE, q.sort, r.sortValue, r.id),
  );
}
