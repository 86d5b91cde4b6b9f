import { cutText, isStorableInstant, toStorableText, type ReportStatus } from '@cityloop/shared';
import { CaseSystemError, type BadRatingFeedback, type CaseService, type CaseSnapshot, type CaseSystem, type CaseUpdate, type NewCase } from './case-system';

export interface Open311Options {
  /** Endpoint root, e.g. `https://city.example/open311/v2`; `services.json` etc. are resolved below it. */
  baseUrl: string;
  apiKey: string;
  jurisdictionId?: string;
  timeoutMs: number;
}

type CaseStatus = Exclude<ReportStatus, 'submitted'>;

const CASE_STATUSES: ReadonlySet<string> = new Set<CaseStatus>([
  'received',
  'accepted',
  'rejected',
  'duplicate',
  'dispatched',
  'handled',
  'closed',
  'reopened',
]);

/**
 * Adapter for an Open311 GeoReport v2 endpoint (http://wiki.open311.org/GeoReport_v2/), JSON format.
 *
 * Core protocol: GET services.json, POST requests.json (form-encoded), GET requests/{id}.json, errors as
 * `[{code, description}]`. Our extensions, which the city's side (or the simulator) implements:
 * - `attribute[client_request_id]`: our report id; a repeat returns the existing case (idempotent create);
 * - `attribute[media_urls]`: JSON array of the photos after the first (Open311 carries one media_url);
 * - `attribute[reporter_id]`: only when the caller passes a reporter (off by default: 举报人保密);
 * - `extensions=true` on GET: `extended_attributes.{detailed_status, merged_into, updates[]}`;
 * - POST requests/{id}/rework.json: ask for 重办.
 * - POST requests/{id}/feedback.json: pass on a 差评 (rating, comment, follow-up deadline).
 *
 * Every failure is a CaseSystemError: retryable for network errors, timeouts, 5xx, 408/429 and bodies
 * that do not parse; not retryable for other 4xx. The api_key never appears in a URL or an error.
 */
export class Open311CaseSystem implements CaseSystem {
  private readonly base: URL;

