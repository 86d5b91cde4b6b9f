import { DEVELOPER_MESSAGE_CODES, ERRORS, type StaffPermission } from '@cityloop/shared';
import { z } from 'zod';
import { auditLogQuery, rewardRulesHistoryQuery } from '../features/audit/audit.routes';
import { authSchemas } from '../features/auth/auth.routes';
import { dashboardQuery } from '../features/dashboard/dashboard.routes';
import { figureSchemas } from '../features/figures/figures.routes';
import { geoSchemas } from '../features/geo/geo.routes';
import { privacySchemas } from '../features/privacy/privacy.routes';
import { ratingSchemas } from '../features/ratings/ratings.routes';
import { reportSchemas } from '../features/reports/reports.routes';
import { blockBody, residentLookupQuery } from '../features/residents/residents.routes';
import { rewardSchemas } from '../features/rewards/rewards.routes';
import { staffReportListQuery, staffReportMapQuery } from '../features/staff-reports/staff-reports.routes';
import { staffSchemas } from '../features/staff/staff.routes';
import { stallSchemas } from '../features/stalls/stalls.routes';

/**
 * Who may call a route: anyone (`public`), a resident token, a staff token with a permission from the
 * table (or just signed in), or a signed callback (the case system, WeChat Pay).
 */
export type RouteAccess = 'public' | 'resident' | 'signed' | 'signed-in' | StaffPermission;

type Body = z.ZodType | 'csv-or-geojson' | 'multipart-photo';

export interface RouteDoc {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Below /api/v1, Koa style (`:id`). */
  path: string;
  access: RouteAccess;
  summary: string;
  query?: z.ZodType;
  body?: Body;
  /** What a success carries; names the type in shared/src where there is one. */
  response: string;
  /** Needs an `Idempotency-Key` header. */
  idempotent?: true;
}

const r = (method: RouteDoc['method'], path: string, access: RouteAccess, summary: string, response: string, extra: Partial<RouteDoc> = {}): RouteDoc => ({
  method,
  path,
  access,
  summary,
  response,
  ...extra,
});
const TODAY = '2026-01-01';

/** Documentation only: the photo route checks `exp` and `sig` by hand (a bad one is 404, like an unknown photo). */
const photoLinkQuery = z.object({ exp: z.string().describe('expiry, Unix seconds'), sig: z.string().describe('HMAC of id, variant and exp') }).strict();

