import { and, asc, desc, eq, getTableColumns, inArray, isNull, sql } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { payoutBatches, reports, rewardAppeals, rewardClaims, rewardDecisions, users } from '../../db/schema';

export type DecisionRow = typeof rewardDecisions.$inferSelect;
export type AppealRow = typeof rewardAppeals.$inferSelect;
export type ClaimRow = typeof rewardClaims.$inferSelect;
export type DecisionWithCategory = DecisionRow & { category: string };

const decisionWithCategory = { ...getTableColumns(rewardDecisions), category: reports.category };
/** What a review or an appeal may change on a decision. */
type DecisionChange = Pick<DecisionRow, 'outcome' | 'amountFen' | 'reason'>;

/** Reward decisions and appeals (one of each per report at most). */
export function decisionsRepository(db: Database) {
  return {
    forReports: (reportIds: string[]): Promise<DecisionRow[]> => (reportIds.length ? db.select().from(rewardDecisions).where(inArray(rewardDecisions.reportId, reportIds)) : Promise.resolve([])),
    appealsForReports: (reportIds: string[]): Promise<AppealRow[]> => (reportIds.length ? db.select().from(rewardAppeals).where(inArray(rewardAppeals.reportId, reportIds)) : Promise.resolve([])),
    async find(reportId: string): Promise<DecisionRow | undefined> {
      const [row] = await db.select().from(rewardDecisions).where(eq(rewardDecisions.reportId, reportId));
      return row;
    },
    /** The decision locked for the caller's transaction. */
    async lock(reportId: string): Promise<DecisionRow | undefined> {
      const [row] = await db.select().from(rewardDecisions).where(eq(rewardDecisions.reportId, reportId)).for('update');
      return row;
    },
    /** The decision, locked, with its report's category (which sets the tier). */
    async lockWithCategory(reportId: string): Promise<DecisionWithCategory | undefined> {
      const [row] = await db
        .select(decisionWithCategory)
        .from(rewardDecisions)
        .innerJoin(reports, eq(reports.id, rewardDecisions.reportId))
        .where(eq(rewardDecisions.reportId, reportId))
        .for('update', { of: rewardDecisions });
      return row;
    },
    forUser: (userId: string, limit: number): Promise<DecisionWithCategory[]> =>
      db
        .select(decisionWithCategory)
        .from(rewardDecisions)
        .innerJoin(reports, eq(reports.id, rewardDecisions.reportId))
        .where(eq(rewardDecisions.userId, userId))
        .orderBy(desc(rewardDecisions.decidedAt))
        .limit(limit),
    appealsForUser: (userId: string): Promise<AppealRow[]> => db.select().from(rewardAppeals).where(eq(rewardAppeals.userId, userId)),
    held: (limit: number): Promise<DecisionWithCategory[]> =>
      db
        .select(decisionWithCategory)
        .from(rewardDecisions)
        .innerJoin(reports, eq(reports.id, rewardDecisions.reportId))
        .where(eq(rewardDecisions.outcome, 'held'))
        .orderBy(asc(rewardDecisions.decidedAt))
        .limit(limit),
    pendingAppeals: (limit: number) =>
      db
        .select({ ...getTableColumns(rewardAppeals), outcome: rewardDecisions.outcome, decisionReason: rewardDecisions.reason, category: reports.category })
        .from(rewardAppeals)
        .innerJoin(rewardDecisions, eq(rewardDecisions.reportId, rewardAppeals.reportId))
        .innerJoin(reports, eq(reports.id, rewardAppeals.reportId))
        .where(eq(rewardAppeals.status, 'pending'))
        .orderBy(asc(rewardAppeals.createdAt))
        .limit(limit),
    /** Records the first decision; false when one exists already. */
    async insert(row: typeof rewardDecisions.$inferInsert): Promise<boolean> {
      const inserted = await db.insert(rewardDecisions).values(row).onConflictDoNothing().returning({ reportId: rewardDecisions.reportId });
      return inserted.length > 0;
    },
    async change(reportId: string, change: Partial<DecisionChange>, now: Date): Promise<DecisionRow> {
      const [row] = await db
        .update(rewardDecisions)
        .set({ ...change, updatedAt: now })
        .where(eq(rewardDecisions.reportId, reportId))
        .returning();
      return row;
    },
    async markReviewed(reportId: string, staffId: string, note: string, now: Date): Promise<void> {
      await db.update(rewardDecisions).set({ reviewedBy: staffId, reviewNote: note, reviewedAt: now }).where(eq(rewardDecisions.reportId, reportId));
    },
    /** Files an appeal; undefined when the report has one already. */
    async insertAppeal(row: typeof rewardAppeals.$inferInsert): Promise<AppealRow | undefined> {
      const [created] = await db.insert(rewardAppeals).values(row).onConflictDoNothing({ target: rewardAppeals.reportId }).returning();
      return created;
    },
    async lockAppeal(appealId: string): Promise<AppealRow | undefined> {
      const [row] = await db.select().from(rewardAppeals).where(eq(rewardAppeals.id, appealId)).for('update');
      return row;
    },
    async decideAppeal(appealId: string, change: Pick<AppealRow, 'status' | 'decidedBy' | 'decisionNote' | 'decidedAt'>): Promise<AppealRow> {
      const [row] = await db.update(rewardAppeals).set(change).where(eq(rewardAppeals.id, appealId)).returning();
      return row;
    },
    /** The backlog the figures show: pending appeals (count, oldest) and held rewards. */
    async backlog(): Promise<{ appeals: number; oldest: Date | null; held: number }> {
      const [appeals] = await db
        .select({ n: sql<number>`count(*)`.mapWith(Number), oldest: sql<Date | null>`min(${rewardAppeals.createdAt})`.mapWith((v) => (v === null ? null : new Date(v))) })
        .from(rewardAppeals)
        .where(eq(rewardAppeals.status, 'pending'));
      const [held] = await db
        .select({ n: sql<number>`count(*)`.mapWith(Number) })
        .from(rewardDecisions)
        .where(eq(rewardDecisions.outcome, 'held'));
      return { appeals: appeals.n, oldest: appeals.oldest, held: held.n };
    },
  };
}

