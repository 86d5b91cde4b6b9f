import Router from '@koa/router';
import type { Middleware } from 'koa';
import { formatShanghai, REWARD_LIMITS, STAFF_SORTS } from '@cityloop/shared';
import { z } from 'zod';
import type { Database } from '../../db/client';
import { authOf, type StaffGuard } from '../../http/auth';
import { AppError } from '../../http/errors';
import { idempotencyKeyOf } from '../../http/idempotency';
import { readLimitedBody } from '../../http/middleware';
import { boundedText, decimalParam, monthParam, parseInput } from '../../http/validate';
import type { PayoutProvider } from '../../ports/payout/payout';
import { cursorParam, limitParam, sortParam } from '../../http/paging';
import { rewardRulesSchema, loadRewardRules, saveRewardRules } from './reward-rules';
import type { PayoutWorkingDays } from './rewards.presenter';
import { claimsRepository } from './rewards.repository';
import {
  appealReward,
  createClaim,
  createPayoutBatch,
  decideRewardAppeal,
  listPayoutBatches,
  myRewards,
  payoutBatchCsv,
  recordBatchResults,
  reviewHeldReward,
  reviewQueue,
  rewardFigures,
  setLeaderboardOptIn,
  setRewardExclusion,
  settleClaim,
} from './rewards.usecases';

export interface RewardRouteDeps {
  db: Database;
  now: () => Date;
  residentGuard: Middleware;
  staffGuard: StaffGuard;
  writeGuards: Middleware[];
  payoutMethod: 'manual' | 'wechatpay';
  payoutProvider?: PayoutProvider;
  /** Working days within which a claim should be paid, per method: the claim's `expectedBy`. */
  payoutWorkingDays: PayoutWorkingDays;
}

const text = boundedText;

/** Integer fen only: fractions, negatives, strings and absurd sizes are refused before any rule runs. */
const amountFen = z.number({ error: 'amountFen must be a number of fen' }).int('amountFen must be a whole number of fen').positive('amountFen must be positive').max(100_000_000);
const claimBody = z.object({ amountFen }).strict();
const appealBody = z.object({ reason: text(REWARD_LIMITS.appealReasonMinChars, REWARD_LIMITS.appealReasonMaxChars) }).strict();
const optInBody = z.object({ optIn: z.boolean() }).strict();
const listQuery = z
  .object({
    cursor: z
      .string()
      .regex(/^\d{1,10}$/, 'not a cursor this API returned')
      .optional(),
    limit: decimalParam.pipe(z.number().int().min(1).max(100)).default(30),
  })
  .strict();
const reviewBody = z.object({ approve: z.boolean(), note: text(1, REWARD_LIMITS.staffNoteMaxChars) }).strict();
const uuid = z.string().uuid('not an id');
const batchResultsBody = z
  .object({
    paid: z.array(uuid).max(1000).default([]),
    failed: z
      .array(z.object({ claimId: uuid, reason: text(1, 200) }).strict())
      .max(1000)
      .default([]),
  })
  .strict()
  .refine((b) => b.paid.length + b.failed.length > 0, 'name at least one claim');
const exclusionBody = z.object({ exclusion: z.enum(['staff', 'inspector']).nullable() }).strict();
const monthQuery = z.object({ month: monthParam.optional() }).strict();
export const payoutBatchListQuery = z
  .object({ state: z.enum(['awaiting_confirmation', 'settled']).optional(), cursor: cursorParam.optional(), limit: limitParam(), sort: sortParam(STAFF_SORTS.payoutBatches) })
  .strict();

