import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { photos } from '../../db/schema';

export type PhotoRow = typeof photos.$inferSelect;

export function photosRepository(db: Database) {
  return {
    async insert(row: typeof photos.$inferInsert): Promise<PhotoRow> {
      const [created] = await db.insert(photos).values(row).returning();
      return created;
    },
    async findById(id: string): Promise<PhotoRow | undefined> {
      const [row] = await db.select().from(photos).where(eq(photos.id, id)).limit(1);
      return row;
    },
    /** The caller's photos among `ids` that no report uses yet. */
    async findAttachable(ownerId: string, ids: string[]): Promise<PhotoRow[]> {
      if (ids.length === 0) return [];
      return db
        .select()
        .from(photos)
        .where(and(eq(photos.ownerId, ownerId), inArray(photos.id, ids), isNull(photos.reportId)));
    },
    /** Gives the photos to the report in the order of `ids` (position 0, 1…), in one statement; returns them in that order. */
    async attach(reportId: string, ids: string[]): Promise<PhotoRow[]> {
      if (ids.length === 0) return [];
      const order = sql.join(
        ids.map((id) => sql`${id}`),
        sql`, `,
      );
      const position = sql<number>`array_position(array[${order}]::uuid[], ${photos.id}) - 1`;
      const rows = await db.update(photos).set({ reportId, position }).where(inArray(photos.id, ids)).returning();
      return rows.sort((a, b) => (a.position ?? 0) - (b.position ?? 0));
    },
    async forReports(reportIds: string[]): Promise<PhotoRow[]> {
      if (reportIds.length === 0) return [];
      return db
        .select()
        .from(photos)
        .where(inArray(photos.reportId, reportIds))
        .orderBy(photos.reportId, sql`${photos.position} nulls last`);
    },
  };
}
