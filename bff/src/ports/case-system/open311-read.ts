import { cutText, isStorableInstant, toStorableText, type ReportStatus } from '@cityloop/shared';
import { CaseSystemError, type CaseService, type CaseSnapshot, type CaseUpdate } from './case-system';

/** Reading Open311 answers (already in their JSON shape) into the port's types. */

export type CaseStatus = Exclude<ReportStatus, 'submitted'>;

export const CASE_STATUSES: ReadonlySet<string> = new Set<CaseStatus>(['received', 'accepted', 'rejected', 'duplicate', 'dispatched', 'handled', 'closed', 'reopened']);

/** mySociety's servicerequestupdates statuses (FixMyStreet, open311-adapter) as our detailed states. */
const MYSOCIETY_STATUSES: Record<string, CaseStatus> = {
  open: 'received',
  for_triage: 'received',
  investigating: 'accepted',
  in_progress: 'dispatched',
  action_scheduled: 'dispatched',
  planned: 'dispatched',
  internal_referral: 'dispatched',
  fixed: 'handled',
  closed: 'closed',
  duplicate: 'duplicate',
  not_councils_responsibility: 'rejected',
  no_further_action: 'rejected',
  reopen: 'reopened',
};

export function fromMySocietyStatus(value: unknown): CaseStatus | null {
  if (typeof value !== 'string') return null;
  return (
    MYSOCIETY_STATUSES[
      value
        .trim()
        .toLowerCase()
        .replace(/[\s-]+/g, '_')
    ] ?? null
  );
}

/**
 * A core-only server says open or closed and, at best, a note. Read what the note and fields say:
 * the spec's own example closes a case with "Duplicate request.", and an open case with an agency or
 * an expected date has been dispatched. Anything else stays the plain reading.
 */
export function fromCoreStatus(raw: Record<string, unknown>): CaseStatus {
  const notes = typeof raw.status_notes === 'string' ? raw.status_notes : '';
  if (raw.status === 'closed') {
    if (/duplicate|重复|合并/i.test(notes)) return 'duplicate';
    if (/not (the )?(council'?s|our|city'?s)? ?responsib|no further action|reject|invalid|不予(立案|受理)|驳回|不属于|无效/i.test(notes)) return 'rejected';
    return 'closed';
  }
  if (nonEmpty(raw.agency_responsible) || parseDate(raw.expected_datetime)) return 'dispatched';
  return 'received';
}

export function toService(item: Record<string, unknown>): CaseService | null {
  const code = idString(item.service_code);
  if (!code) return null;
  const type = item.type === 'batch' || item.type === 'blackbox' ? item.type : 'realtime';
  // The spec's keywords are one comma-separated string; some servers send an array.
  const keywords = Array.isArray(item.keywords) ? item.keywords.map(String) : typeof item.keywords === 'string' ? item.keywords.split(',') : [];
  return {
    serviceCode: code,
    serviceName: typeof item.service_name === 'string' ? item.service_name : code,
    group: typeof item.group === 'string' ? item.group : '',
    metadata: item.metadata === true || item.metadata === 'true',
    type,
    keywords: keywords.map((k) => k.trim()).filter(Boolean),
  };
}

export interface Attribute {
  code: string;
  variable: boolean;
  required: boolean;
  datatype: string;
  description: string;
  values: string[];
}

export function toAttributes(definition: unknown): Attribute[] {
  const list = isObject(definition) && Array.isArray(definition.attributes) ? definition.attributes : [];
  const out: Attribute[] = [];
  for (const a of list) {
    if (!isObject(a)) continue;
    const code = idString(a.code);
    if (!code) continue;
    out.push({
      code,
      variable: a.variable !== false && a.variable !== 'false',
      required: a.required === true || a.required === 'true',
      datatype: typeof a.datatype === 'string' ? a.datatype : 'string',
      description: typeof a.description === 'string' ? cutText(a.description, 200) : '',
      values: Array.isArray(a.values) ? a.values.map((v) => (isObject(v) ? idString(v.key) : null)).filter((k): k is string => k !== null) : [],
    });
  }
  return out;
}

