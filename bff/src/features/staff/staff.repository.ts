import { and, asc, eq, isNull, lte, or, sql } from 'drizzle-orm';
import type { StaffRole } from '@cityloop/shared';
import type { Database } from '../../db/client';
import { staffAccounts } from '../../db/schema';

export type StaffRow = typeof staffAccounts.$inferSelect;

export function staffRepository(db: Database) {
  // Prepared once per repository on first use: the staff guard's read on every staff request.
  let byIds: { execute(values: { ids: string[] }): Promise<StaffRow[]> } | undefined;
  return {
    async findByUsername(username: string): Promise<StaffRow | undefined> {
      const [row] = await db.select().from(staffAccounts).where(eq(staffAccounts.username, username)).limit(1);
      return row;
    },
    async findById(id: string): Promise<StaffRow | undefined> {
      const [row] = await db.select().from(staffAccounts).where(eq(staffAccounts.id, id)).limit(1);
      return row;
    },
    /** The accounts with these ids (uuids), in no order; see batchedLookup. */
    findByIds(ids: string[]): Promise<StaffRow[]> {
      byIds ??= db
        .select()
        .from(staffAccounts)
        .where(sql`${staffAccounts.id} = any(${sql.placeholder('ids')}::uuid[])`)
        .prepare('staff_by_ids');
      return byIds.execute({ ids });
    },
    async list(): Promise<StaffRow[]> {
      return db.select().from(staffAccounts).orderBy(asc(staffAccounts.username)).limit(500);
    },
    async create(input: { username: string; displayName: string; passwordHash: string; role: StaffRole }): Promise<StaffRow> {
      const [row] = await db.insert(staffAccounts).values(input).returning();
      return row;
    },
    async update(id: string, patch: { role?: StaffRole; disabled?: boolean; displayName?: string }): Promise<StaffRow> {
      const [row] = await db
        .update(staffAccounts)
        .set({ ...patch, updatedAt: sql`now()` })
        .where(eq(staffAccounts.id, id))
        .returning();
      return row;
    },
    async setPasswordHash(id: string, passwordHash: string): Promise<void> {
      await db
        .update(staffAccounts)
        .set({ passwordHash, updatedAt: sql`now()` })
        .where(eq(staffAccounts.id, id));
    },
    /** Counts one failure atomically; the failure that reaches the threshold sets the lock. */
    async recordFailedLogin(id: string, threshold: number, minutes: number, now: Date): Promise<{ failedLoginCount: number; lockedUntil: Date | null }> {
      const lockUntil = new Date(now.getTime() + minutes * 60_000);
      const [row] = await db
        .update(staffAccounts)
        .set({
          failedLoginCount: sql`${staffAccounts.failedLoginCount} + 1`,
          lockedUntil: sql`case when ${staffAccounts.failedLoginCount} + 1 >= ${threshold} then ${lockUntil.toISOString()}::timestamptz else ${staffAccounts.lockedUntil} end`,
        })
        .where(eq(staffAccounts.id, id))
        .returning({ failedLoginCount: staffAccounts.failedLoginCount, lockedUntil: staffAccounts.lockedUntil });
      return { failedLoginCount: row.failedLoginCount, lockedUntil: row.lockedUntil && row.lockedUntil > now ? row.lockedUntil : null };
    },
    /** Resets the failure count, only if the account is not locked at this moment; false when it is. */
    async recordSuccessfulLogin(id: string, now: Date): Promise<boolean> {
      const rows = await db
        .update(staffAccounts)
        .set({ failedLoginCount: 0, lockedUntil: null, lastLoginAt: sql`now()` })
        .where(and(eq(staffAccounts.id, id), or(isNull(staffAccounts.lockedUntil), lte(staffAccounts.lockedUntil, now))))
        .returning({ id: staffAccounts.id });
      return rows.length > 0;
    },
    async unlock(id: string): Promise<StaffRow> {
      const [row] = await db
        .update(staffAccounts)
        .set({ failedLoginCount: 0, lockedUntil: null, updatedAt: sql`now()` })
        .where(eq(staffAccounts.id, id))
        .returning();
      return row;
    },
  };
}

export type StaffRepository = ReturnType<typeof staffRepository>;
