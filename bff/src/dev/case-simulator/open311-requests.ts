import { randomBytes } from 'node:crypto';
import { CLOSED_STATES, type CaseBook, type MutableCase } from './case-book';
import { cityTime, error, isHttpUrl, type RouteResult } from './http-util';
import type { PostedForm } from './forms';
import type { ServiceCatalogue } from './open311-services';

/** POST requests and GET requests / requests/{id} / tokens/{token}, per GeoReport v2. */

const DAY_MS = 86_400_000;
/** The spec's default and largest window for GET requests: 90 days. */
const MAX_WINDOW_MS = 90 * DAY_MS;

export interface StoredMedia {
  type: string;
  bytes: Buffer;
}

export interface RequestsOptions {
  /** Honour `extensions=true` with extended_attributes (default true). */
  extensions: boolean;
  /** Refuse attribute[code] the service did not declare, as strict servers do (default false). */
  strictAttributes: boolean;
}

export class Open311Requests {
  /** Batch services: token → service_request_id. */
  readonly tokens = new Map<string, string>();
  /** Media posted as files, served at /media/{id}. */
  readonly media = new Map<string, StoredMedia>();

  constructor(
    private readonly book: CaseBook,
    private readonly services: ServiceCatalogue,
    private readonly options: RequestsOptions,
    private readonly selfUrl: () => string,
    private readonly now: () => Date,
  ) {}

  create(form: PostedForm): RouteResult {
    const f = form.fields;
    const serviceCode = f.get('service_code')?.trim();
    if (!serviceCode) return error(400, 'service_code is required');
    const category = this.services.category(serviceCode);
    if (!category) return error(404, `service_code ${serviceCode} not found`);

    const latText = f.get('lat');
    const longText = f.get('long');
    const address = f.get('address_string')?.trim() || null;
    const addressId = f.get('address_id')?.trim() || null;
    let lat: number | null = null;
    let long: number | null = null;
    if (latText !== null || longText !== null) {
      lat = Number(latText);
      long = Number(longText);
      if (latText === null || longText === null || latText.trim() === '' || longText.trim() === '' || !Number.isFinite(lat) || !Number.isFinite(long) || Math.abs(lat) > 90 || Math.abs(long) > 180) {
        return error(400, 'lat and long must both be WGS-84 decimal degrees');
      }
    } else if (!address && !addressId) return error(400, 'a location is required: lat and long, address_string or address_id');

    const description = f.get('description') ?? '';
    if ([...description].length > 4000) return error(400, 'description must be at most 4000 characters');
    // Clients that carry several photos repeat media_url; every one is kept.
    const mediaUrls = f.getAll('media_url').filter((u) => u !== '');
    if (mediaUrls.some((u) => !isHttpUrl(u))) return error(400, 'media_url must be an http(s) URL');

    const declared = this.services.declaredCodes(serviceCode);
    const definition = this.services.definition(serviceCode);
    for (const key of new Set(f.keys())) {
      const code = /^attribute\[([^\]]+)\](\[\])?$/.exec(key)?.[1];
      if (code && this.options.strictAttributes && !declared.has(code)) return error(400, `attribute[${code}] is not an attribute of service ${serviceCode}`);
    }
    for (const a of definition?.attributes ?? []) {
      if (!a.variable || !a.required) continue;
      const value = f.get(`attribute[${a.code}]`) ?? f.get(`attribute[${a.code}][]`);
      if (!value) return error(400, `attribute[${a.code}] is required for service ${serviceCode}`);
      if (a.values && !a.values.some((v) => v.key === value)) return error(400, `attribute[${a.code}] must be one of ${a.values.map((v) => v.key).join(', ')}`);
    }

