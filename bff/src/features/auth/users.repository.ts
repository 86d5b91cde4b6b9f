import { eq, sql } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { users } from '../../db/schema';
import type { WechatSession } from '../../ports/wechat/wechat-auth';

export type UserRow = typeof users.$inferSelect;

export function usersRepository(db: Database) {
  return {
    /** One statement, so two first logins racing for the same openid still yield one user. */
    async upsertByOpenid(session: WechatSession): Promise<UserRow> {
      const [row] = await db
        .insert(users)
        .values({ openid: session.openid, unionid: session.unionid ?? null, sessionKey: session.sessionKey })
        .onConflictDoUpdate({
          target: users.openid,
          set: {
            sessionKey: session.sessionKey,
            unionid: sql`coalesce(excluded.unionid, ${users.unionid})`,
            lastLoginAt: sql`now()`,
            updatedAt: sql`now()`,
          },
        })
        .returning();
      return row;
    },

    async findById(id: string): Promise<UserRow | undefined> {
      const [row] = await db.select().from(users).where(eq(users.id, id)).limit(1);
      return row;
    },
  };
}

export type UsersRepository = ReturnType<typeof usersRepository>;
