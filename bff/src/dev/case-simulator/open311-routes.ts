import type http from 'node:http';
import type { CaseBook } from './case-book';
import { advanceOrError } from './operator-routes';
import { error, keyMatches, type RouteResult } from './http-util';
import { readForm, type PostedForm } from './forms';
import { Open311Requests } from './open311-requests';
import type { ServiceCatalogue } from './open311-services';
import { listUpdates, postUpdate } from './open311-updates';

/**
 * Open311 GeoReport v2, each resource in both formats (`.xml`, the spec's required one, and `.json`):
 *   GET  services.{fmt}, services/{code}.{fmt}
 *   POST requests.{fmt}                  form or multipart: api_key, service_code, lat+long | address_string |
 *                                        address_id, description, media_url (repeatable), media files,
 *                                        attribute[code] (client_request_id, media_urls, reporter_id declared)
 *   GET  requests.{fmt}?service_request_id=a,b | status=open,closed & service_code=a,b & start_date & end_date
 *   GET  requests/{id}.{fmt}[?extensions=true], tokens/{token}.{fmt}
 *   GET/POST servicerequestupdates.{fmt}  (mySociety extension)
 * Our extensions: POST requests/{id}/rework.{fmt} (重办), POST requests/{id}/feedback.{fmt} (差评).
 * Media posted as files is served at GET /media/{id}.
 */
export interface FeedbackEntry {
  caseId: string;
  rating: string;
  comment: string;
  followUpDue: string;
}

export interface Open311RouteOptions {
  apiKey: string;
  /** Offer servicerequestupdates (default true). */
  updatesFeed: boolean;
  now: () => Date;
}

export type FormatResult = RouteResult & { format: 'json' | 'xml'; raw?: { type: string; bytes: Buffer } };

export function open311Routes(book: CaseBook, services: ServiceCatalogue, requests: Open311Requests, options: Open311RouteOptions, feedbackLog: FeedbackEntry[]) {
  const authorised = (form: PostedForm, url: URL) => keyMatches(form.fields.get('api_key') ?? url.searchParams.get('api_key'), options.apiKey);

  const route = async (req: http.IncomingMessage, resource: string, url: URL): Promise<RouteResult> => {
    const q = url.searchParams;
    const extensions = q.get('extensions') === 'true';
    if (req.method === 'GET') {
      if (resource === 'services') return { status: 200, body: services.list(), root: 'services' };
      const def = /^services\/([^/]+)$/.exec(resource);
      if (def) {
        const code = decodeURIComponent(def[1]);
        const definition = services.definition(code);
        return definition ? { status: 200, body: definition, root: 'service_definition' } : error(404, `service_code ${code} not found`);
      }
      if (resource === 'requests') return requests.list(q, extensions);
      const one = /^requests\/([^/]+)$/.exec(resource);
      if (one) return requests.one(decodeURIComponent(one[1]), extensions);
      const token = /^tokens\/([^/]+)$/.exec(resource);
      if (token) return requests.token(decodeURIComponent(token[1]));
      if (resource === 'servicerequestupdates' && options.updatesFeed) return listUpdates(book, q, options.now());
      return error(404, `no such endpoint: GET ${url.pathname}`);
    }
    if (req.method !== 'POST') return error(404, `no such endpoint: ${req.method} ${url.pathname}`);
    const known = resource === 'requests' || (resource === 'servicerequestupdates' && options.updatesFeed) || /^requests\/[^/]+\/(rework|feedback)$/.test(resource);
    if (!known) {
      req.resume();
      return error(404, `no such endpoint: POST ${url.pathname}`);
    }
    const form = await readForm(req);
    if (!form) return error(400, 'body must be application/x-www-form-urlencoded or multipart/form-data');
    if (!authorised(form, url)) return error(403, 'Invalid api_key');
    if (resource === 'requests') return requests.create(form);
    if (resource === 'servicerequestupdates') return postUpdate(book, form);
    const [, rawId, verb] = /^requests\/([^/]+)\/(rework|feedback)$/.exec(resource)!;
    const id = decodeURIComponent(rawId);
    if (verb === 'rework') {
      const result = advanceOrError(book, id, 'reopen', { reason: form.fields.get('reason') ?? undefined });
      if ('status' in result) return result;
      return { status: 200, body: [requests.view(result.case, true)], root: 'service_requests' };
    }
    const c = book.cases.get(id);
    if (!c) return error(404, `service_request_id ${id} not found`);
    const rating = form.fields.get('rating') ?? '';
    if (!rating) return error(400, 'rating is required');
    feedbackLog.push({ caseId: c.serviceRequestId, rating, comment: form.fields.get('comment') ?? '', followUpDue: form.fields.get('follow_up_due') ?? '' });
    return { status: 200, body: [{ service_request_id: c.serviceRequestId, received: true }], root: 'service_requests' };
  };

  return async (req: http.IncomingMessage, url: URL): Promise<FormatResult> => {
    const media = /^\/media\/([0-9a-f]+)$/.exec(url.pathname);
    if (req.method === 'GET' && media) {
      const stored = requests.media.get(media[1]);
      return stored ? { status: 200, body: null, format: 'json', raw: { type: stored.type, bytes: stored.bytes } } : { ...error(404, 'no such media'), format: 'json' };
    }
    const m = /^\/(.+)\.(json|xml)$/.exec(url.pathname);
    if (!m) {
      req.resume();
      return { ...error(404, `no such endpoint: ${req.method} ${url.pathname} (resources end in .xml or .json)`), format: 'xml' };
    }
    const format = m[2] as 'json' | 'xml';
    return { ...(await route(req, m[1], url)), format };
  };
}