    const extraMedia = f.get('attribute[media_urls]');
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
      mediaUrls.push(...(list as string[]));
    }
    for (const file of form.files) {
      if (!/^image\/(jpeg|png|webp|gif)$/.test(file.type)) return error(400, `media file ${file.field} must be an image`);
    }
    const clientRequestId = f.get('attribute[client_request_id]')?.trim() || null;
    if (clientRequestId && clientRequestId.length > 200) return error(400, 'attribute[client_request_id] is too long');

    const type = this.services.type(serviceCode);
    if (clientRequestId) {
      const existing = this.book.findByClientId(clientRequestId);
      if (existing) return this.answerCreate(existing, type, '该请求已受理', 200);
    }
    for (const file of form.files) {
      const id = randomBytes(8).toString('hex');
      this.media.set(id, { type: file.type, bytes: file.bytes });
      mediaUrls.push(`${this.selfUrl()}/media/${id}`);
    }
    const received: Record<string, string> = {};
    for (const [k, v] of f) if (k !== 'api_key' && !(k in received)) received[k] = v;
    const c = this.book.create({
      clientRequestId,
      serviceCode,
      serviceName: category.name,
      description,
      address,
      addressId,
      lat,
      long,
      mediaUrl: mediaUrls[0] ?? null,
      mediaUrls,
      form: received,
    });
    return this.answerCreate(c, type, '已受理', 201);
  }

  /** realtime: the id; batch: a token to exchange later; blackbox: neither (spec). */
  private answerCreate(c: MutableCase, type: string, notice: string, status: number): RouteResult {
    if (type === 'blackbox') return { status, body: [{ service_notice: notice, account_id: null }], root: 'service_requests' };
    if (type === 'batch') {
      let token = [...this.tokens].find(([, id]) => id === c.serviceRequestId)?.[0];
      if (!token) {
        token = `TK${randomBytes(6).toString('hex')}`;
        this.tokens.set(token, c.serviceRequestId);
      }
      return { status, body: [{ token, service_notice: notice, account_id: null }], root: 'service_requests' };
    }
    return { status, body: [{ service_request_id: c.serviceRequestId, service_notice: notice, account_id: null }], root: 'service_requests' };
  }

  token(token: string): RouteResult {
    const id = this.tokens.get(token);
    if (!id) return error(404, `token ${token} not found`);
    return { status: 200, body: [{ service_request_id: id, token }], root: 'service_requests' };
  }

  one(id: string, extensions: boolean): RouteResult {
    const c = this.book.cases.get(id);
    if (!c) return error(404, `service_request_id ${id} not found`);
    return { status: 200, body: [this.view(c, extensions)], root: 'service_requests' };
  }

  list(query: URLSearchParams, extensions: boolean): RouteResult {
    const ids = commaList(query.get('service_request_id'));
    // service_request_id overrides every other argument (spec).
    if (ids.length > 0) {
      const found = ids.map((id) => this.book.cases.get(id)).filter((c): c is MutableCase => Boolean(c));
      return { status: 200, body: found.map((c) => this.view(c, extensions)), root: 'service_requests' };
    }
    const statuses = commaList(query.get('status'));
    if (statuses.some((s) => s !== 'open' && s !== 'closed')) return error(400, 'status must be open, closed or both, comma-separated');
    const codes = commaList(query.get('service_code'));
    const window = dateWindow(query, this.now());
    if ('status' in window) return window;
    let list = [...this.book.cases.values()].reverse();
    list = list.filter((c) => c.requestedAt >= window.start && c.requestedAt <= window.end);
    if (statuses.length > 0) list = list.filter((c) => statuses.includes(coreStatus(c)));
    if (codes.length > 0) list = list.filter((c) => codes.includes(c.serviceCode));
    return { status: 200, body: list.slice(0, 1000).map((c) => this.view(c, extensions)), root: 'service_requests' };
  }

  view(c: MutableCase, extensions: boolean) {
    const last = c.updates.at(-1);
    const request: Record<string, unknown> = {
      service_request_id: c.serviceRequestId,
      status: coreStatus(c),
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
      address_id: c.addressId,
      zipcode: null,
      lat: c.lat,
      long: c.long,
      media_url: c.mediaUrl,
    };
    if (extensions && this.options.extensions) {
      request.extended_attributes = {
        client_request_id: c.clientRequestId,
        detailed_status: c.status,
        merged_into: c.mergedInto,
        media_urls: [...c.mediaUrls],
        updates: c.updates.map((u) => ({ ...u, media_urls: [...u.media_urls] })),
      };
    }
    return request;
  }
}

export function coreStatus(c: MutableCase): 'open' | 'closed' {
  return CLOSED_STATES.has(c.status) ? 'closed' : 'open';
}

export function commaList(value: string | null): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** start_date / end_date (W3C date-times); without them, the most recent 90 days. */
export function dateWindow(query: URLSearchParams, now: Date, maxMs: number | null = MAX_WINDOW_MS): { start: Date; end: Date } | RouteResult {
  const parse = (name: string): Date | null | RouteResult => {
    const text = query.get(name)?.trim();
    if (!text) return null;
    // W3C date-time: a date, or a date-time that names its zone.
    if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/.test(text)) return error(400, `${name} must be a W3C date-time with a time zone, e.g. 2026-11-22T00:00:00Z`);
    const d = new Date(text);
    return Number.isNaN(d.getTime()) ? error(400, `${name} is not a valid date`) : d;
  };
  const start = parse('start_date');
  if (start && 'status' in start) return start;
  const end = parse('end_date');
  if (end && 'status' in end) return end;
  const window = maxMs ?? MAX_WINDOW_MS;
  const e = end ?? (start && maxMs !== null ? new Date(Math.min(start.getTime() + window, now.getTime())) : now);
  const s = start ?? new Date(e.getTime() - window);
  if (s > e) return error(400, 'start_date must not be after end_date');
  if (maxMs !== null && e.getTime() - s.getTime() > maxMs) return error(400, 'start_date to end_date may not span more than 90 days');
  return { start: s, end: e };
}
