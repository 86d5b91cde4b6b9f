import { eq, sql } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { staffAccounts } from '../../db/schema';

export type StaffRow = typeof staffAccounts.$inferSelect;

export function staffRepository(db: Database) {
  return {
    async findByUsername(username: string): Promise<StaffRow | undefined> {
      const [row] = await db.select().from(staffAccounts).where(eq(staffAccounts.username, username)).limit(1);
      return row;
    },
    async findById(id: string): Promise<StaffRow | undefined> {
      const [row] = await db.select().from(staffAccounts).where(eq(staffAccounts.id, id)).limit(1);
      return row;
    },
    async create(input: { username: string; displayName: string; passwordHash: string; role: 'staff' | 'admin' }): Promise<StaffRow> {
      const [row] = await db.insert(staffAccounts).values(input).returning();
      return row;
    },
    async setPasswordHash(id: string, passwordHash: string): Promise<void> {
      await db.update(staffAccounts).set({ passwordHash, updatedAt: sql`now()` }).where(eq(staffAccounts.id, id));
    },
    async touchLogin(id: string): Promise<void> {
      await db.update(staffAccounts).set({ lastLoginAt: sql`now()` }).where(eq(staffAccounts.id, id));
    },
  };
}

export type StaffRepository = ReturnType<typeof staffRepository>;
