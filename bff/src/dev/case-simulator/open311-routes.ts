import type http from 'node:http';
import { REPORT_CATEGORIES } from '@cityloop/shared';
import { CLOSED_STATES, type CaseBook, type MutableCase } from './case-book';
import { advanceOrError } from './operator-routes';
import { cityTime, error, isHttpUrl, keyMatches, readBody, type RouteResult } from './http-util';

/**
 * Open311 GeoReport v2 with our extensions (api_key in the form for writes):
 *   GET  /services.json
 *   POST /requests.json                  form: api_key, service_code, lat, long, address_string, description,
 *                                        media_url, attribute[client_request_id], attribute[media_urls], attribute[reporter_id]
 *   GET  /requests/{id}.json[?extensions=true]
 *   GET  /requests.json[?service_request_id=a,b][&status=open|closed][&service_code=]
 *   POST /requests/{id}/rework.json      form: api_key, reason          (重办, only from closed)
 *   POST /requests/{id}/feedback.json    form: api_key, rating, comment, follow_up_due (差评 passed on)
 */
export interface FeedbackEntry {
  caseId: string;
  rating: string;
  comment: string;
  followUpDue: string;
}

export function toOpen311(c: MutableCase, extensions: boolean) {
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
    address_id: c.addressId,
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
}

export function open311Routes(book: CaseBook, apiKey: string, feedbackLog: FeedbackEntry[]) {
  const create = (form: URLSearchParams): RouteResult => {
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
      const existing = book.findByClientId(clientRequestId);
      if (existing) return { status: 200, body: [{ service_request_id: existing.serviceRequestId, service_notice: '该请求已受理' }] };
    }
    const received: Record<string, string> = {};
    for (const [k, v] of form) if (k !== 'api_key') received[k] = v;
    const c = book.create({ clientRequestId, serviceCode, serviceName: category.name, description, address, addressId: null, lat, long, mediaUrl, form: received });
    return { status: 201, body: [{ service_request_id: c.serviceRequestId, service_notice: '已受理' }] };
  };

  const authorised = (form: URLSearchParams, url: URL) => keyMatches(form.get('api_key') ?? url.searchParams.get('api_key'), apiKey);

  return async (req: http.IncomingMessage, url: URL): Promise<RouteResult> => {
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
      if (!authorised(form, url)) return error(403, 'Invalid api_key');
      return create(form);
    }
    if (req.method === 'GET' && path === '/requests.json') {
      const ids = url.searchParams.get('service_request_id');
      const status = url.searchParams.get('status');
      const serviceCode = url.searchParams.get('service_code');
      let list = ids
        ? ids.split(',').map((id) => book.cases.get(id.trim())).filter((c): c is MutableCase => Boolean(c))
        : [...book.cases.values()].reverse();
      if (status) list = list.filter((c) => (CLOSED_STATES.has(c.status) ? 'closed' : 'open') === status);
      if (serviceCode) list = list.filter((c) => c.serviceCode === serviceCode);
      return { status: 200, body: list.slice(0, 1000).map((c) => toOpen311(c, extensions)) };
    }
    const one = /^\/requests\/([^/]+)\.json$/.exec(path);
    if (req.method === 'GET' && one) {
      const c = book.cases.get(decodeURIComponent(one[1]));
      if (!c) return error(404, `service_request_id ${decodeURIComponent(one[1])} not found`);
      return { status: 200, body: [toOpen311(c, extensions)] };
    }
    const rework = /^\/requests\/([^/]+)\/rework\.json$/.exec(path);
    if (req.method === 'POST' && rework) {
      const form = await readForm(req);
      if (!form) return error(400, 'body must be application/x-www-form-urlencoded');
      if (!authorised(form, url)) return error(403, 'Invalid api_key');
      const result = advanceOrError(book, decodeURIComponent(rework[1]), 'reopen', { reason: form.get('reason') ?? undefined });
      if ('status' in result) return result;
      return { status: 200, body: [toOpen311(result.case, true)] };
    }
    const feedback = /^\/requests\/([^/]+)\/feedback\.json$/.exec(path);
    if (req.method === 'POST' && feedback) {
      const form = await readForm(req);
      if (!form) return error(400, 'body must be application/x-www-form-urlencoded');
      if (!authorised(form, url)) return error(403, 'Invalid api_key');
      const c = book.cases.get(decodeURIComponent(feedback[1]));
      if (!c) return error(404, `service_request_id ${decodeURIComponent(feedback[1])} not found`);
      const rating = form.get('rating') ?? '';
      if (!rating) return error(400, 'rating is required');
      feedbackLog.push({ caseId: c.serviceRequestId, rating, comment: form.get('comment') ?? '', followUpDue: form.get('follow_up_due') ?? '' });
      return { status: 200, body: [{ service_request_id: c.serviceRequestId, received: true }] };
    }
    return error(404, `no such endpoint: ${req.method} ${path}`);
  };
}

async function readForm(req: http.IncomingMessage): Promise<URLSearchParams | null> {
  const type = String(req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  const text = await readBody(req);
  if (type !== 'application/x-www-form-urlencoded') return null;
  return new URLSearchParams(text);
}
