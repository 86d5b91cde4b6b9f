import type { CaseBook, CaseStatus, MutableCase, MutableUpdate } from './case-book';
import { cityTime, error, isHttpUrl, type RouteResult } from './http-util';
import type { PostedForm } from './forms';
import { advanceOrError } from './operator-routes';
import { commaList, dateWindow } from './open311-requests';

/**
 * mySociety's servicerequestupdates extension (what FixMyStreet and open311-adapter speak):
 *   GET  servicerequestupdates.{fmt}?start_date&end_date   every update in the window, oldest first
 *   POST servicerequestupdates.{fmt}                      a citizen's update to a case
 * Each update carries one of mySociety's statuses; our detailed state travels as external_status_code.
 */

/** Our detailed states as mySociety's update statuses. */
export const MYSOCIETY_STATUS: Record<CaseStatus, string> = {
  received: 'open',
  accepted: 'investigating',
  rejected: 'no_further_action',
  duplicate: 'duplicate',
  dispatched: 'action_scheduled',
  handled: 'fixed',
  closed: 'closed',
  reopened: 'reopen',
};

function feedEntry(c: MutableCase, u: MutableUpdate) {
  return {
    update_id: u.update_id,
    service_request_id: c.serviceRequestId,
    status: MYSOCIETY_STATUS[u.status],
    updated_datetime: u.updated_datetime,
    description: u.description,
    media_url: u.media_urls[0] ?? null,
    external_status_code: u.status,
  };
}

export function listUpdates(book: CaseBook, query: URLSearchParams, now: Date): RouteResult {
  // An updates feed is read "since the last run": no 90-day cap, unlike GET requests.
  const window = dateWindow(query, now, null);
  if ('status' in window) return window;
  const only = new Set(commaList(query.get('service_request_id')));
  const entries: { at: number; entry: ReturnType<typeof feedEntry> }[] = [];
  for (const c of book.cases.values()) {
    if (only.size > 0 && !only.has(c.serviceRequestId)) continue;
    for (const u of c.updates) {
      const at = Date.parse(u.updated_datetime);
      if (at >= window.start.getTime() && at <= window.end.getTime()) entries.push({ at, entry: feedEntry(c, u) });
    }
  }
  entries.sort((a, b) => a.at - b.at);
  return { status: 200, body: entries.map((e) => e.entry), root: 'service_requests_updates' };
}

export function postUpdate(book: CaseBook, form: PostedForm): RouteResult {
  const f = form.fields;
  const id = f.get('service_request_id')?.trim();
  if (!id) return error(400, 'service_request_id is required');
  const c = book.cases.get(id);
  if (!c) return error(404, `service_request_id ${id} not found`);
  const status = (f.get('status') ?? '').trim().toUpperCase();
  if (status !== 'OPEN' && status !== 'CLOSED') return error(400, 'status must be OPEN or CLOSED');
  const description = (f.get('description') ?? '').trim();
  if (!description) return error(400, 'description is required');
  if ([...description].length > 4000) return error(400, 'description must be at most 4000 characters');
  const media = f.getAll('media_url').filter(Boolean);
  if (media.some((u) => !isHttpUrl(u))) return error(400, 'media_url must be an http(s) URL');
  // The citizen says it is not fixed on a closed case: that is a request for rework (重办).
  if (status === 'OPEN' && c.status === 'closed') {
    const result = advanceOrError(book, id, 'reopen', { reason: description });
    if ('status' in result) return result;
    return { status: 200, body: [{ update_id: result.case.updates.at(-1)!.update_id }], root: 'service_requests_updates' };
  }
  // Names and e-mail the form may carry are not kept: the case gets the text (举报人保密).
  const u = book.addNote(c, `市民补充：${description}`, media);
  return { status: 200, body: [{ update_id: u.update_id, updated_datetime: cityTime(new Date(u.updated_datetime)) }], root: 'service_requests_updates' };
}