/** Claims (提现) and the manual payout batches they are paid in. */
export function claimsRepository(db: Database) {
  return {
    async byIdempotencyKey(userId: string, key: string): Promise<ClaimRow | undefined> {
      const [row] = await db
        .select()
        .from(rewardClaims)
        .where(and(eq(rewardClaims.userId, userId), eq(rewardClaims.idempotencyKey, key)));
      return row;
    },
    async byOutBillNo(outBillNo: string): Promise<ClaimRow | undefined> {
      const [row] = await db.select().from(rewardClaims).where(eq(rewardClaims.outBillNo, outBillNo));
      return row;
    },
    forUser: (userId: string, limit: number): Promise<ClaimRow[]> => db.select().from(rewardClaims).where(eq(rewardClaims.userId, userId)).orderBy(desc(rewardClaims.createdAt)).limit(limit),
    async insert(row: Omit<typeof rewardClaims.$inferInsert, 'outBillNo'>): Promise<ClaimRow> {
      // The merchant bill number: 32 hex characters, unique, stable across retries.
      const [created] = await db
        .insert(rewardClaims)
        .values({ ...row, outBillNo: sql`replace(gen_random_uuid()::text, '-', '')` })
        .returning();
      return created;
    },
    async lock(claimId: string): Promise<ClaimRow | undefined> {
      const [row] = await db.select().from(rewardClaims).where(eq(rewardClaims.id, claimId)).for('update');
      return row;
    },
    /** pending → processing once the provider accepted the transfer. */
    async markAccepted(claimId: string, providerBillNo: string | null, now: Date): Promise<void> {
      await db
        .update(rewardClaims)
        .set({ status: 'processing', providerBillNo: sql`coalesce(${providerBillNo}, ${rewardClaims.providerBillNo})`, updatedAt: now })
        .where(and(eq(rewardClaims.id, claimId), eq(rewardClaims.status, 'pending')));
    },
    async markPaid(claimId: string, providerBillNo: string | null, now: Date): Promise<void> {
      await db
        .update(rewardClaims)
        .set({ status: 'paid', paidAt: now, providerBillNo: sql`coalesce(${providerBillNo}, ${rewardClaims.providerBillNo})`, lastError: null, updatedAt: now })
        .where(eq(rewardClaims.id, claimId));
    },
    async markFailed(claimId: string, failureReason: string, now: Date): Promise<void> {
      await db.update(rewardClaims).set({ status: 'failed', failureReason, updatedAt: now }).where(eq(rewardClaims.id, claimId));
    },
    /** Pending manual claims not yet in a batch, oldest first, locked for the batch being made. */
    lockUnbatchedManual: () =>
      db
        .select({ id: rewardClaims.id, amountFen: rewardClaims.amountFen })
        .from(rewardClaims)
        .where(and(eq(rewardClaims.method, 'manual'), eq(rewardClaims.status, 'pending'), isNull(rewardClaims.batchId)))
        .orderBy(asc(rewardClaims.createdAt))
        .for('update'),
    async insertBatch(row: typeof payoutBatches.$inferInsert) {
      const [batch] = await db.insert(payoutBatches).values(row).returning({ id: payoutBatches.id, createdAt: payoutBatches.createdAt });
      return batch;
    },
    async putInBatch(claimIds: string[], batchId: string, now: Date): Promise<void> {
      await db.update(rewardClaims).set({ batchId, status: 'processing', updatedAt: now }).where(inArray(rewardClaims.id, claimIds));
    },
    async batchCreator(batchId: string): Promise<string | undefined> {
      const [row] = await db.select({ createdBy: payoutBatches.createdBy }).from(payoutBatches).where(eq(payoutBatches.id, batchId));
      return row?.createdBy;
    },
    /** The batch's claims with the resident's nickname, for the payout sheet. */
    inBatchForSheet: (batchId: string) =>
      db
        .select({
          id: rewardClaims.id,
          outBillNo: rewardClaims.outBillNo,
          userId: rewardClaims.userId,
          nickname: users.nickname,
          amountFen: rewardClaims.amountFen,
          status: rewardClaims.status,
          createdAt: rewardClaims.createdAt,
        })
        .from(rewardClaims)
        .innerJoin(users, eq(users.id, rewardClaims.userId))
        .where(eq(rewardClaims.batchId, batchId))
        .orderBy(asc(rewardClaims.createdAt)),
    idsInBatch: async (batchId: string, claimIds: string[]): Promise<string[]> =>
      claimIds.length
        ? (
            await db
              .select({ id: rewardClaims.id })
              .from(rewardClaims)
              .where(and(eq(rewardClaims.batchId, batchId), inArray(rewardClaims.id, claimIds)))
          ).map((r) => r.id)
        : [],
  };
}

/** The reward fields of the users table. */
export function rewardUsersRepository(db: Database) {
  return {
    async leaderboardOptIn(userId: string): Promise<boolean> {
      const [row] = await db.select({ optIn: users.leaderboardOptIn }).from(users).where(eq(users.id, userId));
      return row?.optIn ?? false;
    },
    async setLeaderboardOptIn(userId: string, optIn: boolean, now: Date): Promise<void> {
      await db.update(users).set({ leaderboardOptIn: optIn, updatedAt: now }).where(eq(users.id, userId));
    },
    /** false when there is no such user. */
    async setRewardExclusion(userId: string, exclusion: 'staff' | 'inspector' | null, now: Date): Promise<boolean> {
      const rows = await db.update(users).set({ rewardExclusion: exclusion, updatedAt: now }).where(eq(users.id, userId)).returning({ id: users.id });
      return rows.length > 0;
    },
    async rewardStanding(userId: string) {
      const [row] = await db.select({ exclusion: users.rewardExclusion, blockedAt: users.blockedAt, erasedAt: users.erasedAt }).from(users).where(eq(users.id, userId));
      return row;
    },
  };
}