export function toUpdate(caseId: string, u: Record<string, unknown>, caseMergedInto: string | null): CaseUpdate | null {
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

/** One entry of servicerequestupdates; the status is mySociety's. */
export function fromFeedEntry(u: Record<string, unknown>): CaseUpdate | null {
  const caseId = idString(u.service_request_id);
  const status = fromMySocietyStatus(u.status);
  const updateId = idString(u.update_id);
  const updatedAt = parseDate(u.updated_datetime);
  if (!caseId || !status || !updateId || !updatedAt) return null;
  return { updateId, caseId, status, note: nonEmpty(u.description), department: null, expectedAt: null, mediaUrls: mediaList(u.media_urls, u.media_url), updatedAt, mergedInto: null };
}

export function toSnapshot(caseId: string, raw: Record<string, unknown>, path: string, feed: CaseUpdate[] = []): CaseSnapshot {
  const ext = isObject(raw.extended_attributes) ? raw.extended_attributes : {};
  const caseMergedInto = idString(ext.merged_into);
  let updates: CaseUpdate[] = [];
  if (Array.isArray(ext.updates)) {
    for (const u of ext.updates) {
      const update = isObject(u) ? toUpdate(caseId, u, caseMergedInto) : null;
      if (update) updates.push(update);
    }
  }
  if (updates.length === 0) updates = feed.filter((u) => u.caseId === caseId);
  const detailed = typeof ext.detailed_status === 'string' && CASE_STATUSES.has(ext.detailed_status) ? (ext.detailed_status as CaseStatus) : null;
  const core = fromCoreStatus(raw);
  const updatedAt = parseDate(raw.updated_datetime) ?? latest(updates)?.updatedAt ?? parseDate(raw.requested_datetime);
  if (!updatedAt) throw malformed(path, 'no updated_datetime');

  // A server without detailed updates still changes: the core answer becomes an update of its own,
  // named by its status and time so that it is applied once. It is added too when the core status has
  // moved past the last update the feed had.
  if (!detailed) {
    const last = latest(updates);
    const coreIsNewer = !last || (updatedAt.getTime() > last.updatedAt.getTime() && coarse(last.status) !== coarse(core));
    if (coreIsNewer) {
      updates.push({
        updateId: `open311:${core}:${updatedAt.toISOString()}`,
        caseId,
        status: core,
        note: nonEmpty(raw.status_notes),
        department: nonEmpty(raw.agency_responsible),
        expectedAt: parseDate(raw.expected_datetime),
        mediaUrls: [],
        updatedAt,
        mergedInto: null,
      });
    }
  }
  // Stable sort: equal timestamps keep the server's order.
  updates.sort((a, b) => a.updatedAt.getTime() - b.updatedAt.getTime());
  const last = updates.at(-1);
  return {
    caseId: idString(raw.service_request_id) ?? caseId,
    status: detailed ?? last?.status ?? core,
    note: nonEmpty(raw.status_notes) ?? last?.note ?? null,
    department: nonEmpty(raw.agency_responsible) ?? last?.department ?? null,
    expectedAt: parseDate(raw.expected_datetime) ?? last?.expectedAt ?? null,
    updatedAt,
    updates,
  };
}

function latest(updates: CaseUpdate[]): CaseUpdate | undefined {
  return updates.reduce<CaseUpdate | undefined>((a, u) => (!a || u.updatedAt >= a.updatedAt ? u : a), undefined);
}

const CLOSED: ReadonlySet<CaseStatus> = new Set(['closed', 'rejected', 'duplicate']);
function coarse(s: CaseStatus): 'open' | 'closed' {
  return CLOSED.has(s) ? 'closed' : 'open';
}

export function errorDescription(body: unknown): string | null {
  const first = Array.isArray(body) ? body[0] : body;
  if (isObject(first) && typeof first.description === 'string' && first.description) return cutText(first.description, 500);
  return null;
}

export function malformed(path: string, why: string): CaseSystemError {
  return new CaseSystemError(`Open311 ${path}: malformed answer (${why})`, true);
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// Text from the case system is kept, never refused (an update that cannot be stored would be retried
// for ever): what PostgreSQL cannot store is replaced with U+FFFD.

/** Open311 ids are strings, but some servers send numbers. */
export function idString(value: unknown): string | null {
  if (typeof value === 'string' && value.trim().length > 0) return toStorableText(value.trim());
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

export function nonEmpty(value: unknown): string | null {
  return typeof value === 'string' && value.trim() ? toStorableText(value) : null;
}

/** A date outside CALENDAR_YEARS is no date: PostgreSQL could not store it, so it is read as absent. */
export function parseDate(value: unknown): Date | null {
  if (typeof value !== 'string' || !value) return null;
  const date = new Date(value);
  return isStorableInstant(date) ? date : null;
}

function mediaList(list: unknown, single: unknown): string[] {
  if (Array.isArray(list)) return list.filter((u): u is string => typeof u === 'string' && u.length > 0);
  return typeof single === 'string' && single.trim() ? [single.trim()] : [];
}
