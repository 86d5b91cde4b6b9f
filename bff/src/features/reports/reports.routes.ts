import Router from '@koa/router';
import type { Middleware } from 'koa';
import { REPORT_CATEGORIES, REPORT_LIMITS, REPORT_STATUSES } from '@cityloop/shared';
import { z } from 'zod';
import { authOf, type StaffGuard } from '../../http/auth';
import { AppError } from '../../http/errors';
import { idempotencyKeyOf } from '../../http/idempotency';
import { readLimitedBody } from '../../http/middleware';
import { boundedText, coordSystemParam, coordSystemSchema, decimalParam, instantSchema, latParam, lngParam, parseInput } from '../../http/validate';
import { caseUpdateFromWebhook } from '../../ports/case-system/open311-case-system';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, verifyWebhook } from '../../ports/case-system/webhook-signature';
import { cursorParam, limitParam } from '../../http/paging';
import { followReport, listFollowedReports, unfollowReport } from './report-follows';
import { reportsRepository } from './reports.repository';
import { applyCaseUpdate, getReport, listMyReports, nearbyReports, presentSubmitted, submitReport, type ReportDeps } from './reports.usecases';

const categoryCode = z.enum(REPORT_CATEGORIES.map((c) => c.code) as [string, ...string[]]);

const submitBody = z
  .object({
    category: categoryCode,
    description: boundedText(REPORT_LIMITS.descriptionMinChars, REPORT_LIMITS.descriptionMaxChars),
    location: z.object({ lat: z.number().min(-90).max(90), lng: z.number().min(-180).max(180), coordSystem: coordSystemSchema }).strict(),
    // Optional once the pin is set: empty or absent, the BFF stores the geocoded address.
    address: boundedText(0, REPORT_LIMITS.addressMaxChars).default(''),
    photoIds: z.array(z.string().uuid('not a photo id')).max(REPORT_LIMITS.maxPhotos),
    street: boundedText(1, REPORT_LIMITS.streetMaxChars).optional(),
  })
  .strict();

const nearbyQuery = z
  .object({
    // With a category: the duplicate hint; without: every open report around the pin (the map).
    category: categoryCode.optional(),
    lat: latParam,
    lng: lngParam,
    coordSystem: coordSystemParam,
  })
  .strict();

const detailQuery = z.object({ coordSystem: coordSystemParam }).strict();
const listQuery = z.object({ cursor: boundedText(1, 200).optional(), limit: decimalParam.pipe(z.number().int().min(1).max(50)).default(20) }).strict();
const followsQuery = z.object({ cursor: cursorParam.optional(), limit: limitParam(20, 50) }).strict();

export function reportRoutes(deps: ReportDeps & { residentGuard: Middleware; staffGuard: StaffGuard; writeGuards: Middleware[]; mapReadGuard: Middleware }): Router {
  const router = new Router();

  // Staff read any report, photos included (signed links are issued to them as to the reporter).
  router.get('/staff/reports/:id', deps.staffGuard('reports.read'), async (ctx) => {
    const { coordSystem: system } = parseInput(detailQuery, ctx.query);
    ctx.body = { report: await getReport(deps, { staff: true }, ctx.params.id, system) };
  });

  router.post('/reports', deps.residentGuard, ...deps.writeGuards, async (ctx) => {
    const key = idempotencyKeyOf(ctx);
    const input = parseInput(submitBody, ctx.request.body);
    const userId = authOf(ctx).subject;
    const submitted = await submitReport(deps, userId, key, input);
    ctx.status = submitted.created ? 201 : 200;
    ctx.body = { report: await presentSubmitted(deps, submitted, userId, input.location.coordSystem) };
  });

  // A spatial query the map repeats as the pin moves: its own per-resident budget.
  router.get('/reports/nearby', deps.residentGuard, deps.mapReadGuard, async (ctx) => {
    const q = parseInput(nearbyQuery, ctx.query);
    ctx.body = { items: await nearbyReports(deps, authOf(ctx).subject, q) };
  });

  // 我也遇到了: idempotent; both answer the state after the call.
  router.put('/reports/:id/follow', deps.residentGuard, ...deps.writeGuards, async (ctx) => {
    ctx.body = await followReport(deps.db, authOf(ctx).subject, ctx.params.id);
  });

  router.delete('/reports/:id/follow', deps.residentGuard, ...deps.writeGuards, async (ctx) => {
    ctx.body = await unfollowReport(deps.db, authOf(ctx).subject, ctx.params.id);
  });

  router.get('/me/report-follows', deps.residentGuard, async (ctx) => {
    const q = parseInput(followsQuery, ctx.query);
    ctx.body = await listFollowedReports(deps.db, authOf(ctx).subject, q);
  });

  router.get('/reports/:id', deps.residentGuard, async (ctx) => {
    const { coordSystem: system } = parseInput(detailQuery, ctx.query);
    ctx.body = { report: await getReport(deps, { userId: authOf(ctx).subject }, ctx.params.id, system) };
  });

  router.get('/me/reports', deps.residentGuard, async (ctx) => {
    const q = parseInput(listQuery, ctx.query);
    ctx.body = await listMyReports(deps, authOf(ctx).subject, q.cursor, q.limit);
  });

  return router;
}

