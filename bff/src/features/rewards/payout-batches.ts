import { csvLine, maskName, type PayoutBatchCreatedDto, type PayoutBatchDto, type PayoutBatchListDto, type PayoutBatchResultsDto, type PayoutBatchState } from '@cityloop/shared';
import { and, eq, inArray, sql, type SQL } from 'drizzle-orm';
import { inTransaction, type Database } from '../../db/client';
import { payoutBatches, rewardClaims, staffAccounts } from '../../db/schema';
import { AppError } from '../../http/errors';
import { recordAudit } from '../audit/audit';
import { settleClaim } from './reward-claims';
import { claimsRepository } from './rewards.repository';
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

/** Puts every pending manual claim into a new batch for staff to pay; refused when nothing is pending. */
export async function createPayoutBatch(db: Database, staffId: string, now: Date): Promise<PayoutBatchCreatedDto> {
  return inTransaction(db, async (t) => {
    const repo = claimsRepository(t);
    const claims = await repo.lockUnbatchedManual();
    if (!claims.length) throw new AppError('PAYOUT_NOTHING_TO_BATCH');
    const total = claims.reduce((s, c) => s + c.amountFen, 0);
    const batch = await repo.insertBatch({ createdBy: staffId, claimCount: claims.length, totalFen: total, createdAt: now });
    await repo.putInBatch(
      claims.map((c) => c.id),
      batch.id,
      now,
    );
    await recordAudit(t, {
      actorKind: 'staff',
      actorId: staffId,
      action: 'payout_batch.create',
      entityType: 'payout_batch',
      entityId: batch.id,
      details: { claimCount: claims.length, totalFen: total },
    });
    return { id: batch.id, claimCount: claims.length, totalFen: total, createdAt: batch.createdAt.toISOString() };
  });
}

const SHEET_HEADER = ['claim_id', 'out_bill_no', 'user_id', 'name', 'amount_fen', 'amount_yuan', 'status', 'claimed_at'];

/**
 * The batch as CSV for the person paying it. It names the resident by our user id and masked
 * nickname: the openid never leaves the server, even to staff.
 */
export async function payoutBatchCsv(db: Database, batchId: string): Promise<string> {
  if (!isUuid(batchId)) throw new AppError('NOT_FOUND', '批次不存在');
  const rows = await claimsRepository(db).inBatchForSheet(batchId);
  if (!rows.length) throw new AppError('NOT_FOUND', '批次不存在');
  const lines = rows.map((r) => csvLine([r.id, r.outBillNo, r.userId, maskName(r.nickname, r.userId), r.amountFen, (r.amountFen / 100).toFixed(2), r.status, r.createdAt.toISOString()]));
  return `\uFEFF${[csvLine(SHEET_HEADER), ...lines].join('\r\n')}\r\n`;
}

/** Staff report the batch's results; each claim settles once, and unknown or foreign ids are refused as a whole. */
export async function recordBatchResults(
  db: Database,
  staffId: string,
  batchId: string,
  results: { paid: string[]; failed: { claimId: string; reason: string }[] },
  now: Date,
): Promise<PayoutBatchResultsDto> {
  if (!isUuid(batchId)) throw new AppError('NOT_FOUND', '批次不存在');
  const repo = claimsRepository(db);
  const createdBy = await repo.batchCreator(batchId);
  if (!createdBy) throw new AppError('NOT_FOUND', '批次不存在');
  // 管审分离: the member who prepared the batch cannot also say it was paid.
  if (createdBy === staffId) throw new AppError('SECOND_STAFF_REQUIRED', '发放结果须由制单人以外的工作人员确认');
  const ids = [...results.paid, ...results.failed.map((f) => f.claimId)];
  const repeated = ids.filter((id, i) => ids.indexOf(id) !== i);
  if (repeated.length) throw new AppError('VALIDATION_FAILED', '同一提现申请不能同时出现两次', { repeatedClaimIds: [...new Set(repeated)] });
  const inBatch = new Set(await repo.idsInBatch(batchId, ids));
  const missing = ids.filter((id) => !inBatch.has(id));
  if (missing.length) throw new AppError('PAYOUT_CLAIMS_NOT_IN_BATCH', `不属于此批次的提现申请：${missing.slice(0, 5).join(', ')}`, { claimIds: missing });
  const staff = { kind: 'staff' as const, id: staffId };
  let settled = 0;
  for (const id of results.paid) if (await settleClaim(db, id, { state: 'paid', providerBillNo: null, failureReason: null }, staff, now)) settled += 1;
  for (const f of results.failed) if (await settleClaim(db, f.claimId, { state: 'failed', providerBillNo: null, failureReason: f.reason }, staff, now)) settled += 1;
  return { settled, alreadySettled: ids.length - settled };
}
