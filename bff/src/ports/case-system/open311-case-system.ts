import { cutText } from '@cityloop/shared';
import { CaseSystemError, type BadRatingFeedback, type CaseLookup, type CaseService, type CaseSnapshot, type CaseSystem, type CaseUpdate, type CreatedCase, type NewCase } from './case-system';
import { parseOpen311Xml, Open311XmlError } from './open311-xml';
import { errorDescription, fromFeedEntry, idString, isObject, malformed, parseDate, toAttributes, toService, toSnapshot, toUpdate, type Attribute } from './open311-read';

export interface Open311Options {
  /** Endpoint root, e.g. `https://city.example/open311/v2`; `services.json` etc. are resolved below it. */
  baseUrl: string;
  apiKey: string;
  jurisdictionId?: string;
  timeoutMs: number;
  /** xml (the spec's required format) or json (default, where the server offers it). */
  format?: 'json' | 'xml';
  /**
   * Our extra attributes (client_request_id, media_urls, reporter_id): sent only where the service
   * definition declares them (default), always, or never. Strict servers refuse undeclared attributes.
   */
  extensions?: 'declared' | 'always' | 'never';
  /** Fixed values for a city's own attributes, e.g. `{ "channel": "cityloop" }`. */
  attributeValues?: Record<string, string>;
  /** mySociety's servicerequestupdates: auto (used once the server answers it), on, off. */
  updatesFeed?: 'auto' | 'on' | 'off';
  /** How long services and definitions are cached (default 10 minutes). */
  serviceCacheMs?: number;
}

/**
 * Adapter for an Open311 GeoReport v2 endpoint (http://wiki.open311.org/GeoReport_v2/), in XML or JSON.
 *
 * Core protocol: services, services/{code} (definitions, when `metadata` is true), POST requests
 * (form-encoded, required attributes filled), requests/{id}, tokens/{token}, errors as `[{code, description}]`.
 * Extensions, used where the server has them:
 * - attributes `client_request_id` (our report id: a repeat returns the existing case), `media_urls`
 *   (JSON array of the photos after the first; otherwise media_url is repeated), `reporter_id` (only
 *   when the caller passes a reporter: 举报人保密 by default);
 * - `extensions=true` on GET: `extended_attributes.{detailed_status, merged_into, updates[]}`;
 * - mySociety's `servicerequestupdates` for detailed states where there are no extended_attributes;
 * - POST requests/{id}/rework (重办) and requests/{id}/feedback (差评 with its follow-up deadline).
 * Without any, `closed` + status_notes and the open case's fields are read as well as they can be.
 *
 * Every failure is a CaseSystemError: retryable for network errors, timeouts, 5xx, 408/429 and bodies
 * that do not parse; not retryable for other 4xx. The api_key never appears in a URL or an error.
 */
export class Open311CaseSystem implements CaseSystem {
  private readonly base: URL;
  private readonly format: 'json' | 'xml';
  private services: { at: number; list: Promise<CaseService[]> } | null = null;
  private readonly definitions = new Map<string, { at: number; attributes: Promise<Attribute[]> }>();
  private feedOffered: boolean | null;

