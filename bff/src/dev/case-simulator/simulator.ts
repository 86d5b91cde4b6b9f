import http from 'node:http';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { REPORT_CATEGORIES, type ReportStatus } from '@cityloop/shared';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, signWebhook } from '../../ports/case-system/webhook-signature';

/**
 * A stand-in for the city's case system (数字城管平台 / 12345), speaking Open311 GeoReport v2 with our
 * extensions over real HTTP, so the Open311 adapter, dev mode and the tests exercise the real protocol.
 *
 * Open311 side (api_key in the form for writes):
 *   GET  /services.json
 *   POST /requests.json                  form: api_key, service_code, lat, long, address_string, description,
 *                                        media_url, attribute[client_request_id], attribute[media_urls], attribute[reporter_id]
 *   GET  /requests/{id}.json[?extensions=true]
 *   GET  /requests.json[?service_request_id=a,b][&status=open|closed][&service_code=]
 *   POST /requests/{id}/rework.json      form: api_key, reason          (重办, only from closed)
 *   POST /requests/{id}/feedback.json    form: api_key, rating, comment, follow_up_due (差评 passed on)
 * Operator side (header x-operator-key: <apiKey>):
 *   GET  /operator/requests              all cases, newest first
 *   GET  /operator/requests/{id}
 *   POST /operator/requests/{id}/{register|reject|merge|dispatch|handle|close|reopen}   JSON payload
 * Each step appends an update; with `webhook` set every update is pushed, signed, in order per case.
 */

export type CaseStatus = Exclude<ReportStatus, 'submitted'>;
export type OperatorAction = 'register' | 'reject' | 'merge' | 'dispatch' | 'handle' | 'close' | 'reopen';
export type FailureMode = 'none' | 'http503' | 'hang';

export interface ActionPayload {
  /** Overrides the default official note. */
  note?: string;
  /** reject, reopen: required. */
  reason?: string;
  /** merge: the earlier case this one duplicates. */
  into?: string;
  /** dispatch: defaults to the department for the category's group. */
  department?: string;
  /** dispatch: ISO 8601; defaults to three days after now(). */
  expected_datetime?: string;
  /** handle: after-photos. */
  media_urls?: string[];
}

export interface SimulatedUpdate {
  readonly update_id: string;
  readonly status: CaseStatus;
  readonly description: string;
  readonly agency_responsible: string | null;
  readonly expected_datetime: string | null;
  readonly media_urls: readonly string[];
  readonly updated_datetime: string;
  readonly merged_into: string | null;
}

export interface SimulatedCase {
  readonly serviceRequestId: string;
  readonly clientRequestId: string | null;
  readonly serviceCode: string;
  readonly status: CaseStatus;
  readonly department: string | null;
  readonly expectedAt: Date | null;
  readonly mergedInto: string | null;
  readonly requestedAt: Date;
  readonly updatedAt: Date;
  /** Every field the create request carried except api_key, as received (tests check what was sent). */
  readonly form: Readonly<Record<string, string>>;
  readonly updates: readonly SimulatedUpdate[];
}

/** The JSON pushed to the webhook for each update. */
export interface CaseWebhookPayload extends MutableUpdate {
  service_request_id: string;
  client_request_id: string | null;
}

export interface CaseSimulatorOptions {
  port?: number;
  host?: string;
  apiKey: string;
  webhook?: { url: string; secret: string; retryDelaysMs?: number[]; timeoutMs?: number };
  /** Demo mode: every open case takes one step (register → dispatch → handle → close) per interval. */
  autoAdvanceMs?: number;
  now?: () => Date;
  /** Departments a dispatch may name; also the ones auto-advance picks from. */
  departments?: string[];
  /** Case-number prefix (default CG) and first sequence number (default 1). */
  casePrefix?: string;
  firstSequence?: number;
  /**
   * Part of every case number that differs per start (default: 5 random characters). The simulator keeps
   * its cases in memory, so without it a restart would number from 000001 again and collide with the
   * case numbers the BFF already stored, and every later report would be refused forever.
   */
  runTag?: string;
}