/** Every route of the BFF, with the schemas it validates with. tests/integration/openapi.test.ts compares it with the router. */
export const ROUTE_DOCS: RouteDoc[] = [
  r('GET', '/openapi.json', 'public', 'This document (OpenAPI 3.1)', 'the OpenAPI document'),
  r('GET', '/health', 'public', 'Database status and latency, photo queue load', 'HealthDto; 503 when the database is down'),
  r('POST', '/auth/wechat', 'public', 'Exchange a wx.login code for our JWT', 'LoginResponse', { body: authSchemas.wechatLoginBody }),
  r('GET', '/me', 'resident', 'The current user', '{ user: UserDto }'),
  r('GET', '/me/data-export', 'resident', 'Everything held about me (个人信息保护法 art. 45)', 'MyDataExportDto'),
  r('DELETE', '/me', 'resident', 'Erase my account (art. 47)', 'EraseAccountResponse', { body: privacySchemas.eraseBody }),
  r('POST', '/staff/auth/login', 'public', 'Staff login (locks after repeated failures)', 'StaffLoginResponse', { body: staffSchemas.loginBody }),
  r('GET', '/staff/me', 'signed-in', 'The current staff account with its permissions', '{ staff: StaffDto }'),
  r('POST', '/staff/me/password', 'signed-in', '修改密码 (the current password is asked again)', '204'),
  r('GET', '/staff/accounts', 'staff.manage', 'Staff accounts with lock state (one page)', 'Page<StaffAccountDto>'),
  r('POST', '/staff/accounts', 'staff.manage', 'Create a staff account', '201 { account: StaffAccountDto }; 409 STAFF_USERNAME_TAKEN', { body: staffSchemas.createBody }),
  r('PATCH', '/staff/accounts/:id', 'staff.manage', 'Change role, name or disabled (never one’s own role or disabled)', '{ account: StaffAccountDto }', { body: staffSchemas.patchBody }),
  r('POST', '/staff/accounts/:id/unlock', 'staff.manage', 'Lift a login lock', '{ account: StaffAccountDto }'),
  r('POST', '/staff/accounts/:id/password', 'staff.manage', 'Reset another member’s password (clears the lock)', '204', { body: staffSchemas.resetPasswordBody }),
  r('GET', '/staff/dashboard', 'signed-in', '工作台: today’s counts (Asia/Shanghai)', '{ dashboard: StaffDashboardDto }', { query: dashboardQuery }),
  r('GET', '/staff/reports', 'reports.read', 'Reports, filtered, sorted and keyset-paged', 'StaffReportListDto', { query: staffReportListQuery }),
  r('GET', '/staff/reports/map-points', 'reports.read', 'Map points of the filtered reports (newest, bounded)', 'StaffReportMapDto', { query: staffReportMapQuery }),
  r('GET', '/staff/reports/:id', 'reports.read', 'One report in full (photos, timeline, reward, rating)', '{ report: ReportDto }', { query: reportSchemas.detailQuery }),
  r('GET', '/staff/audit-log', 'audit.read', '审计日志, filtered and paged', 'AuditLogDto', { query: auditLogQuery }),
  r('GET', '/staff/users/lookup', 'residents.manage', 'The reporter of a report, by report id or case number', '{ user: StaffResidentDto }', { query: residentLookupQuery }),
  r('GET', '/staff/users/:id', 'residents.manage', 'A resident as staff may see them (never the openid)', '{ user: StaffResidentDto }'),
  r('PUT', '/staff/users/:id/block', 'residents.manage', 'Block or unblock a resident', '{ userId, blocked, blockedAt }', { body: blockBody }),
  r('PUT', '/staff/users/:id/reward-exclusion', 'residents.manage', 'Exclude staff and inspectors from rewards', '{ userId, exclusion }', { body: rewardSchemas.exclusionBody }),
  r('GET', '/stall-spots', 'public', 'Legal stall spots nearest first', 'StallSpotListDto', { query: stallSchemas.listQuery }),
  r('GET', '/stall-spots/check', 'public', '这里能摆摊吗?', 'StallCheckDto', { query: stallSchemas.checkQuery }),
  r('GET', '/stall-spots/:id', 'public', 'One spot', '{ spot: StallSpotDto }', { query: stallSchemas.detailQuery }),
  r('PUT', '/stall-spots/:id/follow', 'resident', 'Follow a spot', '204'),
  r('DELETE', '/stall-spots/:id/follow', 'resident', 'Unfollow a spot', '204'),
  r('GET', '/me/stall-spot-follows', 'resident', 'The spots I follow', '{ items: StallSpotDto[] }', { query: stallSchemas.followsQuery }),
  r('GET', '/staff/stall-spots', 'stalls.manage', '摊点管理: every spot (suspended too) with followers, paged', 'StaffStallSpotListDto', { query: stallSchemas.staffSpotListQuery }),
  r('POST', '/staff/stall-spots', 'stalls.manage', 'Create a spot', '201 { spot: StallSpotDto }; 409 STALL_CODE_EXISTS', { body: stallSchemas.spotInputSchema }),
  r('PATCH', '/staff/stall-spots/:id', 'stalls.manage', 'Edit a spot', '{ spot: StallSpotDto }', { body: stallSchemas.spotPatchSchema }),
  r('POST', '/staff/stall-spots/:id/suspend', 'stalls.manage', 'Suspend a spot with a reason', '{ spot: StallSpotDto }', { body: stallSchemas.suspendSchema }),
  r('POST', '/staff/stall-spots/:id/resume', 'stalls.manage', 'Resume a spot', '{ spot: StallSpotDto }'),
  r('POST', '/staff/stall-spots/import', 'stalls.manage', 'Import CSV or GeoJSON, all or nothing (dry run lists row errors)', 'import summary; 422 IMPORT_INVALID with the rows', {
    query: stallSchemas.importQuery,
    body: 'csv-or-geojson',
  }),
  r('POST', '/photos', 'resident', 'Upload a photo (JPEG/PNG/WebP, queued)', '201 PhotoDto', { body: 'multipart-photo' }),
  r('GET', '/photos/:id/:variant', 'public', 'A stored photo through a signed link', 'image/webp', { query: photoLinkQuery }),
  r('GET', '/reports/nearby', 'resident', 'Open reports around the pin: of a category within its duplicate radius (5), or of all within 1 km (50), nearest first', '{ items: MapReportDto[] }', {
    query: reportSchemas.nearbyQuery,
  }),
  r('PUT', '/reports/:id/follow', 'resident', '我也遇到了: follow someone else’s open report (its status notices come to me)', 'ReportFollowStateDto'),
  r('DELETE', '/reports/:id/follow', 'resident', 'Stop following a report', 'ReportFollowStateDto'),
  r('GET', '/me/report-follows', 'resident', 'Reports I follow, newest follow first', 'Page<FollowedReportDto>', { query: reportSchemas.followsQuery }),
  r('GET', '/geo/reverse', 'resident', 'The address at a point (Tencent reverse geocoding, cached)', 'ReverseGeocodeDto', { query: geoSchemas.reverseQuery }),
  r('GET', '/map/config', 'public', 'The H5 map’s tile source (TianDiTu in production)', 'MapConfigDto'),
  r('POST', '/reports', 'resident', 'Report a problem', '201 { report: ReportDto }; 409 IDEMPOTENCY_KEY_REUSED; 400 IDEMPOTENCY_KEY_INVALID', { body: reportSchemas.submitBody, idempotent: true }),
  r('GET', '/reports/:id', 'resident', 'My report', '{ report: ReportDto }', { query: reportSchemas.detailQuery }),
  r('GET', '/me/reports', 'resident', 'My reports, newest first', 'Page<ReportListItemDto>', { query: reportSchemas.listQuery }),
  r('POST', '/hooks/case-system', 'signed', 'Signed status updates from the case system', '{ applied }', { body: reportSchemas.webhookBody }),
  r('POST', '/reports/:id/rating', 'resident', 'Rate a closed case', '201 { rating }', { body: ratingSchemas.ratingBody }),
  r('POST', '/reports/:id/rework', 'resident', '重办 after a 差评', '202 { rating }', { body: ratingSchemas.reworkBody }),
  r('POST', '/reports/:id/fixed', 'resident', 'Answer 问题解决了吗?', '{ rating }; 409 FIXED_QUESTION_ALREADY_ANSWERED, FIXED_QUESTION_NOT_ASKED', { body: ratingSchemas.fixedBody }),
  r('GET', '/staff/ratings', 'ratings.read', 'Ratings (rater anonymous), 差评 only when asked', '{ items }', { query: ratingSchemas.staffListQuery }),
  r('POST', '/staff/ratings/:id/follow-up', 'ratings.follow_up', 'Close a 差评 follow-up with a note', '{ followUp }', { body: ratingSchemas.followUpBody }),
  r('POST', '/staff/ratings/:id/appeals', 'ratings.appeal.file', 'Appeal a rating', '201 { appeal }; 409 RATING_APPEAL_EXISTS', { body: ratingSchemas.appealBody }),
  r('POST', '/staff/rating-appeals/:id/decision', 'ratings.appeal.decide', 'Decide a rating appeal (another member)', '{ appeal }', { body: ratingSchemas.appealDecisionBody }),
  r('GET', '/me/rewards', 'resident', '我的奖励', 'MyRewardsDto', { query: rewardSchemas.listQuery }),
  r('POST', '/me/rewards/claims', 'resident', '提现', '201 { claim, balanceFen }; 409 INSUFFICIENT_BALANCE, IDEMPOTENT_REQUEST_IN_PROGRESS; 422 REWARD_CLAIM_INVALID (details: limits)', {
    body: rewardSchemas.claimBody,
    idempotent: true,
  }),
  r('PUT', '/me/rewards/leaderboard', 'resident', 'Opt in to the top-reporters figure', '{ optIn }', { body: rewardSchemas.optInBody }),
  r('POST', '/reports/:id/reward-appeal', 'resident', 'Appeal a reward decision', '201 { reward: ReportRewardDto }', { body: rewardSchemas.appealBody }),
  r('GET', '/staff/rewards/rules', 'rewards.read', 'Reward rules', '{ rules: RewardRules }'),
  r('PUT', '/staff/rewards/rules', 'rewards.rules.edit', 'Change the reward rules (bounded, audit-logged)', '{ rules: RewardRules }', { body: rewardSchemas.rewardRulesSchema }),
  r('GET', '/staff/rewards/rules/history', 'rewards.read', 'The rules’ change history, from the audit log', 'RewardRulesHistoryDto', { query: rewardRulesHistoryQuery }),
  r('GET', '/staff/rewards/review', 'rewards.read', 'Held rewards and pending appeals', '{ held, appeals }'),
  r('POST', '/staff/rewards/held/:reportId/decision', 'rewards.review', 'Approve or reject a held reward', '{ reward: ReportRewardDto }', { body: rewardSchemas.reviewBody }),
  r('POST', '/staff/rewards/appeals/:id/decision', 'rewards.review', 'Decide a reward appeal', '{ reward: ReportRewardDto }', { body: rewardSchemas.reviewBody }),
  r('GET', '/staff/rewards/figures', 'rewards.read', 'Budget used, rewards by category, top reporters', '{ figures }', { query: rewardSchemas.monthQuery }),
  r('GET', '/staff/rewards/payout-batches', 'payouts.confirm', 'Payout batches with creator and state', 'PayoutBatchListDto', { query: rewardSchemas.payoutBatchListQuery }),
  r('POST', '/staff/rewards/payout-batches', 'payouts.prepare', 'Batch the pending claims', '201 { batch }; 409 PAYOUT_NOTHING_TO_BATCH'),
  r('GET', '/staff/rewards/payout-batches/:id/csv', 'payouts.prepare', 'The batch as CSV', 'text/csv'),
  r(
    'POST',
    '/staff/rewards/payout-batches/:id/results',
    'payouts.confirm',
    'Mark claims paid or failed (not the batch’s creator)',
    '{ settled, alreadySettled }; 400 PAYOUT_CLAIMS_NOT_IN_BATCH (details.claimIds)',
    { body: rewardSchemas.batchResultsBody },
  ),
  r('POST', '/hooks/wechatpay/transfer', 'signed', 'WeChat Pay transfer callbacks (signed, encrypted)', '204'),
  r('GET', '/staff/figures', 'figures.read', '响应率, 处置率, 结案率, 满意率; CSV with format=csv', 'FiguresDto or text/csv', { query: figureSchemas.figuresQuery(TODAY) }),
  r('GET', '/public/scorecard', 'public', '城市管理成绩单', '{ scorecard: ScorecardDto }', { query: figureSchemas.scorecardQuery(TODAY.slice(0, 7)) }),
];