  constructor(private readonly options: Open311Options) {
    // A trailing slash makes relative resolution keep any path prefix (…/open311/v2/ + services.json).
    this.base = new URL(options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`);
  }

  async listServices(): Promise<CaseService[]> {
    const body = await this.request('GET', 'services.json');
    if (!Array.isArray(body)) throw malformed('services.json', 'not an array');
    const services: CaseService[] = [];
    for (const item of body) {
      if (!isObject(item)) continue;
      const code = idString(item.service_code);
      if (!code) continue;
      services.push({
        serviceCode: code,
        serviceName: typeof item.service_name === 'string' ? item.service_name : code,
        group: typeof item.group === 'string' ? item.group : '',
      });
    }
    return services;
  }

  async createCase(input: NewCase): Promise<{ caseId: string }> {
    const form = new URLSearchParams();
    form.set('api_key', this.options.apiKey);
    if (this.options.jurisdictionId) form.set('jurisdiction_id', this.options.jurisdictionId);
    form.set('service_code', input.serviceCode);
    form.set('lat', String(input.lat));
    form.set('long', String(input.lng));
    form.set('address_string', input.address);
    form.set('description', input.description);
    const [first, ...others] = input.mediaUrls;
    if (first) form.set('media_url', first);
    form.set('attribute[client_request_id]', input.clientRequestId);
    if (others.length > 0) form.set('attribute[media_urls]', JSON.stringify(others));
    if (input.reporter) form.set('attribute[reporter_id]', input.reporter.id);

    const body = await this.request('POST', 'requests.json', { form });
    const first311 = Array.isArray(body) ? body[0] : undefined;
    if (!isObject(first311)) throw malformed('requests.json', 'not an array of requests');
    const id = idString(first311.service_request_id);
    if (id) return { caseId: id };
    // Servers that queue requests answer with a token first (spec: GET tokens/{token}.json).
    const token = idString(first311.token);
    if (!token) throw malformed('requests.json', 'neither service_request_id nor token');
    const resolved = await this.request('GET', `tokens/${encodeURIComponent(token)}.json`);
    const entry = Array.isArray(resolved) ? resolved[0] : undefined;
    const resolvedId = isObject(entry) ? idString(entry.service_request_id) : null;
    // Retrying later is safe: the create is idempotent on client_request_id.
    if (!resolvedId) throw new CaseSystemError('Open311 request is queued; no service_request_id yet', true);
    return { caseId: resolvedId };
  }

  async getCase(caseId: string): Promise<CaseSnapshot> {
    const path = `requests/${encodeURIComponent(caseId)}.json`;
    const body = await this.request('GET', path, { query: { extensions: 'true' } });
    const raw = Array.isArray(body) ? body.find((r) => isObject(r) && idString(r.service_request_id) === caseId) ?? body[0] : undefined;
    if (!isObject(raw)) throw malformed(path, 'not an array of requests');
    return toSnapshot(caseId, raw, path);
  }

  async requestRework(caseId: string, reason: string): Promise<void> {
    const form = new URLSearchParams();
    form.set('api_key', this.options.apiKey);
    if (this.options.jurisdictionId) form.set('jurisdiction_id', this.options.jurisdictionId);
    form.set('reason', reason);
    await this.request('POST', `requests/${encodeURIComponent(caseId)}/rework.json`, { form });
  }

  /** Extension: POST requests/{id}/feedback.json carries a 差评 and its follow-up deadline. */
  async sendBadRating(caseId: string, feedback: BadRatingFeedback): Promise<void> {
    const form = new URLSearchParams();
    form.set('api_key', this.options.apiKey);
    if (this.options.jurisdictionId) form.set('jurisdiction_id', this.options.jurisdictionId);
    form.set('rating', feedback.level);
    form.set('rating_name', feedback.levelName);
    form.set('comment', cutText(feedback.comment, 4000, ''));
    form.set('follow_up_due', feedback.followUpDueAt.toISOString());
    await this.request('POST', `requests/${encodeURIComponent(caseId)}/feedback.json`, { form });
  }

  /** One HTTP exchange; returns the parsed JSON body of a 2xx answer or throws CaseSystemError. */
  private async request(method: 'GET' | 'POST', path: string, init: { form?: URLSearchParams; query?: Record<string, string> } = {}): Promise<unknown> {
    const url = new URL(path, this.base);
    if (this.options.jurisdictionId && method === 'GET') url.searchParams.set('jurisdiction_id', this.options.jurisdictionId);
    for (const [k, v] of Object.entries(init.query ?? {})) url.searchParams.set(k, v);
    const what = `Open311 ${method} ${path}`;

    let response: Response;
    let text: string;
    try {
      response = await fetch(url, {
        method,
        headers: init.form
          ? { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }
          : { accept: 'application/json' },
        body: init.form?.toString(),
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      text = await response.text();
    } catch (err) {
      const name = (err as Error).name;
      const reason = name === 'TimeoutError' || name === 'AbortError' ? `timed out after ${this.options.timeoutMs} ms` : 'unreachable';
      throw new CaseSystemError(`${what}: ${reason}`, true);
    }

    if (!response.ok) {
      const status = response.status;
      const description = this.scrub(errorDescription(text) ?? response.statusText ?? 'error');
      const retryable = status >= 500 || status === 429 || status === 408;
      throw new CaseSystemError(retryable ? `${what}: ${status} ${description}` : description, retryable, status);
    }
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new CaseSystemError(`${what}: answer is not JSON`, true, response.status);
    }
  }

  /** A server echoing our form back must not get the key into our logs. */
  private scrub(message: string): string {
    const key = this.options.apiKey;
    return key ? message.split(key).join('[redacted]') : message;
  }
}

/**
 * A pushed update (the webhook JSON: update_id, service_request_id, client_request_id, status, description,
 * agency_responsible, expected_datetime, media_urls, updated_datetime, merged_into) as a CaseUpdate, read
 * the same way as the updates in GET requests/{id}.json. Null when it lacks what applying it once needs.
 * Verify the signature (webhook-signature.ts) before calling this.
 */
export function caseUpdateFromWebhook(payload: unknown): (CaseUpdate & { clientRequestId: string | null }) | null {
  if (!isObject(payload)) return null;
  const caseId = idString(payload.service_request_id);
  const update = caseId ? toUpdate(caseId, payload, null) : null;
  return update ? { ...update, clientRequestId: idString(payload.client_request_id) } : null;
}

function toUpdate(caseId: string, u: Record<string, unknown>, caseMergedInto: string | null): CaseUpdate | null {
  const updateId = idString(u.update_id);
  const status = typeof u.status === 'string' && CASE_STATUSES.has(u.status) ? (u.status as CaseStatus) : null;
  const updatedAt = parseDate(u.updated_datetime);
  // Without an id, a known status and a time an update cannot be applied exactly once, in order.
  if (!updateId || !status || !updatedAt) return null;
  return {
    updateId,
    caseId,
    status,
    note: nonEmpty(u.description),
    department: nonEmpty(u.agency_responsible),
    expectedAt: parseDate(u.expected_datetime),
    mediaUrls: mediaList(u.media_urls, u.media_url),
    updatedAt,
    mergedInto: idString(u.merged_into) ?? (status === 'duplicate' ? caseMergedInto : null),
  };
}

function toSnapshot(caseId: string, raw: Record<string, unknown>, path: string): CaseSnapshot {
  const ext = isObject(raw.extended_attributes) ? raw.extended_attributes : {};
  const caseMergedInto = idString(ext.merged_into);
  const updates: CaseUpdate[] = [];
  if (Array.isArray(ext.updates)) {
    for (const u of ext.updates) {
      const update = isObject(u) ? toUpdate(caseId, u, caseMergedInto) : null;
      if (update) updates.push(update);
    }
  }
  // Stable sort: equal timestamps keep the server's order.
  updates.sort((a, b) => a.updatedAt.getTime() - b.updatedAt.getTime());
  const last = updates.at(-1);

  const detailed = typeof ext.detailed_status === 'string' && CASE_STATUSES.has(ext.detailed_status) ? (ext.detailed_status as CaseStatus) : null;
  const status: CaseStatus = detailed ?? (raw.status === 'closed' ? 'closed' : 'received');
  const updatedAt = parseDate(raw.updated_datetime) ?? last?.updatedAt ?? parseDate(raw.requested_datetime);
  if (!updatedAt) throw malformed(path, 'no updated_datetime');
  return {
    caseId: idString(raw.service_request_id) ?? caseId,
    status,
    note: nonEmpty(raw.status_notes) ?? last?.note ?? null,
    department: nonEmpty(raw.agency_responsible) ?? last?.department ?? null,
    expectedAt: parseDate(raw.expected_datetime) ?? last?.expectedAt ?? null,
    updatedAt,
    updates,
  };
}

function errorDescription(text: string): string | null {
  try {
    const body = JSON.parse(text) as unknown;
    const first = Array.isArray(body) ? body[0] : body;
    if (isObject(first) && typeof first.description === 'string' && first.description) return cutText(first.description, 500);
  } catch {
    // not JSON: fall back to the status text
  }
  return null;
}

function malformed(path: string, why: string): CaseSystemError {
  return new CaseSystemError(`Open311 ${path}: malformed answer (${why})`, true);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// Text from the case system is kept, never refused (an update that cannot be stored would be retried
// for ever): what PostgreSQL cannot store is replaced with U+FFFD.

/** Open311 ids are strings, but some servers send numbers. */
function idString(value: unknown): string | null {
  if (typeof value === 'string' && value.length > 0) return toStorableText(value);
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

function nonEmpty(value: unknown): string | null {
  return typeof value === 'string' && value.trim() ? toStorableText(value) : null;
}

/** A date outside CALENDAR_YEARS is no date: PostgreSQL could not store it, so it is read as absent. */
function parseDate(value: unknown): Date | null {
  if (typeof value !== 'string' || !value) return null;
  const date = new Date(value);
  return isStorableInstant(date) ? date : null;
}

function mediaList(list: unknown, single: unknown): string[] {
  if (Array.isArray(list)) return list.filter((u): u is string => typeof u === 'string' && u.length > 0);
  return typeof single === 'string' && single ? [single] : [];
}
