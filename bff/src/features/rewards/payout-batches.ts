import type { PayoutBatchDto, PayoutBatchListDto, PayoutBatchState } from '@cityloop/shared';
import { and, eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { payoutBatches, rewardClaims, staffAccounts } from '../../db/schema';
import { afterCursor, decodeCursor, encodeCursor, isTimestampText, keysetOrder, pageOf, timestampText, type Sort } from '../../http/paging';
import { isUuid } from '../../http/validate';

const SCOPE = 'payout-batches';
// Qualified by hand, so the subquery never depends on how drizzle renders the outer columns.
const processing = sql`exists (select 1 from reward_claims c where c.batch_id = "payout_batches"."id" and c.status = 'processing')`;

/**
 * 提现发放: the batches, newest first, each with its creator and how many of its claims are still
 * processing, so the console can say "awaiting confirmation by another member".
 */
export async function listPayoutBatches(db: Database, q: { state?: PayoutBatchState; sort: Sort<'createdAt'>; limit: number; cursor?: string }): Promise<PayoutBatchListDto> {
  const where: SQL[] = [];
  if (q.state === 'awaiting_confirmation') where.push(processing);
  if (q.state === 'settled') where.push(sql`not ${processing}`);
  if (q.cursor) {
    const after = decodeCursor(q.cursor, SCOPE, q.sort, isUuid, isTimestampText);
    where.push(afterCursor(payoutBatches.createdAt, payoutBatches.id, q.sort.direction, sql`${after.value}::timestamptz`, sql`${after.id}::uuid`));
  }
  const rows = await db
    .select({
      id: payoutBatches.id,
      createdBy: payoutBatches.createdBy,
      creatorName: staffAccounts.displayName,
      claimCount: payoutBatches.claimCount,
      totalFen: payoutBatches.totalFen,
      createdAt: payoutBatches.createdAt,
      sortValue: timestampText(payoutBatches.createdAt),
    })
    .from(payoutBatches)
    .leftJoin(staffAccounts, eq(staffAccounts.id, payoutBatches.createdBy))
    .where(and(...where))
    .orderBy(...keysetOrder(payoutBatches.createdAt, payoutBatches.id, q.sort.direction))
    .limit(q.limit + 1);
  const ids = rows.slice(0, q.limit).map((r) => r.id);
  const counts = ids.length
    ? await db
        .select({
          batchId: rewardClaims.batchId,
          processing: sql<number>`count(*) filter (where ${rewardClaims.status} = 'processing')`.mapWith(Number),
          paid: sql<number>`count(*) filter (where ${rewardClaims.status} = 'paid')`.mapWith(Number),
          failed: sql<number>`count(*) filter (where ${rewardClaims.status} = 'failed')`.mapWith(Number),
        })
        .from(rewardClaims)
        .where(inArray(rewardClaims.batchId, ids))
        .groupBy(rewardClaims.batchId)
    : [];
  return pageOf(
    rows,
    q.limit,
    (r): PayoutBatchDto => {
      const c = counts.find((x) => x.batchId === r.id) ?? { processing: 0, paid: 0, failed: 0 };
      return {
        id: r.id,
        createdBy: { id: r.createdBy, displayName: r.creatorName },
        claimCount: r.claimCount,
        totalFen: r.totalFen,
        createdAt: r.createdAt.toISOString(),
        state: c.processing > 0 ? 'awaiting_confirmation' : 'settled',
        claims: { processing: c.processing, paid: c.paid, failed: c.failed },
      };
    },
    (r) => encodeCursor(SCOPE, q.sort, r.sortValue, r.id),
  );
}