export interface CaseSimulator {
  url: string;
  close(): Promise<void>;
  setFailure(mode: FailureMode): void;
  /** Live read-only view of every case by service_request_id, updates oldest first. */
  readonly cases: ReadonlyMap<string, SimulatedCase>;
  /** What an operator does in the case system's console; throws CaseSimulatorError on a refused step. */
  advance(caseId: string, action: OperatorAction, payload?: ActionPayload): SimulatedCase;
  /** Webhook deliveries not yet acknowledged or given up on. */
  readonly pendingDeliveries: number;
  /** 差评 received through feedback.json, oldest first. */
  readonly feedback: readonly { caseId: string; rating: string; comment: string; followUpDue: string }[];
}

export class CaseSimulatorError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'CaseSimulatorError';
  }
}

/** Department (处置单位) for each category group when an operator does not name one. */
const GROUP_DEPARTMENTS: Record<string, string> = {
  市容环境: '市容环境卫生管理处',
  宣传广告: '城市管理综合执法大队',
  施工管理: '住房和城乡建设局',
  街面秩序: '城市管理综合执法大队',
  突发事件: '市政设施管理处',
  公用设施: '市政设施管理处',
  道路交通: '交通运输局',
  园林绿化: '园林绿化管理处',
  房屋土地: '住房和城乡建设局',
};
const DEFAULT_DEPARTMENT = '城市管理综合执法大队';

/** Which detailed states each step may start from. */
const ALLOWED_FROM: Record<OperatorAction, readonly CaseStatus[]> = {
  register: ['received'],
  reject: ['received'],
  merge: ['received', 'accepted'],
  dispatch: ['accepted', 'reopened'],
  handle: ['dispatched', 'reopened'],
  close: ['handled'],
  reopen: ['closed'],
};
const ACTION_NAMES: Record<OperatorAction, string> = {
  register: '立案',
  reject: '不予立案',
  merge: '合并',
  dispatch: '派遣',
  handle: '处置',
  close: '结案',
  reopen: '重办',
};
const OPERATOR_ACTIONS = new Set<string>(Object.keys(ALLOWED_FROM));
/** Open311 core status: only open and closed. */
const CLOSED_STATES: ReadonlySet<CaseStatus> = new Set(['closed', 'rejected', 'duplicate']);
const DEFAULT_RETRY_DELAYS_MS = [200, 1000, 5000];
const CITY_OFFSET_MINUTES = 8 * 60; // Asia/Shanghai, no DST

interface MutableUpdate {
  update_id: string;
  status: CaseStatus;
  description: string;
  agency_responsible: string | null;
  expected_datetime: string | null;
  media_urls: string[];
  updated_datetime: string;
  merged_into: string | null;
}

interface MutableCase {
  serviceRequestId: string;
  clientRequestId: string | null;
  serviceCode: string;
  serviceName: string;
  description: string;
  address: string | null;
  lat: number | null;
  long: number | null;
  mediaUrl: string | null;
  status: CaseStatus;
  department: string | null;
  expectedAt: Date | null;
  mergedInto: string | null;
  requestedAt: Date;
  updatedAt: Date;
  form: Record<string, string>;
  updates: MutableUpdate[];
  autoTimer?: NodeJS.Timeout;
}

interface DeliveryQueue {
  items: CaseWebhookPayload[];
  running: boolean;
}

