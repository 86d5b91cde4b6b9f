// The fuzz corpus: every route of the BFF with a valid request, and the hostile values each field gets.
import { api, type TestApp } from './test-app';

/**
 * The fuzz corpus, kept as a test: every route of the BFF (read from its router, so a new route
 * without an entry here fails the suite) × eight hostile values in each body field, each query
 * parameter and each path parameter. Every answer must be below 500, and every refusal must carry
 * `{ error: { code, message } }` with a registered code. The counts are printed for the release note.
 */

export type Who = 'anonymous' | 'resident' | 'staff' | 'webhook';
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface RouteCase {
  who: Who;
  /** A body that passes validation, so each fuzzed field is what validation trips on. */
  body?: Json | ((t: FuzzContext) => Promise<Json>);
  /** A CSV file instead of JSON (the import). */
  csv?: Record<string, string>;
  /** Query parameters that pass validation; each is fuzzed in turn. */
  query?: Record<string, string>;
  /** Multipart upload (photos): the file's bytes are fuzzed. */
  multipart?: true;
  idempotent?: true;
}

export interface FuzzContext {
  t: TestApp;
  staff: string;
}

export const ID = '00000000-0000-4000-8000-000000000000';
export const BIG = 'x'.repeat(10 * 1024);

/** The eight hostile values, as JSON and as a query or path string. */
export const CASES: { name: string; json: Json; text: string }[] = [
  { name: 'NUL', json: 'a\u0000b', text: encodeURIComponent('a\u0000b') },
  // A lone surrogate travels in JSON as the escape \ud83d; in a URL only as its (invalid UTF-8) bytes.
  { name: 'lone surrogate', json: '\ud83dx', text: '%ED%A0%BDx' },
  { name: '10 kB string', json: BIG, text: BIG },
  { name: 'wrong type', json: [true], text: '' /* query: the key repeated, so it arrives as an array */ },
  { name: 'null', json: null, text: 'null' },
  { name: 'negative', json: -1, text: '-1' },
  { name: '1e308', json: 1e308, text: '1e308' },
  { name: 'empty', json: '', text: '' },
];

export const spotBody: Json = {
  code: 'FUZZ-1',
  name: '测试夜市',
  kind: 'night_market',
  district: '测试区',
  street: '测试街道',
  address: '测试路 1 号',
  location: { lat: 31, lng: 86, coordSystem: 'wgs84', approximate: false },
  radiusMeters: 100,
  capacity: 40,
  goods: ['snacks'],
  facilities: ['power'],
  rules: '不得占用盲道',
  manager: { name: '王经理', phone: '0871-12345678' },
  photos: ['https://img.cityloop.example/a.jpg'],
  schedule: {
    weekly: [{ days: [1, 2, 3], windows: [{ open: '18:00', close: '22:00' }] }],
    seasons: [{ from: '2026-06-01', to: '2026-09-30' }],
    exceptions: [{ date: '2026-10-01', closed: true, note: '国庆' }],
  },
};