const webhookBody = z.object({
  update_id: boundedText(1, 200),
  service_request_id: boundedText(1, 200),
  client_request_id: z.string().uuid().optional().nullable(),
  status: z.enum(REPORT_STATUSES.filter((s) => s !== 'submitted') as [string, ...string[]]),
  description: boundedText(0, 4000).nullable().optional(),
  agency_responsible: boundedText(0, 200).nullable().optional(),
  expected_datetime: instantSchema.nullable().optional(),
  media_urls: z.array(z.url().max(2000)).max(20).nullable().optional(),
  updated_datetime: instantSchema,
  merged_into: boundedText(0, 200).nullable().optional(),
});

export const CASE_WEBHOOK_PATH = '/hooks/case-system';

/** Pushed updates from the case system: signed, fresh, applied once, never moving a report backwards. */
export function caseWebhookRoutes(deps: ReportDeps & { webhookSecret: string }): Router {
  const router = new Router();
  router.post(CASE_WEBHOOK_PATH, async (ctx) => {
    const raw = await readLimitedBody(ctx, 64 * 1024);
    const verdict = verifyWebhook(deps.webhookSecret, { signature: ctx.get(SIGNATURE_HEADER), timestamp: ctx.get(TIMESTAMP_HEADER) }, raw, Math.floor(deps.now().getTime() / 1000));
    if (verdict !== 'ok') {
      ctx.state.log?.warn({ verdict }, 'case webhook refused');
      throw new AppError('WEBHOOK_SIGNATURE_INVALID', verdict === 'stale' ? 'timestamp outside the replay window' : 'signature missing or invalid');
    }
    let json: unknown;
    try {
      json = JSON.parse(raw.toString('utf8'));
    } catch {
      throw new AppError('MALFORMED_JSON');
    }
    const body = parseInput(webhookBody, json);
    const repo = reportsRepository(deps.db);
    const report = (body.client_request_id ? await repo.findById(body.client_request_id) : undefined) ?? (await repo.findByCaseId(body.service_request_id));
    if (!report) throw new AppError('NOT_FOUND', '未知的案件');
    // Read exactly as polled updates are read, so push and pull can never disagree.
    const update = caseUpdateFromWebhook(json);
    if (!update) throw new AppError('VALIDATION_FAILED', 'not a case update');
    const applied = await applyCaseUpdate(deps.db, ctx.state.log, report.id, update, deps.now());
    ctx.body = { applied };
  });
  return router;
}

/** The schemas these routes validate with, for the OpenAPI document. */
export const reportSchemas = { submitBody, nearbyQuery, detailQuery, listQuery, followsQuery, webhookBody };