export async function startCaseSimulator(options: CaseSimulatorOptions): Promise<CaseSimulator> {
  if (!options.apiKey) throw new Error('case simulator needs an apiKey');
  const now = options.now ?? (() => new Date());
  const prefix = options.casePrefix ?? 'CG';
  const departments = options.departments?.length ? options.departments : null;
  const retryDelays = options.webhook?.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
  let sequence = options.firstSequence ?? 1;
  const runTag = options.runTag ?? randomBytes(4).readUInt32BE(0).toString(36).toUpperCase().padStart(5, '0').slice(-5);
  let failure: FailureMode = 'none';
  let closed = false;

  const cases = new Map<string, MutableCase>();
  const feedbackLog: { caseId: string; rating: string; comment: string; followUpDue: string }[] = [];
  const byClientId = new Map<string, string>();
  const timers = new Set<NodeJS.Timeout>();
  const queues = new Map<string, DeliveryQueue>();
  const stopDeliveries = new AbortController();
  let pending = 0;

  const later = (ms: number, fn: () => void): NodeJS.Timeout => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, ms);
    timers.add(timer);
    return timer;
  };

  // ---- the loop -------------------------------------------------------------------------------

  const addUpdate = (c: MutableCase, at: Date, status: CaseStatus, description: string, extra: { media_urls?: string[] } = {}) => {
    c.status = status;
    c.updatedAt = at;
    const update: MutableUpdate = {
      update_id: `${c.serviceRequestId}-${String(c.updates.length + 1).padStart(2, '0')}`,
      status,
      description,
      agency_responsible: c.department,
      expected_datetime: c.expectedAt ? cityTime(c.expectedAt) : null,
      media_urls: extra.media_urls ?? [],
      updated_datetime: cityTime(at),
      merged_into: status === 'duplicate' ? c.mergedInto : null,
    };
    c.updates.push(update);
    enqueueWebhook(c, update);
    scheduleAutoAdvance(c);
  };

  const departmentFor = (c: MutableCase): string => {
    if (departments) return departments[Number(c.serviceRequestId.slice(-6)) % departments.length] ?? departments[0];
    const group = REPORT_CATEGORIES.find((cat) => cat.serviceCode === c.serviceCode)?.group;
    return (group && GROUP_DEPARTMENTS[group]) || DEFAULT_DEPARTMENT;
  };

  const advance = (caseId: string, action: OperatorAction, payload: ActionPayload = {}): MutableCase => {
    if (closed) throw new CaseSimulatorError(503, 'simulator is closed');
    const c = cases.get(caseId);
    if (!c) throw new CaseSimulatorError(404, `case ${caseId} not found`);
    if (!OPERATOR_ACTIONS.has(action)) throw new CaseSimulatorError(404, `unknown action ${String(action)}`);
    if (!isObject(payload)) throw new CaseSimulatorError(400, 'payload must be a JSON object');
    if (!ALLOWED_FROM[action].includes(c.status)) {
      throw new CaseSimulatorError(409, `cannot ${action} (${ACTION_NAMES[action]}) a case that is ${c.status}; allowed from: ${ALLOWED_FROM[action].join(', ')}`);
    }
    const note = optionalText(payload.note, 'note');
    const at = now();
    switch (action) {
      case 'register':
        addUpdate(c, at, 'accepted', note ?? '已立案，等待派遣');
        break;
      case 'reject': {
        const reason = requiredText(payload.reason, 'reason');
        addUpdate(c, at, 'rejected', note ?? `不予立案：${reason}`);
        break;
      }
      case 'merge': {
        const into = requiredText(payload.into, 'into');
        const target = cases.get(into);
        if (!target) throw new CaseSimulatorError(400, `merge target ${into} not found`);
        if (target === c) throw new CaseSimulatorError(400, 'a case cannot be merged into itself');
        if (target.status === 'duplicate') throw new CaseSimulatorError(400, `merge target ${into} is itself merged into ${target.mergedInto}`);
        c.mergedInto = into;
        addUpdate(c, at, 'duplicate', note ?? `与案件 ${into} 反映同一问题，已合并办理`);
        break;
      }
      case 'dispatch': {
        const department = optionalText(payload.department, 'department') ?? c.department ?? departmentFor(c);
        if (departments && !departments.includes(department)) throw new CaseSimulatorError(400, `unknown department ${department}`);
        let expected: Date;
        if (payload.expected_datetime !== undefined) {
          const parsed = typeof payload.expected_datetime === 'string' ? new Date(payload.expected_datetime) : new Date(NaN);
          if (Number.isNaN(parsed.getTime())) throw new CaseSimulatorError(400, 'expected_datetime must be an ISO 8601 date-time');
          expected = parsed;
        } else expected = new Date(at.getTime() + 3 * 24 * 3600_000);
        c.department = department;
        c.expectedAt = expected;
        addUpdate(c, at, 'dispatched', note ?? `已派遣至 ${department}`);
        break;
      }
      case 'handle': {
        const media = payload.media_urls ?? [];
        if (!Array.isArray(media) || media.some((u) => typeof u !== 'string' || !isHttpUrl(u))) {
          throw new CaseSimulatorError(400, 'media_urls must be an array of http(s) URLs');
        }
        addUpdate(c, at, 'handled', note ?? '已处置完毕', { media_urls: [...media] });
        break;
      }
      case 'close':
        addUpdate(c, at, 'closed', note ?? '经核查，问题已解决，予以结案');
        break;
      case 'reopen': {
        const reason = requiredText(payload.reason, 'reason');
        // Rework is a new round with its own time limit, as the city's systems set it on re-dispatch.
        c.expectedAt = new Date(at.getTime() + 3 * 24 * 3600_000);
        addUpdate(c, at, 'reopened', note ?? `重新办理：${reason}`);
        break;
      }
    }
    return c;
  };

  const AUTO_NEXT: Partial<Record<CaseStatus, OperatorAction>> = {
    received: 'register',
    accepted: 'dispatch',
    dispatched: 'handle',
    reopened: 'handle',
    handled: 'close',
  };
  const scheduleAutoAdvance = (c: MutableCase) => {
    if (!options.autoAdvanceMs || closed) return;
    if (c.autoTimer) {
      clearTimeout(c.autoTimer);
      timers.delete(c.autoTimer);
      c.autoTimer = undefined;
    }
    const next = AUTO_NEXT[c.status];
    if (!next) return;
    c.autoTimer = later(options.autoAdvanceMs, () => {
      c.autoTimer = undefined;
      if (AUTO_NEXT[c.status] !== next) return;
      advance(c.serviceRequestId, next, next === 'handle' ? { note: '已处置完毕（自动演示）' } : {});
    });
  };

  // ---- webhooks: one ordered queue per case, retried with backoff, then dropped (the BFF polls) ---

  const enqueueWebhook = (c: MutableCase, u: MutableUpdate) => {
    if (!options.webhook || closed) return;
    const payload: CaseWebhookPayload = {
      update_id: u.update_id,
      service_request_id: c.serviceRequestId,
      client_request_id: c.clientRequestId,
      status: u.status,
      description: u.description,
      agency_responsible: u.agency_responsible,
      expected_datetime: u.expected_datetime,
      media_urls: [...u.media_urls],
      updated_datetime: u.updated_datetime,
      merged_into: u.merged_into,
    };
    let queue = queues.get(c.serviceRequestId);
    if (!queue) {
      queue = { items: [], running: false };
      queues.set(c.serviceRequestId, queue);
    }
    queue.items.push(payload);
    pending += 1;
    if (!queue.running) void drain(c.serviceRequestId, queue);
  };

  const drain = async (caseId: string, queue: DeliveryQueue) => {
    queue.running = true;
    while (queue.items.length > 0 && !closed) {
      const payload = queue.items[0];
      for (let attempt = 0; !closed; attempt += 1) {
        if (await deliver(payload)) break;
        if (attempt >= retryDelays.length) break; // give up on this one; the BFF's poll catches up
        await new Promise<void>((resolve) => later(retryDelays[attempt], resolve));
      }
      queue.items.shift();
      pending -= 1;
    }
    queue.running = false;
    if (queue.items.length === 0) queues.delete(caseId);
  };

  const deliver = async (payload: CaseWebhookPayload): Promise<boolean> => {
    const hook = options.webhook!;
    const body = JSON.stringify(payload);
    const timestamp = Math.floor(Date.now() / 1000);
    try {
      const res = await fetch(hook.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [TIMESTAMP_HEADER]: String(timestamp),
          [SIGNATURE_HEADER]: signWebhook(hook.secret, timestamp, body),
        },
        body,
        signal: AbortSignal.any([stopDeliveries.signal, AbortSignal.timeout(hook.timeoutMs ?? 5000)]),
      });
      await res.arrayBuffer().catch(() => undefined);
      return res.status >= 200 && res.status < 300;
    } catch {
      return false;
    }
  };

  // ---- Open311 ----------------------------------------------------------------------------------

  const create = (form: URLSearchParams): { status: number; body: unknown } => {
    const serviceCode = form.get('service_code')?.trim();
    if (!serviceCode) return error(400, 'service_code is required');
    const category = REPORT_CATEGORIES.find((cat) => cat.serviceCode === serviceCode);
    if (!category) return error(400, `service_code ${serviceCode} not found`);

    const latText = form.get('lat');
    const longText = form.get('long');
    const address = form.get('address_string')?.trim() || null;
    let lat: number | null = null;
    let long: number | null = null;
    if (latText !== null || longText !== null) {
      lat = Number(latText);
      long = Number(longText);
      if (latText === null || longText === null || latText.trim() === '' || longText.trim() === '' || !Number.isFinite(lat) || !Number.isFinite(long) || Math.abs(lat) > 90 || Math.abs(long) > 180) {
        return error(400, 'lat and long must both be WGS-84 decimal degrees');
      }
    } else if (!address) return error(400, 'a location is required: lat and long, or address_string');

    const description = form.get('description') ?? '';
    if ([...description].length > 4000) return error(400, 'description must be at most 4000 characters');
    const mediaUrl = form.get('media_url') || null;
    if (mediaUrl && !isHttpUrl(mediaUrl)) return error(400, 'media_url must be an http(s) URL');
    const extraMedia = form.get('attribute[media_urls]');
    if (extraMedia !== null) {
      let list: unknown;
      try {
        list = JSON.parse(extraMedia);
      } catch {
        list = null;
      }
      if (!Array.isArray(list) || list.some((u) => typeof u !== 'string' || !isHttpUrl(u))) {
        return error(400, 'attribute[media_urls] must be a JSON array of http(s) URLs');
      }
    }
    const clientRequestId = form.get('attribute[client_request_id]')?.trim() || null;
    if (clientRequestId && clientRequestId.length > 200) return error(400, 'attribute[client_request_id] is too long');

    if (clientRequestId) {
      const existing = byClientId.get(clientRequestId);
      if (existing) return { status: 200, body: [{ service_request_id: existing, service_notice: '该请求已受理' }] };
    }

    const at = now();
    const serviceRequestId = `${prefix}${cityDate(at)}-${runTag}-${String(sequence).padStart(6, '0')}`;
    sequence += 1;
    const received: Record<string, string> = {};
    for (const [k, v] of form) if (k !== 'api_key') received[k] = v;
    const c: MutableCase = {
      serviceRequestId,
      clientRequestId,
      serviceCode,
      serviceName: category.name,
      description,
      address,
      lat,
      long,
      mediaUrl,
      status: 'received',
      department: null,
      expectedAt: null,
      mergedInto: null,
      requestedAt: at,
      updatedAt: at,
      form: received,
      updates: [],
    };
    cases.set(serviceRequestId, c);
    if (clientRequestId) byClientId.set(clientRequestId, serviceRequestId);
    addUpdate(c, at, 'received', `已受理，案件编号 ${serviceRequestId}`);
    return { status: 201, body: [{ service_request_id: serviceRequestId, service_notice: '已受理' }] };
  };

  const toOpen311 = (c: MutableCase, extensions: boolean) => {
    const last = c.updates.at(-1);
    const request: Record<string, unknown> = {
      service_request_id: c.serviceRequestId,
      status: CLOSED_STATES.has(c.status) ? 'closed' : 'open',
      status_notes: last?.description ?? null,
      service_name: c.serviceName,
      service_code: c.serviceCode,
      description: c.description,
      agency_responsible: c.department,
      service_notice: null,
      requested_datetime: cityTime(c.requestedAt),
      updated_datetime: cityTime(c.updatedAt),
      expected_datetime: c.expectedAt ? cityTime(c.expectedAt) : null,
      address: c.address,
      address_id: null,
      zipcode: null,
      lat: c.lat,
      long: c.long,
      media_url: c.mediaUrl,
    };
    if (extensions) {
      request.extended_attributes = {
        client_request_id: c.clientRequestId,
        detailed_status: c.status,
        merged_into: c.mergedInto,
        updates: c.updates.map((u) => ({ ...u, media_urls: [...u.media_urls] })),
      };
    }
    return request;
  };

  const routeOpen311 = async (req: http.IncomingMessage, url: URL): Promise<{ status: number; body: unknown }> => {
    const path = url.pathname;
    const extensions = url.searchParams.get('extensions') === 'true';
    if (req.method === 'GET' && path === '/services.json') {
      return {
        status: 200,
        body: REPORT_CATEGORIES.map((cat) => ({
          service_code: cat.serviceCode,
          service_name: cat.name,
          description: `${cat.group} · ${cat.name}`,
          metadata: false,
          type: 'realtime',
          keywords: [cat.code],
          group: cat.group,
        })),
      };
    }
    if (req.method === 'POST' && path === '/requests.json') {
      const form = await readForm(req);
      if (!form) return error(400, 'body must be application/x-www-form-urlencoded');
      if (!keyMatches(form.get('api_key') ?? url.searchParams.get('api_key'), options.apiKey)) return error(403, 'Invalid api_key');
      return create(form);
    }
    if (req.method === 'GET' && path === '/requests.json') {
      const ids = url.searchParams.get('service_request_id');
      const status = url.searchParams.get('status');
      const serviceCode = url.searchParams.get('service_code');
      let list = ids
        ? ids.split(',').map((id) => cases.get(id.trim())).filter((c): c is MutableCase => Boolean(c))
        : [...cases.values()].reverse();
      if (status) list = list.filter((c) => (CLOSED_STATES.has(c.status) ? 'closed' : 'open') === status);
      if (serviceCode) list = list.filter((c) => c.serviceCode === serviceCode);
      return { status: 200, body: list.slice(0, 1000).map((c) => toOpen311(c, extensions)) };
    }
    const one = /^\/requests\/([^/]+)\.json$/.exec(path);
    if (req.method === 'GET' && one) {
      const c = cases.get(decodeURIComponent(one[1]));
      if (!c) return error(404, `service_request_id ${decodeURIComponent(one[1])} not found`);
      return { status: 200, body: [toOpen311(c, extensions)] };
    }
    const rework = /^\/requests\/([^/]+)\/rework\.json$/.exec(path);
    if (req.method === 'POST' && rework) {
      const form = await readForm(req);
      if (!form) return error(400, 'body must be application/x-www-form-urlencoded');
      if (!keyMatches(form.get('api_key') ?? url.searchParams.get('api_key'), options.apiKey)) return error(403, 'Invalid api_key');
      const id = decodeURIComponent(rework[1]);
      const c = advanceOrError(id, 'reopen', { reason: form.get('reason') ?? undefined });
      if ('status' in c) return c;
      return { status: 200, body: [toOpen311(c.case, true)] };
    }
    const feedback = /^\/requests\/([^/]+)\/feedback\.json$/.exec(path);
    if (req.method === 'POST' && feedback) {
      const form = await readForm(req);
      if (!form) return error(400, 'body must be application/x-www-form-urlencoded');
      if (!keyMatches(form.get('api_key') ?? url.searchParams.get('api_key'), options.apiKey)) return error(403, 'Invalid api_key');
      const c = cases.get(decodeURIComponent(feedback[1]));
      if (!c) return error(404, `service_request_id ${decodeURIComponent(feedback[1])} not found`);
      const rating = form.get('rating') ?? '';
      if (!rating) return error(400, 'rating is required');
      feedbackLog.push({ caseId: c.serviceRequestId, rating, comment: form.get('comment') ?? '', followUpDue: form.get('follow_up_due') ?? '' });
      return { status: 200, body: [{ service_request_id: c.serviceRequestId, received: true }] };
    }
    return error(404, `no such endpoint: ${req.method} ${path}`);
  };

  const advanceOrError = (id: string, action: OperatorAction, payload: ActionPayload): { case: MutableCase } | { status: number; body: unknown } => {
    try {
      return { case: advance(id, action, payload) };
    } catch (err) {
      if (err instanceof CaseSimulatorError) return error(err.status, err.message);
      throw err;
    }
  };

  // ---- operator console ----------------------------------------------------------------------

  const routeOperator = async (req: http.IncomingMessage, url: URL): Promise<{ status: number; body: unknown }> => {
    if (!keyMatches(headerValue(req.headers['x-operator-key']), options.apiKey)) return error(403, 'Invalid operator key');
    const path = url.pathname;
    if (req.method === 'GET' && path === '/operator/requests') {
      return { status: 200, body: [...cases.values()].reverse().map((c) => toOpen311(c, true)) };
    }
    const one = /^\/operator\/requests\/([^/]+)$/.exec(path);
    if (req.method === 'GET' && one) {
      const c = cases.get(decodeURIComponent(one[1]));
      return c ? { status: 200, body: toOpen311(c, true) } : error(404, `case ${decodeURIComponent(one[1])} not found`);
    }
    const step = /^\/operator\/requests\/([^/]+)\/([a-z]+)$/.exec(path);
    if (req.method === 'POST' && step) {
      if (!OPERATOR_ACTIONS.has(step[2])) return error(404, `unknown action ${step[2]}`);
      const text = await readBody(req);
      let payload: unknown = {};
      if (text.trim()) {
        try {
          payload = JSON.parse(text);
        } catch {
          return error(400, 'body must be JSON');
        }
      }
      if (!isObject(payload)) return error(400, 'body must be a JSON object');
      const result = advanceOrError(decodeURIComponent(step[1]), step[2] as OperatorAction, payload as ActionPayload);
      if ('status' in result) return result;
      return { status: 200, body: toOpen311(result.case, true) };
    }
    return error(404, `no such endpoint: ${req.method} ${path}`);
  };

  // ---- server ---------------------------------------------------------------------------------

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const operator = url.pathname.startsWith('/operator/');
    if (!operator && failure === 'hang') return; // never answers; close() destroys the socket
    if (!operator && failure === 'http503') {
      req.resume();
      return send(res, 503, [{ code: 503, description: 'Service unavailable' }]);
    }
    const route = operator ? routeOperator : routeOpen311;
    route(req, url).then(
      ({ status, body }) => send(res, status, body),
      (err: unknown) => {
        if (err instanceof BodyTooLarge) return send(res, 413, [{ code: 413, description: 'request body too large' }]);
        send(res, 500, [{ code: 500, description: 'internal error' }]);
      },
    );
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    url: `http://${host}:${address.port}`,
    cases: cases as ReadonlyMap<string, SimulatedCase>,
    setFailure: (mode) => {
      failure = mode;
    },
    advance: (caseId, action, payload) => advance(caseId, action, payload),
    feedback: feedbackLog,
    get pendingDeliveries() {
      return pending;
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (closed) return resolve();
        closed = true;
        for (const t of timers) clearTimeout(t);
        timers.clear();
        stopDeliveries.abort();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// ---- helpers --------------------------------------------------------------------------------------

function error(status: number, description: string): { status: number; body: unknown } {
  return { status, body: [{ code: status, description }] };
}

function send(res: http.ServerResponse, status: number, body: unknown) {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

class BodyTooLarge extends Error {}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > 1_000_000) {
        req.removeAllListeners('data');
        req.resume();
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

async function readForm(req: http.IncomingMessage): Promise<URLSearchParams | null> {
  const type = String(req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  const text = await readBody(req);
  if (type !== 'application/x-www-form-urlencoded') return null;
  return new URLSearchParams(text);
}

function keyMatches(given: string | null | undefined, expected: string): boolean {
  return typeof given === 'string' && given.length === expected.length && given === expected;
}

function headerValue(value: string | string[] | undefined): string | null {
  return Array.isArray(value) ? value[0] ?? null : value ?? null;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isHttpUrl(value: string): boolean {
  try {
    const u = new URL(value);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

function requiredText(value: unknown, name: string): string {
  const text = optionalText(value, name);
  if (!text) throw new CaseSimulatorError(400, `${name} is required`);
  return text;
}

function optionalText(value: unknown, name: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new CaseSimulatorError(400, `${name} must be a string`);
  const text = value.trim();
  if (text.length > 2000) throw new CaseSimulatorError(400, `${name} is too long`);
  return text || undefined;
}

/** W3C date-time in the city's zone, as Chinese platforms report it: 2026-11-22T09:30:00.000+08:00. */
function cityTime(date: Date): string {
  const local = new Date(date.getTime() + CITY_OFFSET_MINUTES * 60_000);
  return `${local.toISOString().slice(0, 23)}+08:00`;
}

function cityDate(date: Date): string {
  return cityTime(date).slice(0, 10).replaceAll('-', '');
}
