import { eq, sql } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { users } from '../../db/schema';
import type { WechatSession } from '../../ports/wechat/wechat-auth';

export type UserRow = typeof users.$inferSelect;

export function usersRepository(db: Database) {
  // Prepared once per repository on first use: the guards' read on every resident request.
  let byIds: { execute(values: { ids: string[] }): Promise<UserRow[]> } | undefined;
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
    /** The accounts with these ids (uuids), in no order; see batchedLookup. */
    findByIds(ids: string[]): Promise<UserRow[]> {
      byIds ??= db
        .select()
        .from(users)
        .where(sql`${users.id} = any(${sql.placeholder('ids')}::uuid[])`)
        .prepare('users_by_ids');
      return byIds.execute({ ids });
    },
  };
}

export type UsersRepository = ReturnType<typeof usersRepository>;