type JsonSchema = Record<string, unknown>;

function jsonSchema(schema: z.ZodType): JsonSchema {
  // Input side: what a client sends (query strings before their transforms, defaults optional).
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

const openApiPath = (path: string) => path.replace(/:(\w+)/g, '{$1}');

function operation(doc: RouteDoc): Record<string, unknown> {
  const parameters: Record<string, unknown>[] = [...doc.path.matchAll(/:(\w+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
  if (doc.query) {
    const q = jsonSchema(doc.query) as { properties?: Record<string, JsonSchema>; required?: string[] };
    for (const [name, schema] of Object.entries(q.properties ?? {})) parameters.push({ name, in: 'query', required: q.required?.includes(name) ?? false, schema });
  }
  if (doc.idempotent) parameters.push({ name: 'Idempotency-Key', in: 'header', required: true, schema: { type: 'string', minLength: 1, maxLength: 100 } });
  const staff = doc.access !== 'public' && doc.access !== 'resident' && doc.access !== 'signed';
  let requestBody: Record<string, unknown> | undefined;
  if (doc.body === 'csv-or-geojson') requestBody = { required: true, content: { 'text/csv': { schema: { type: 'string' } }, 'application/geo+json': { schema: { type: 'object' } } } };
  else if (doc.body === 'multipart-photo')
    requestBody = { required: true, content: { 'multipart/form-data': { schema: { type: 'object', properties: { file: { type: 'string', format: 'binary' } }, required: ['file'] } } } };
  else if (doc.body) requestBody = { required: true, content: { 'application/json': { schema: jsonSchema(doc.body) } } };
  return {
    summary: doc.summary,
    tags: [doc.path.split('/')[1] === 'staff' ? 'staff' : doc.path.split('/')[1]],
    ...(staff ? { security: [{ staff: [] }], 'x-permission': doc.access } : doc.access === 'resident' ? { security: [{ resident: [] }] } : { security: [] }),
    ...(parameters.length ? { parameters } : {}),
    ...(requestBody ? { requestBody } : {}),
    responses: {
      '200': { description: doc.response },
      default: {
        description: 'Any failure: `{ error: { code, message } }` with a code from shared/src/errors.ts',
        content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
      },
    },
  };
}

/** The OpenAPI 3.1 document, generated from ROUTE_DOCS and the zod schemas they name. */
export function openApiDocument(version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const doc of ROUTE_DOCS) {
    const key = openApiPath(doc.path);
    paths[key] ??= {};
    paths[key][doc.method.toLowerCase()] = operation(doc);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'CityLoop BFF',
      version,
      description:
        'Staff lists share one convention: `?limit&cursor&sort=field:asc|desc` answers `{ items, nextCursor }` (keyset paging; a cursor is only good for the list and sort that handed it out). Times are UTC ISO-8601, shown in Asia/Shanghai; money is integer fen. Staff routes name the permission they need in `x-permission` (shared/src/permissions.ts).',
    },
    servers: [{ url: '/api/v1' }],
    components: {
      securitySchemes: {
        staff: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'POST /staff/auth/login' },
        resident: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'POST /auth/wechat' },
      },
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message'],
              properties: {
                code: { type: 'string', enum: Object.keys(ERRORS), description: 'Switch on this; shared/src/errors.ts gives each its status and Chinese text' },
                message: { type: 'string', description: `Chinese, fit to show, except for ${[...DEVELOPER_MESSAGE_CODES].join(', ')} (English, for developers)` },
                details: { description: 'Machine-readable facts of the failure (limits, ids), when there are any' },
              },
            },
          },
        },
      },
    },
    paths,
  };
}
