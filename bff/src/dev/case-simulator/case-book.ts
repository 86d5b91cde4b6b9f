import { randomBytes } from 'node:crypto';
import { REPORT_CATEGORIES, type ReportStatus } from '@cityloop/shared';
import { cityDate, cityTime, isHttpUrl, isObject, type Timers } from './http-util';

/**
 * The simulated case system's state machine: cases in memory, the seven steps as operator actions,
 * one update appended per step, and the optional demo auto-advance. No HTTP here.
 */

export type CaseStatus = Exclude<ReportStatus, 'submitted'>;
export type OperatorAction = 'register' | 'reject' | 'merge' | 'dispatch' | 'handle' | 'close' | 'reopen';

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
  readonly mediaUrls: readonly string[];
  /** Every field the create request carried except api_key, first value of each, as received (tests check what was sent). */
  readonly form: Readonly<Record<string, string>>;
  readonly updates: readonly SimulatedUpdate[];
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

export interface MutableUpdate {
  update_id: string;
  status: CaseStatus;
  description: string;
  agency_responsible: string | null;
  expected_datetime: string | null;
  media_urls: string[];
  updated_datetime: string;
  merged_into: string | null;
}

export interface MutableCase {
  serviceRequestId: string;
  clientRequestId: string | null;
  serviceCode: string;
  serviceName: string;
  description: string;
  address: string | null;
  addressId: string | null;
  lat: number | null;
  long: number | null;
  mediaUrl: string | null;
  /** Every photo the create carried: repeated media_url, attribute[media_urls] and posted files. */
  mediaUrls: string[];
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

/** A create request after the Open311 layer validated it. */
export interface NewSimulatedCase {
  clientRequestId: string | null;
  serviceCode: string;
  serviceName: string;
  description: string;
  address: string | null;
  addressId: string | null;
  lat: number | null;
  long: number | null;
  mediaUrl: string | null;
  mediaUrls: string[];
  form: Record<string, string>;
}

export interface CaseBookOptions {
  now: () => Date;
  timers: Timers;
  departments?: string[];
  casePrefix?: string;
  firstSequence?: number;
  runTag?: string;
  autoAdvanceMs?: number;
  /** Called for every update appended, in order (webhook delivery). */
  onUpdate: (c: MutableCase, u: MutableUpdate) => void;
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
export const OPERATOR_ACTIONS: ReadonlySet<string> = new Set<string>(Object.keys(ALLOWED_FROM));
/** Open311 core status: only open and closed. */
export const CLOSED_STATES: ReadonlySet<CaseStatus> = new Set(['closed', 'rejected', 'duplicate']);

const AUTO_NEXT: Partial<Record<CaseStatus, OperatorAction>> = {
  received: 'register',
  accepted: 'dispatch',
  dispatched: 'handle',
  reopened: 'handle',
  handled: 'close',
};

export class CaseBook {
  readonly cases = new Map<string, MutableCase>();
  private readonly byClientId = new Map<string, string>();
  private readonly prefix: string;
  private readonly runTag: string;
  private readonly departments: string[] | null;
  private sequence: number;
  closed = false;

  constructor(private readonly options: CaseBookOptions) {
    this.prefix = options.casePrefix ?? 'CG';
    this.departments = options.departments?.length ? options.departments : null;
    this.sequence = options.firstSequence ?? 1;
    this.runTag = options.runTag ?? randomBytes(4).readUInt32BE(0).toString(36).toUpperCase().padStart(5, '0').slice(-5);
  }

  findByClientId(clientRequestId: string): MutableCase | undefined {
    const id = this.byClientId.get(clientRequestId);
    return id ? this.cases.get(id) : undefined;
  }

  create(input: NewSimulatedCase): MutableCase {
    const at = this.options.now();
    const serviceRequestId = `${this.prefix}${cityDate(at)}-${this.runTag}-${String(this.sequence).padStart(6, '0')}`;
    this.sequence += 1;
    const c: MutableCase = {
      ...input,
      serviceRequestId,
      status: 'received',
      department: null,
      expectedAt: null,
      mergedInto: null,
      requestedAt: at,
      updatedAt: at,
      updates: [],
    };
    this.cases.set(serviceRequestId, c);
    if (input.clientRequestId) this.byClientId.set(input.clientRequestId, serviceRequestId);
    this.addUpdate(c, at, 'received', `已受理，案件编号 ${serviceRequestId}`);
    return c;
  }

  /** A case the server took and then lost (a restore from backup, a purge): no request shows it again. */
  lose(caseId: string): boolean {
    const c = this.cases.get(caseId);
    if (!c) return false;
    this.cases.delete(caseId);
    if (c.clientRequestId) this.byClientId.delete(c.clientRequestId);
    return true;
  }

