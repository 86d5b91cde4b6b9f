import Router from '@koa/router';
import type { Middleware } from 'koa';
import { RATING_LEVELS, RATING_RULES, STAFF_SORTS } from '@cityloop/shared';
import { z } from 'zod';
import { authOf, type StaffGuard } from '../../http/auth';
import { cursorParam, limitParam, sortParam } from '../../http/paging';
import { boundedText, parseInput } from '../../http/validate';
import { answerFixedQuestion, closeFollowUp, decideRatingAppeal, fileRatingAppeal, pageRatingsForStaff, requestRework, submitRating, type RatingDeps } from './ratings.usecases';

const text = boundedText;
const score = z.number().int('a whole number from 1 to 5').min(1).max(5);

const ratingBody = z
  .object({
    level: z.enum(RATING_LEVELS as [string, ...string[]], { error: `level must be one of ${RATING_LEVELS.join(', ')}` }),
    speed: score.optional(),
    result: score.optional(),
    attitude: score.optional(),
    comment: text(0, RATING_RULES.commentMaxChars).optional(),
  })
  .strict();
const reworkBody = z.object({ reason: text(1, RATING_RULES.reworkReasonMaxChars) }).strict();
const fixedBody = z.object({ fixed: z.boolean() }).strict();
const staffListQuery = z.object({ bad: z.enum(['true', 'false']).default('false'), cursor: cursorParam.optional(), limit: limitParam(50, 200), sort: sortParam(STAFF_SORTS.ratings) }).strict();
const appealBody = z.object({ reason: text(1, RATING_RULES.appealReasonMaxChars) }).strict();
const appealDecisionBody = z.object({ uphold: z.boolean(), note: text(1, 500) }).strict();
const followUpBody = z.object({ note: text(1, 500) }).strict();

export function ratingRoutes(deps: RatingDeps & { residentGuard: Middleware; staffGuard: StaffGuard; writeGuards: Middleware[] }): Router {
  const router = new Router();

  router.post('/reports/:id/rating', deps.residentGuard, ...deps.writeGuards, async (ctx) => {
    const body = parseInput(ratingBody, ctx.request.body) as Parameters<typeof submitRating>[3];
    ctx.status = 201;
    ctx.body = { rating: await submitRating(deps, authOf(ctx).subject, ctx.params.id, body) };
  });

  router.post('/reports/:id/rework', deps.residentGuard, ...deps.writeGuards, async (ctx) => {
    const { reason } = parseInput(reworkBody, ctx.request.body);
    ctx.status = 202;
    ctx.body = { rating: await requestRework(deps, authOf(ctx).subject, ctx.params.id, reason) };
  });

  router.post('/reports/:id/fixed', deps.residentGuard, ...deps.writeGuards, async (ctx) => {
    const { fixed } = parseInput(fixedBody, ctx.request.body);
    ctx.body = { rating: await answerFixedQuestion(deps, authOf(ctx).subject, ctx.params.id, fixed) };
  });

  // ---- staff ----
  router.get('/staff/ratings', deps.staffGuard('ratings.read'), async (ctx) => {
    const q = parseInput(staffListQuery, ctx.query);
    ctx.body = await pageRatingsForStaff(deps.db, deps.now(), { bad: q.bad === 'true', limit: q.limit, cursor: q.cursor });
  });

  router.post('/staff/ratings/:id/follow-up', deps.staffGuard('ratings.follow_up'), async (ctx) => {
    const { note } = parseInput(followUpBody, ctx.request.body);
    ctx.body = { followUp: await closeFollowUp(deps.db, authOf(ctx).subject, ctx.params.id, note, deps.now()) };
  });

  router.post('/staff/ratings/:id/appeals', deps.staffGuard('ratings.appeal.file'), async (ctx) => {
    const { reason } = parseInput(appealBody, ctx.request.body);
    ctx.status = 201;
    ctx.body = { appeal: await fileRatingAppeal(deps.db, authOf(ctx).subject, ctx.params.id, reason, deps.now()) };
  });

  router.post('/staff/rating-appeals/:id/decision', deps.staffGuard('ratings.appeal.decide'), async (ctx) => {
    const body = parseInput(appealDecisionBody, ctx.request.body);
    ctx.body = { appeal: await decideRatingAppeal(deps.db, authOf(ctx).subject, ctx.params.id, body.uphold, body.note, deps.now()) };
  });

  return router;
}

/** The schemas these routes validate with, for the OpenAPI document. */
export const ratingSchemas = { ratingBody, reworkBody, fixedBody, staffListQuery, appealBody, appealDecisionBody, followUpBody };