export function rewardRoutes(deps: RewardRouteDeps): Router {
  const router = new Router();
  const { db } = deps;

  // ---- residents ----
  router.get('/me/rewards', deps.residentGuard, async (ctx) => {
    const q = parseInput(listQuery, ctx.query);
    ctx.body = await myRewards(db, authOf(ctx).subject, q.cursor ? Number(q.cursor) : undefined, q.limit, deps.payoutWorkingDays);
  });

  router.post('/me/rewards/claims', deps.residentGuard, ...deps.writeGuards, async (ctx) => {
    const key = idempotencyKeyOf(ctx);
    const { amountFen: amount } = parseInput(claimBody, ctx.request.body);
    const result = await createClaim(db, authOf(ctx).subject, key, amount, deps.payoutMethod, deps.payoutWorkingDays, deps.now());
    ctx.status = result.created ? 201 : 200;
    ctx.body = { claim: result.claim, balanceFen: result.balanceFen };
  });

  router.put('/me/rewards/leaderboard', deps.residentGuard, ...deps.writeGuards, async (ctx) => {
    const { optIn } = parseInput(optInBody, ctx.request.body);
    ctx.body = await setLeaderboardOptIn(db, authOf(ctx).subject, optIn, deps.now());
  });

  router.post('/reports/:id/reward-appeal', deps.residentGuard, ...deps.writeGuards, async (ctx) => {
    const { reason } = parseInput(appealBody, ctx.request.body);
    ctx.status = 201;
    ctx.body = { reward: await appealReward(db, authOf(ctx).subject, ctx.params.id, reason, deps.now()) };
  });

  // ---- staff ----
  router.get('/staff/rewards/rules', deps.staffGuard('rewards.read'), async (ctx) => {
    ctx.body = { rules: await loadRewardRules(db) };
  });

  router.put('/staff/rewards/rules', deps.staffGuard('rewards.rules.edit'), async (ctx) => {
    const rules = parseInput(rewardRulesSchema, ctx.request.body);
    ctx.body = { rules: await saveRewardRules(db, authOf(ctx).subject, rules, deps.now()) };
  });

  router.get('/staff/rewards/review', deps.staffGuard('rewards.read'), async (ctx) => {
    ctx.body = await reviewQueue(db);
  });

  router.post('/staff/rewards/held/:reportId/decision', deps.staffGuard('rewards.review'), async (ctx) => {
    const body = parseInput(reviewBody, ctx.request.body);
    ctx.body = { reward: await reviewHeldReward(db, authOf(ctx).subject, ctx.params.reportId, body.approve, body.note, deps.now()) };
  });

  router.post('/staff/rewards/appeals/:id/decision', deps.staffGuard('rewards.review'), async (ctx) => {
    const body = parseInput(reviewBody, ctx.request.body);
    ctx.body = { reward: await decideRewardAppeal(db, authOf(ctx).subject, ctx.params.id, body.approve, body.note, deps.now()) };
  });

  router.put('/staff/users/:id/reward-exclusion', deps.staffGuard('residents.manage'), async (ctx) => {
    const { exclusion } = parseInput(exclusionBody, ctx.request.body);
    ctx.body = await setRewardExclusion(db, authOf(ctx).subject, ctx.params.id, exclusion, deps.now());
  });

  router.get('/staff/rewards/figures', deps.staffGuard('rewards.read'), async (ctx) => {
    const q = parseInput(monthQuery, ctx.query);
    ctx.body = { figures: await rewardFigures(db, q.month ?? formatShanghai(deps.now()).slice(0, 7)) };
  });

  // Both who prepare and who confirm need the list (the confirmer finds the batch awaiting them here).
  router.get('/staff/rewards/payout-batches', deps.staffGuard('payouts.confirm'), async (ctx) => {
    const q = parseInput(payoutBatchListQuery, ctx.query);
    ctx.body = await listPayoutBatches(db, q);
  });

  router.post('/staff/rewards/payout-batches', deps.staffGuard('payouts.prepare'), async (ctx) => {
    ctx.status = 201;
    ctx.body = { batch: await createPayoutBatch(db, authOf(ctx).subject, deps.now()) };
  });

  router.get('/staff/rewards/payout-batches/:id/csv', deps.staffGuard('payouts.prepare'), async (ctx) => {
    const csv = await payoutBatchCsv(db, ctx.params.id);
    ctx.set('content-type', 'text/csv; charset=utf-8');
    ctx.set('content-disposition', `attachment; filename="payout-${ctx.params.id}.csv"`);
    ctx.body = csv;
  });

  router.post('/staff/rewards/payout-batches/:id/results', deps.staffGuard('payouts.confirm'), async (ctx) => {
    const body = parseInput(batchResultsBody, ctx.request.body);
    ctx.body = await recordBatchResults(db, authOf(ctx).subject, ctx.params.id, body, deps.now());
  });

  return router;
}

export const PAYOUT_CALLBACK_PATH = '/hooks/wechatpay/transfer';

/**
 * WeChat Pay's transfer callback: signed with the platform key and encrypted with the APIv3 key.
 * A callback that fails either check changes nothing and gets 401; WeChat retries genuine ones.
 */
export function payoutCallbackRoutes(deps: { db: Database; provider?: PayoutProvider; now?: () => Date }): Router {
  const router = new Router();
  router.post(PAYOUT_CALLBACK_PATH, async (ctx) => {
    const raw = await readLimitedBody(ctx, 64 * 1024);
    if (!deps.provider) throw new AppError('NOT_FOUND', '未配置微信支付');
    const headers = Object.fromEntries(Object.entries(ctx.headers).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v]));
    const notice = deps.provider.parseCallback(headers, raw);
    if (!notice) {
      ctx.state.log?.warn('payout callback refused');
      throw new AppError('WEBHOOK_SIGNATURE_INVALID', 'signature, timestamp or ciphertext not genuine');
    }
    const claim = await claimsRepository(deps.db).byOutBillNo(notice.outBillNo);
    if (claim) await settleClaim(deps.db, claim.id, notice.state, { kind: 'system', id: null }, (deps.now ?? (() => new Date()))());
    ctx.status = 204;
  });
  return router;
}

/** The schemas these routes validate with, for the OpenAPI document. */
export const rewardSchemas = { claimBody, appealBody, optInBody, listQuery, reviewBody, batchResultsBody, exclusionBody, monthQuery, payoutBatchListQuery, rewardRulesSchema };
