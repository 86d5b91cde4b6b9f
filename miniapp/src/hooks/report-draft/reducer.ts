import { cutText, REPORT_LIMITS, type ReportDto } from '@cityloop/shared';
import type { DraftPhoto, ReportDraft } from '../../utils/draft-rules';
import type { ChosenPosition } from '../../utils/position';

/**
 * The 随手拍 form's state and every change to it, as a pure reducer: the hooks in this folder read
 * one current state (no refs mirroring React state) and change it only through these actions.
 * Anything random or time-dependent (fresh drafts, keys) comes in on the action.
 */

export type LocateState = 'idle' | 'locating' | 'failed' | 'done';
export type Notice = { kind: 'error' | 'info'; text: string } | null;
/** 'looking' while the address under the pin is asked for; 'failed' when it cannot be known. */
export type AddressLookup = 'idle' | 'looking' | 'failed';

export interface DraftFormState {
  draft: ReportDraft;
  locate: LocateState;
  /** Bumped by every location choice, so a GPS answer that arrives after a newer choice is dropped. */
  locateSeq: number;
  submitting: boolean;
  notice: Notice;
  /** Set when a 待发送 report went out while the page was hidden, so it can say so when shown. */
  autoSubmitted: ReportDto | null;
  addressLookup: AddressLookup;
}

export const DROPPED_PHOTOS_TEXT = (n: number) => `有 ${n} 张照片在页面刷新前没有上传完，浏览器已无法读取，请重新添加`;
export const CONFLICT_TEXT = '这份草稿可能已经提交过，请先到「我的举报」查看；确需再次提交，请再点一次提交';
export const EDIT_PENDING_TEXT = '已取消自动提交，修改后请重新提交';

export type DraftAction =
  | { type: 'fieldEdited'; field: 'category' | 'description' | 'address'; value: string }
  /** A place chosen by hand (city, map pick, pin moved); `suggested` is the map's name for it. */
  | { type: 'locationChosen'; location: ChosenPosition; suggested?: string }
  | { type: 'locateStarted' }
  /** A GPS answer for the attempt numbered `seq`. */
  | { type: 'located'; seq: number; location: ChosenPosition }
  | { type: 'locateFailed'; seq: number }
  | { type: 'addressLookup'; state: AddressLookup }
  /** The geocoder named the point `at`; ignored when the pin has moved since. */
  | { type: 'addressFound'; at: { lat: number; lng: number }; address: string; street?: string }
  | { type: 'photosAdded'; photos: DraftPhoto[] }
  | { type: 'photoPatched'; localId: string; patch: Partial<DraftPhoto> }
  | { type: 'photoRemoved'; localId: string }
  /** H5 after a reload: a photo whose bytes are gone; 待发送 is lifted so the form is not stuck. */
  | { type: 'photoLost'; localId: string }
  | { type: 'notice'; notice: Notice }
  | { type: 'submitStarted'; byTap: boolean }
  | { type: 'submitEnded' }
  /** No answer: 待发送, retried when the network is back. */
  | { type: 'markedPending' }
  | { type: 'submitRefused'; text: string }
  /** About to send `bodyJson`: the same body keeps its key (a lost answer is replayed), a changed one gets `freshKey`. */
  | { type: 'bodySent'; bodyJson: string; freshKey: string }
  /** 409: the key went out earlier with other content, so that earlier attempt did arrive. */
  | { type: 'keyConflict'; freshKey: string }
  | { type: 'submitted'; fresh: ReportDraft }
  | { type: 'autoSubmitted'; report: ReportDto | null }
  | { type: 'pendingEdited' }
  /** 清空草稿 confirmed: a fresh draft at the same place. */
  | { type: 'discarded'; fresh: ReportDraft };

export function initialFormState(draft: ReportDraft, restored: { droppedPhotos: number } | null): DraftFormState {
  let notice: Notice = null;
  if (restored?.droppedPhotos) notice = { kind: 'info', text: DROPPED_PHOTOS_TEXT(restored.droppedPhotos) };
  else if (restored && !draft.pending) notice = { kind: 'info', text: '已恢复上次未提交的草稿' };
  return { draft, locate: draft.location ? 'done' : 'idle', locateSeq: 0, submitting: false, notice, autoSubmitted: null, addressLookup: 'idle' };
}

/** While 待发送 or sending, the body must not change under the idempotency key. */
export function isEditable(s: DraftFormState): boolean {
  return !s.draft.pending && !s.submitting;
}