export const ROUTES: Record<string, RouteCase> = {
  'GET /api/v1/health': { who: 'anonymous' },
  'GET /api/v1/openapi.json': { who: 'anonymous' },
  'POST /api/v1/auth/wechat': { who: 'anonymous', body: { code: 'dev:fuzzer' } },
  'GET /api/v1/me': { who: 'resident' },
  'POST /api/v1/staff/auth/login': { who: 'anonymous', body: { username: 'nobody', password: 'a long passphrase' } },
  'GET /api/v1/staff/me': { who: 'staff' },
  'GET /api/v1/me/data-export': { who: 'resident' },
  // A valid body would erase the fuzzing resident; `confirm: false` is refused before anything happens.
  'DELETE /api/v1/me': { who: 'resident', body: { confirm: false, forfeitBalance: false } },
  'POST /api/v1/staff/me/password': { who: 'staff', body: { currentPassword: 'not the current one', newPassword: 'a new long passphrase' } },
  'GET /api/v1/staff/accounts': { who: 'staff' },
  'POST /api/v1/staff/accounts': { who: 'staff', body: { username: 'fuzz-new-member', displayName: '新同事', password: 'an initial passphrase', role: 'viewer' } },
  'PATCH /api/v1/staff/accounts/:id': { who: 'staff', body: { displayName: '新名字', role: 'viewer', disabled: false } },
  'POST /api/v1/staff/accounts/:id/unlock': { who: 'staff' },
  'PUT /api/v1/staff/users/:id/block': { who: 'staff', body: { blocked: true, reason: '恶意举报' } },
  'GET /api/v1/stall-spots': {
    who: 'anonymous',
    query: {
      lat: '31',
      lng: '86',
      coordSystem: 'wgs84',
      radius: '1000',
      openNow: 'true',
      at: '2026-11-23T19:00:00+08:00',
      goods: 'snacks',
      kind: 'night_market',
      q: '夜市',
      limit: '10',
      cursor: 'eyJjIjowLCJpIjoiMDAwMDAwMDAtMDAwMC00MDAwLTgwMDAtMDAwMDAwMDAwMDAwIn0',
    },
  },
  'GET /api/v1/stall-spots/check': { who: 'anonymous', query: { lat: '31', lng: '86', coordSystem: 'wgs84', goods: 'snacks' } },
  'GET /api/v1/stall-spots/:id': { who: 'anonymous', query: { lat: '31', lng: '86', coordSystem: 'wgs84' } },
  'PUT /api/v1/stall-spots/:id/follow': { who: 'resident' },
  'DELETE /api/v1/stall-spots/:id/follow': { who: 'resident' },
  'GET /api/v1/me/stall-spot-follows': { who: 'resident', query: { coordSystem: 'wgs84' } },
  'POST /api/v1/staff/stall-spots': { who: 'staff', body: spotBody },
  'PATCH /api/v1/staff/stall-spots/:id': { who: 'staff', body: { name: '新名字', street: '新街道', capacity: 10, manager: { name: '李经理', phone: '0871-1234567' } } },
  'POST /api/v1/staff/stall-spots/:id/suspend': { who: 'staff', body: { reason: '道路施工', until: '2099-12-01T00:00:00+08:00' } },
  'POST /api/v1/staff/stall-spots/:id/resume': { who: 'staff' },
  'POST /api/v1/staff/stall-spots/import': {
    who: 'staff',
    query: { dryRun: 'true' },
    csv: {
      code: 'FUZZ-CSV-1',
      name: '夜市',
      kind: '夜市',
      district: '呈贡区',
      street: '',
      address: '仕林街',
      lat: '30.1',
      lng: '85.1',
      coord_system: 'wgs84',
      approximate: '',
      radius_m: '80',
      capacity: '10',
      goods: '小吃',
      facilities: '',
      rules: '',
      manager_name: '',
      manager_phone: '',
      photos: '',
      schedule: '1-7 18:00-22:00',
    },
  },
  'POST /api/v1/photos': { who: 'resident', multipart: true },
  'GET /api/v1/photos/:id/:variant': { who: 'anonymous', query: { exp: '9999999999', sig: 'abc' } },
  'GET /api/v1/staff/reports/:id': { who: 'staff', query: { coordSystem: 'wgs84' } },
  'POST /api/v1/reports': {
    who: 'resident',
    idempotent: true,
    body: {
      category: 'exposed_garbage',
      description: '路边堆了很多生活垃圾，已经好几天没人清理',
      location: { lat: 23, lng: 111, coordSystem: 'wgs84' },
      address: '测试路 8 号',
      photoIds: [ID],
      street: '仕林街道',
    },
  },
  'GET /api/v1/reports/nearby': { who: 'resident', query: { category: 'exposed_garbage', lat: '23', lng: '111', coordSystem: 'wgs84' } },
  'PUT /api/v1/reports/:id/follow': { who: 'resident' },
  'DELETE /api/v1/reports/:id/follow': { who: 'resident' },
  'GET /api/v1/me/report-follows': {
    who: 'resident',
    query: { cursor: 'eyJzIjoicmVwb3J0Rm9sbG93czpmb2xsb3dlZEF0OmRlc2MiLCJ2IjoiMjAyNi0xMS0yM1QxMTowMDowMC4wMDAwMDBaIiwiaSI6IjAwMDAwMDAwLTAwMDAtNDAwMC04MDAwLTAwMDAwMDAwMDAwMCJ9', limit: '10' },
  },
  'GET /api/v1/geo/reverse': { who: 'resident', query: { lat: '24.858', lng: '102.849', coordSystem: 'gcj02' } },
  'GET /api/v1/map/config': { who: 'anonymous' },
  'GET /api/v1/reports/:id': { who: 'resident', query: { coordSystem: 'wgs84' } },
  'GET /api/v1/me/reports': { who: 'resident', query: { cursor: Buffer.from(`${Date.now()}|${ID}`).toString('base64url'), limit: '10' } },
  'POST /api/v1/hooks/case-system': {
    who: 'webhook',
    body: {
      update_id: 'fuzz-update',
      service_request_id: 'NO-SUCH-CASE',
      client_request_id: ID,
      status: 'accepted',
      description: '已立案',
      agency_responsible: '市容环境卫生管理处',
      expected_datetime: '2026-12-01T00:00:00+08:00',
      media_urls: ['https://city.example/after/1.jpg'],
      updated_datetime: '2026-11-23T19:00:00+08:00',
      merged_into: 'CG-1',
    },
  },
  'POST /api/v1/reports/:id/rating': { who: 'resident', body: { level: 'dissatisfied', speed: 2, result: 2, attitude: 3, comment: '处理太慢' } },
  'POST /api/v1/reports/:id/rework': { who: 'resident', body: { reason: '问题仍在' } },
  'POST /api/v1/reports/:id/fixed': { who: 'resident', body: { fixed: false } },
  'GET /api/v1/staff/ratings': { who: 'staff', query: { bad: 'true', limit: '10' } },
  'POST /api/v1/staff/ratings/:id/follow-up': { who: 'staff', body: { note: '已回访' } },
  'POST /api/v1/staff/ratings/:id/appeals': { who: 'staff', body: { reason: '恶意评价' } },
  'POST /api/v1/staff/rating-appeals/:id/decision': { who: 'staff', body: { uphold: true, note: '属实' } },
  'GET /api/v1/me/rewards': { who: 'resident', query: { cursor: '5', limit: '10' } },
  'POST /api/v1/me/rewards/claims': { who: 'resident', idempotent: true, body: { amountFen: 100 } },
  'PUT /api/v1/me/rewards/leaderboard': { who: 'resident', body: { optIn: true } },
  'POST /api/v1/reports/:id/reward-appeal': { who: 'resident', body: { reason: '这是我先发现的问题' } },
  'GET /api/v1/staff/rewards/rules': { who: 'staff' },
  'PUT /api/v1/staff/rewards/rules': {
    who: 'staff',
    body: async ({ t, staff }) => (await api(t.baseUrl, '/api/v1/staff/rewards/rules', { token: staff })).body.rules as Json,
  },
  'GET /api/v1/staff/rewards/review': { who: 'staff' },
  'POST /api/v1/staff/rewards/held/:reportId/decision': { who: 'staff', body: { approve: true, note: '照片真实' } },
  'POST /api/v1/staff/rewards/appeals/:id/decision': { who: 'staff', body: { approve: false, note: '重复举报' } },
  'PUT /api/v1/staff/users/:id/reward-exclusion': { who: 'staff', body: { exclusion: 'inspector' } },
  'GET /api/v1/staff/rewards/figures': { who: 'staff', query: { month: '2026-11' } },
  'POST /api/v1/staff/rewards/payout-batches': { who: 'staff' },
  'GET /api/v1/staff/rewards/payout-batches/:id/csv': { who: 'staff' },
  'POST /api/v1/staff/rewards/payout-batches/:id/results': { who: 'staff', body: { paid: [ID], failed: [{ claimId: ID, reason: '账户异常' }] } },
  // Not configured in this app (PAYOUT_METHOD=manual), so 404 before any body is read; its signed path has its own suite.
  'POST /api/v1/hooks/wechatpay/transfer': { who: 'anonymous', body: { id: 'n-1', resource: { ciphertext: 'abc', nonce: 'n', associated_data: 'transfer' } } },
  'GET /api/v1/staff/figures': {
    who: 'staff',
    query: { from: '2026-11-01', to: '2026-11-23', groupBy: 'street', street: '仕林街道', category: 'exposed_garbage', department: '市容环境卫生管理处', format: 'json' },
  },
  'GET /api/v1/public/scorecard': { who: 'anonymous', query: { month: '2026-11' } },
  'GET /api/v1/staff/reports': {
    who: 'staff',
    query: {
      status: 'received,closed',
      category: 'exposed_garbage',
      street: '仕林街道',
      from: '2026-11-01',
      to: '2026-11-23',
      rewardState: 'held',
      hasBadRating: 'true',
      caseNumber: 'CG-1',
      coordSystem: 'wgs84',
      limit: '10',
      sort: 'createdAt:desc',
    },
  },
  'GET /api/v1/staff/reports/map-points': {
    who: 'staff',
    query: {
      status: 'received',
      category: 'exposed_garbage',
      street: '仕林街道',
      from: '2026-11-01',
      to: '2026-11-23',
      rewardState: 'pending',
      hasBadRating: 'false',
      caseNumber: 'CG',
      coordSystem: 'gcj02',
      limit: '100',
    },
  },
  'GET /api/v1/staff/dashboard': { who: 'staff' },
  'GET /api/v1/staff/audit-log': {
    who: 'staff',
    query: { actorKind: 'staff', actorId: ID, action: 'user.block', entityType: 'user', entityId: ID, from: '2026-11-01', to: '2026-11-23', limit: '10', sort: 'createdAt:asc' },
  },
  'GET /api/v1/staff/rewards/rules/history': { who: 'staff', query: { limit: '5', sort: 'createdAt:desc' } },
  'GET /api/v1/staff/users/lookup': { who: 'staff', query: { caseNumber: 'CG-1' } },
  'GET /api/v1/staff/users/:id': { who: 'staff' },
  'GET /api/v1/staff/rewards/payout-batches': { who: 'staff', query: { state: 'awaiting_confirmation', limit: '10', sort: 'createdAt:desc' } },
  'POST /api/v1/staff/accounts/:id/password': { who: 'staff', body: { newPassword: 'a new long passphrase' } },
  'GET /api/v1/staff/stall-spots': { who: 'staff', query: { status: 'suspended', district: '呈贡区', street: '仕林街道', q: '夜市', coordSystem: 'wgs84', limit: '10', sort: 'code:asc' } },
};

/** Leaf paths of a JSON value: object keys recursively, and the first element of each array. */
export function leafPaths(value: Json, prefix: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(value)) return [prefix, ...(value.length ? leafPaths(value[0], [...prefix, 0]) : [])];
  if (value && typeof value === 'object') return [...(prefix.length ? [prefix] : []), ...Object.entries(value).flatMap(([k, v]) => leafPaths(v, [...prefix, k]))];
  return [prefix];
}

export function withValue(body: Json, path: (string | number)[], value: Json): Json {
  const copy = structuredClone(body);
  let node: any = copy;
  for (const key of path.slice(0, -1)) node = node[key];
  node[path[path.length - 1]] = value;
  return copy;
}

export const csvCell = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