  /** What an operator does in the console; throws CaseSimulatorError on a refused step. */
  advance(caseId: string, action: OperatorAction, payload: ActionPayload = {}): MutableCase {
    if (this.closed) throw new CaseSimulatorError(503, 'simulator is closed');
    const c = this.cases.get(caseId);
    if (!c) throw new CaseSimulatorError(404, `case ${caseId} not found`);
    if (!OPERATOR_ACTIONS.has(action)) throw new CaseSimulatorError(404, `unknown action ${String(action)}`);
    if (!isObject(payload)) throw new CaseSimulatorError(400, 'payload must be a JSON object');
    if (!ALLOWED_FROM[action].includes(c.status)) {
      throw new CaseSimulatorError(409, `cannot ${action} (${ACTION_NAMES[action]}) a case that is ${c.status}; allowed from: ${ALLOWED_FROM[action].join(', ')}`);
    }
    const note = optionalText(payload.note, 'note');
    const at = this.options.now();
    switch (action) {
      case 'register':
        this.addUpdate(c, at, 'accepted', note ?? '已立案，等待派遣');
        break;
      case 'reject': {
        const reason = requiredText(payload.reason, 'reason');
        this.addUpdate(c, at, 'rejected', note ?? `不予立案：${reason}`);
        break;
      }
      case 'merge': {
        const into = requiredText(payload.into, 'into');
        const target = this.cases.get(into);
        if (!target) throw new CaseSimulatorError(400, `merge target ${into} not found`);
        if (target === c) throw new CaseSimulatorError(400, 'a case cannot be merged into itself');
        if (target.status === 'duplicate') throw new CaseSimulatorError(400, `merge target ${into} is itself merged into ${target.mergedInto}`);
        c.mergedInto = into;
        this.addUpdate(c, at, 'duplicate', note ?? `与案件 ${into} 反映同一问题，已合并办理`);
        break;
      }
      case 'dispatch': {
        const department = optionalText(payload.department, 'department') ?? c.department ?? this.departmentFor(c);
        if (this.departments && !this.departments.includes(department)) throw new CaseSimulatorError(400, `unknown department ${department}`);
        let expected: Date;
        if (payload.expected_datetime !== undefined) {
          const parsed = typeof payload.expected_datetime === 'string' ? new Date(payload.expected_datetime) : new Date(NaN);
          if (Number.isNaN(parsed.getTime())) throw new CaseSimulatorError(400, 'expected_datetime must be an ISO 8601 date-time');
          expected = parsed;
        } else expected = new Date(at.getTime() + 3 * 24 * 3600_000);
        c.department = department;
        c.expectedAt = expected;
        this.addUpdate(c, at, 'dispatched', note ?? `已派遣至 ${department}`);
        break;
      }
      case 'handle': {
        const media = payload.media_urls ?? [];
        if (!Array.isArray(media) || media.some((u) => typeof u !== 'string' || !isHttpUrl(u))) {
          throw new CaseSimulatorError(400, 'media_urls must be an array of http(s) URLs');
        }
        this.addUpdate(c, at, 'handled', note ?? '已处置完毕', { media_urls: [...media] });
        break;
      }
      case 'close':
        this.addUpdate(c, at, 'closed', note ?? '经核查，问题已解决，予以结案');
        break;
      case 'reopen': {
        const reason = requiredText(payload.reason, 'reason');
        // Rework is a new round with its own time limit, as the city's systems set it on re-dispatch.
        c.expectedAt = new Date(at.getTime() + 3 * 24 * 3600_000);
        this.addUpdate(c, at, 'reopened', note ?? `重新办理：${reason}`);
        break;
      }
    }
    return c;
  }

  /** Appends an update that is no step of the loop (a citizen's comment): the status stays. */
  addNote(c: MutableCase, description: string, mediaUrls: string[]): MutableUpdate {
    return this.addUpdate(c, this.options.now(), c.status, description, { media_urls: mediaUrls });
  }

  private addUpdate(c: MutableCase, at: Date, status: CaseStatus, description: string, extra: { media_urls?: string[] } = {}): MutableUpdate {
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
    this.options.onUpdate(c, update);
    this.scheduleAutoAdvance(c);
    return update;
  }

  private departmentFor(c: MutableCase): string {
    const departments = this.departments;
    if (departments) return departments[Number(c.serviceRequestId.slice(-6)) % departments.length] ?? departments[0];
    const group = REPORT_CATEGORIES.find((cat) => cat.serviceCode === c.serviceCode)?.group;
    return (group && GROUP_DEPARTMENTS[group]) || DEFAULT_DEPARTMENT;
  }

  private scheduleAutoAdvance(c: MutableCase) {
    const { autoAdvanceMs, timers } = this.options;
    if (!autoAdvanceMs || this.closed) return;
    if (c.autoTimer) {
      timers.cancel(c.autoTimer);
      c.autoTimer = undefined;
    }
    const next = AUTO_NEXT[c.status];
    if (!next) return;
    c.autoTimer = timers.later(autoAdvanceMs, () => {
      c.autoTimer = undefined;
      if (AUTO_NEXT[c.status] !== next) return;
      this.advance(c.serviceRequestId, next, next === 'handle' ? { note: '已处置完毕（自动演示）' } : {});
    });
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