function withDraft(s: DraftFormState, fn: (d: ReportDraft) => ReportDraft): DraftFormState {
  const draft = fn(s.draft);
  return draft === s.draft ? s : { ...s, draft };
}

function patchPhoto(d: ReportDraft, localId: string, patch: Partial<DraftPhoto>): ReportDraft {
  const index = d.photos.findIndex((p) => p.localId === localId);
  if (index < 0) return d;
  const photos = d.photos.slice();
  photos[index] = { ...photos[index], ...patch };
  return { ...d, photos };
}

export function draftReducer(s: DraftFormState, a: DraftAction): DraftFormState {
  switch (a.type) {
    case 'fieldEdited':
      return isEditable(s) ? withDraft(s, (d) => ({ ...d, [a.field]: a.value })) : s;
    case 'locationChosen': {
      if (!isEditable(s)) return s;
      const d = s.draft;
      // The map's name fills the address unless the resident has typed their own.
      const own = d.address.trim() !== '' && d.address !== d.addressAuto;
      let draft: ReportDraft;
      if (!a.suggested || own) draft = { ...d, location: a.location };
      else {
        const address = cutText(a.suggested, REPORT_LIMITS.addressMaxChars, '');
        draft = { ...d, location: a.location, address, addressAuto: address };
      }
      return { ...s, draft, locate: 'done', locateSeq: s.locateSeq + 1 };
    }
    case 'locateStarted':
      return isEditable(s) ? { ...s, locate: 'locating', locateSeq: s.locateSeq + 1 } : s;
    case 'located':
      if (a.seq !== s.locateSeq || !isEditable(s)) return s;
      return { ...s, locate: 'done', draft: { ...s.draft, location: a.location } };
    case 'locateFailed':
      if (a.seq !== s.locateSeq) return s;
      return { ...s, locate: s.draft.location ? 'done' : 'failed' };
    case 'addressLookup':
      return s.addressLookup === a.state ? s : { ...s, addressLookup: a.state };
    case 'addressFound': {
      const next = withDraft(s, (d) =>
        d.location && d.location.lat === a.at.lat && d.location.lng === a.at.lng ? { ...d, location: { ...d.location, address: a.address, ...(a.street ? { street: a.street } : {}) } } : d,
      );
      return { ...next, addressLookup: 'idle' };
    }
    case 'photosAdded':
      return a.photos.length ? withDraft(s, (d) => ({ ...d, photos: d.photos.concat(a.photos) })) : s;
    case 'photoPatched':
      return withDraft(s, (d) => patchPhoto(d, a.localId, a.patch));
    case 'photoRemoved':
      return withDraft(s, (d) => (d.photos.some((p) => p.localId === a.localId) ? { ...d, photos: d.photos.filter((p) => p.localId !== a.localId) } : d));
    case 'photoLost':
      return withDraft(s, (d) => ({ ...d, pending: false, photos: d.photos.filter((p) => p.localId !== a.localId) }));
    case 'notice':
      return { ...s, notice: a.notice };
    case 'submitStarted':
      return { ...s, submitting: true, notice: a.byTap ? null : s.notice };
    case 'submitEnded':
      return s.submitting ? { ...s, submitting: false } : s;
    case 'markedPending':
      return { ...withDraft(s, (d) => (d.pending ? d : { ...d, pending: true })), notice: null };
    case 'submitRefused':
      return { ...withDraft(s, (d) => (d.pending ? { ...d, pending: false } : d)), notice: { kind: 'error', text: a.text } };
    case 'bodySent':
      return withDraft(s, (d) => ({
        ...d,
        idempotencyKey: d.sentBody !== null && d.sentBody !== a.bodyJson ? a.freshKey : d.idempotencyKey,
        sentBody: a.bodyJson,
      }));
    case 'keyConflict':
      return {
        ...withDraft(s, (d) => ({ ...d, pending: false, idempotencyKey: a.freshKey, sentBody: null })),
        notice: { kind: 'error', text: CONFLICT_TEXT },
      };
    case 'submitted':
      // The next report may be elsewhere: locate again when shown.
      return { ...s, draft: a.fresh, notice: null, locate: 'idle', locateSeq: s.locateSeq + 1 };
    case 'autoSubmitted':
      return { ...s, autoSubmitted: a.report };
    case 'pendingEdited':
      if (s.submitting) return s;
      return { ...withDraft(s, (d) => (d.pending ? { ...d, pending: false } : d)), notice: { kind: 'info', text: EDIT_PENDING_TEXT } };
    case 'discarded':
      return { ...s, draft: { ...a.fresh, location: s.draft.location }, notice: null };
  }
}