  constructor(private readonly options: Open311Options) {
    // A trailing slash makes relative resolution keep any path prefix (…/open311/v2/ + services.json).
    this.base = new URL(options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`);
    this.format = options.format ?? 'json';
    this.feedOffered = options.updatesFeed === 'off' ? false : options.updatesFeed === 'on' ? true : null;
  }

  async listServices(): Promise<CaseService[]> {
    const body = await this.request('GET', 'services');
    if (!Array.isArray(body)) throw malformed(this.file('services'), 'not an array');
    return body.map((item) => (isObject(item) ? toService(item) : null)).filter((s): s is CaseService => s !== null);
  }

  async createCase(input: NewCase): Promise<CreatedCase> {
    const attributes = await this.attributesOf(input.serviceCode);
    const declared = new Set(attributes.filter((a) => a.variable).map((a) => a.code));
    const mode = this.options.extensions ?? 'declared';
    const extra = (code: string) => mode === 'always' || (mode === 'declared' && declared.has(code));

    const form = this.form();
    form.set('service_code', input.serviceCode);
    form.set('lat', String(input.lat));
    form.set('long', String(input.lng));
    form.set('address_string', input.address);
    form.set('description', input.description);
    const [first, ...others] = input.mediaUrls;
    const known: Record<string, string | undefined> = {
      ...this.options.attributeValues,
      client_request_id: input.clientRequestId,
      media_urls: others.length > 0 ? JSON.stringify(others) : undefined,
      reporter_id: input.reporter?.id,
    };
    if (extra('media_urls')) {
      if (first) form.set('media_url', first);
    } else {
      // Without the media_urls attribute every photo goes as a repeated media_url, as FixMyStreet sends them.
      for (const url of input.mediaUrls) form.append('media_url', url);
      delete known.media_urls;
    }
    for (const code of ['client_request_id', 'media_urls', 'reporter_id']) {
      if (known[code] !== undefined && extra(code)) form.set(`attribute[${code}]`, known[code]!);
    }
    for (const [code, value] of Object.entries(this.options.attributeValues ?? {})) {
      if (extra(code) || declared.has(code)) form.set(`attribute[${code}]`, value);
    }
    for (const a of attributes) {
      if (!a.variable) continue;
      let value = form.get(`attribute[${a.code}]`);
      if (value === null && a.required) {
        value = (a.code === 'reporter_id' ? undefined : known[a.code]) ?? null;
        // A required attribute only a person could answer: the city must give it a fixed value in config.
        if (value === null) throw new CaseSystemError(`service ${input.serviceCode} requires attribute ${a.code} (${a.description || a.datatype}); set it in CASE_SYSTEM_ATTRIBUTES`, false);
        form.set(`attribute[${a.code}]`, value);
      }
      if (value !== null && a.values.length > 0 && !a.values.includes(value))
        throw new CaseSystemError(`attribute ${a.code} of service ${input.serviceCode} must be one of ${a.values.join(', ')}`, false);
      // multivaluelist values go as attribute[code][]=value (spec).
      if (value !== null && a.datatype === 'multivaluelist') {
        form.delete(`attribute[${a.code}]`);
        form.set(`attribute[${a.code}][]`, value);
      }
    }

    const body = await this.request('POST', 'requests', { form });
    const answer = Array.isArray(body) ? body[0] : undefined;
    // A 2xx without a request still means the server took it; posting again could duplicate it.
    if (!isObject(answer)) return { caseId: null };
    const id = idString(answer.service_request_id);
    if (id) return { caseId: id };
    // batch services answer a token first (spec: GET tokens/{token}); blackbox ones neither id nor token.
    const token = idString(answer.token);
    if (!token) return { caseId: null };
    return { caseId: await this.fromToken(token).catch(() => null), token };
  }

  async findCase(lookup: CaseLookup): Promise<string | null> {
    if (lookup.token) {
      const id = await this.fromToken(lookup.token);
      if (id) return id;
    }
    const start = new Date(lookup.sentAt.getTime() - 10 * 60_000);
    const end = new Date(Math.min(Date.now(), start.getTime() + 89 * 86_400_000));
    const body = await this.request('GET', 'requests', {
      query: { service_code: lookup.serviceCode, start_date: start.toISOString(), end_date: end.toISOString(), extensions: 'true' },
    });
    if (!Array.isArray(body)) throw malformed(this.file('requests'), 'not an array of requests');
    const requests = body.filter(isObject);
    const ours = requests.find((r) => {
      const ext = isObject(r.extended_attributes) ? r.extended_attributes : {};
      return idString(ext.client_request_id ?? r.client_request_id) === lookup.clientRequestId;
    });
    if (ours) return idString(ours.service_request_id);
    // A plain server shows no client id: the same text at the same place, if exactly one, is ours.
    const text = lookup.description.trim();
    const same = requests.filter(
      (r) => typeof r.description === 'string' && r.description.trim() === text && Math.abs(Number(r.lat) - lookup.lat) < 1e-4 && Math.abs(Number(r.long) - lookup.lng) < 1e-4,
    );
    return same.length === 1 ? idString(same[0].service_request_id) : null;
  }

  async getCase(caseId: string): Promise<CaseSnapshot> {
    const path = `requests/${encodeURIComponent(caseId)}`;
    const body = await this.request('GET', path, { query: { extensions: 'true' } });
    const raw = Array.isArray(body) ? (body.find((r) => isObject(r) && idString(r.service_request_id) === caseId) ?? body[0]) : undefined;
    if (!isObject(raw)) throw malformed(this.file(path), 'not an array of requests');
    const ext = isObject(raw.extended_attributes) ? raw.extended_attributes : null;
    const detailed = ext && Array.isArray(ext.updates) && ext.updates.length > 0;
    const feed = detailed ? [] : await this.feed(caseId, parseDate(raw.requested_datetime));
    return toSnapshot(caseId, raw, this.file(path), feed);
  }

  async requestRework(caseId: string, reason: string): Promise<void> {
    const form = this.form();
    form.set('reason', reason);
    await this.request('POST', `requests/${encodeURIComponent(caseId)}/rework`, { form });
  }

  /** Extension: POST requests/{id}/feedback carries a 差评 and its follow-up deadline. */
  async sendBadRating(caseId: string, feedback: BadRatingFeedback): Promise<void> {
    const form = this.form();
    form.set('rating', feedback.level);
    form.set('rating_name', feedback.levelName);
    form.set('comment', cutText(feedback.comment, 4000, ''));
    form.set('follow_up_due', feedback.followUpDueAt.toISOString());
    await this.request('POST', `requests/${encodeURIComponent(caseId)}/feedback`, { form });
  }

  /** Updates of one case from servicerequestupdates, where the server offers it. */
  private async feed(caseId: string, since: Date | null): Promise<CaseUpdate[]> {
    if (this.feedOffered === false) return [];
    const start = since ? new Date(since.getTime() - 60_000) : new Date(Date.now() - 90 * 86_400_000);
    let body: unknown;
    try {
      body = await this.request('GET', 'servicerequestupdates', { query: { start_date: start.toISOString(), end_date: new Date().toISOString(), service_request_id: caseId } });
    } catch (err) {
      // auto: a server without the resource refuses it (404, 400) or answers something else; then it is not asked again.
      if (this.feedOffered === null && err instanceof CaseSystemError && (!err.retryable || err.message.includes('answer is not'))) {
        this.feedOffered = false;
        return [];
      }
      throw err;
    }
    this.feedOffered = true;
    if (!Array.isArray(body)) return [];
    return body.map((u) => (isObject(u) ? fromFeedEntry(u) : null)).filter((u): u is CaseUpdate => u !== null && u.caseId === caseId);
  }

  private async fromToken(token: string): Promise<string | null> {
    const resolved = await this.request('GET', `tokens/${encodeURIComponent(token)}`);
    const entry = Array.isArray(resolved) ? resolved[0] : undefined;
    return isObject(entry) ? idString(entry.service_request_id) : null;
  }

  /** The attributes a service declares (cached); none when it has no definition. */
  private async attributesOf(serviceCode: string): Promise<Attribute[]> {
    const ttl = this.options.serviceCacheMs ?? 600_000;
    const now = Date.now();
    if (!this.services || now - this.services.at > ttl) {
      // A server whose service list is refused outright (4xx) still takes posts: go on without definitions.
      const list = this.listServices().catch((err: unknown) => {
        if (err instanceof CaseSystemError && !err.retryable) return [];
        throw err;
      });
      this.services = { at: now, list };
      list.catch(() => (this.services = null));
    }
    const service = (await this.services.list).find((s) => s.serviceCode === serviceCode);
    if (!service?.metadata) return [];
    let cached = this.definitions.get(serviceCode);
    if (!cached || now - cached.at > ttl) {
      const attributes = this.request('GET', `services/${encodeURIComponent(serviceCode)}`).then(toAttributes);
      cached = { at: now, attributes };
      this.definitions.set(serviceCode, cached);
      attributes.catch(() => this.definitions.delete(serviceCode));
    }
    return cached.attributes;
  }

  private form(): URLSearchParams {
    const form = new URLSearchParams();
    form.set('api_key', this.options.apiKey);
    if (this.options.jurisdictionId) form.set('jurisdiction_id', this.options.jurisdictionId);
    return form;
  }

  private file(path: string): string {
    return `${path}.${this.format}`;
  }

  /** One HTTP exchange; returns the parsed body (XML in its JSON shape) of a 2xx answer or throws CaseSystemError. */
  private async request(method: 'GET' | 'POST', path: string, init: { form?: URLSearchParams; query?: Record<string, string> } = {}): Promise<unknown> {
    const file = this.file(path);
    const url = new URL(file, this.base);
    if (this.options.jurisdictionId && method === 'GET') url.searchParams.set('jurisdiction_id', this.options.jurisdictionId);
    for (const [k, v] of Object.entries(init.query ?? {})) url.searchParams.set(k, v);
    const what = `Open311 ${method} ${file}`;
    const accept = this.format === 'xml' ? 'text/xml, application/xml' : 'application/json';

    let response: Response;
    let text: string;
    try {
      response = await fetch(url, {
        method,
        headers: init.form ? { accept, 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' } : { accept },
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
      const description = this.scrub(errorDescription(this.parse(text)) ?? response.statusText ?? 'error');
      const retryable = status >= 500 || status === 429 || status === 408;
      throw new CaseSystemError(retryable ? `${what}: ${status} ${description}` : description, retryable, status);
    }
    const body = this.parse(text);
    if (body === undefined) throw new CaseSystemError(`${what}: answer is not ${this.format === 'xml' ? 'Open311 XML' : 'JSON'}`, true, response.status);
    return body;
  }

  /** The body in its JSON shape; undefined when it does not parse. */
  private parse(text: string): unknown {
    try {
      if (this.format === 'xml') return parseOpen311Xml(text);
      return JSON.parse(text) as unknown;
    } catch (err) {
      if (err instanceof SyntaxError || err instanceof Open311XmlError) return undefined;
      throw err;
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
