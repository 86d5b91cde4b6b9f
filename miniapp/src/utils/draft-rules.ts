import { charCount, REPORT_LIMITS, errorMessageZh, findCategory, isStorableText, type PhotoDto, type SubmitReportBody } from '@cityloop/shared';
import type { ChosenPosition } from './position';

/**
 * The 随手拍 draft's shape and rules, free of Taro so they can be unit-tested: validation, the body
 * sent to the BFF, and fresh keys. Its storage is services/report-draft.ts.
 */

/** uploading → done; a lost connection parks it as waiting (retried when online); failed needs the resident. */
export type PhotoStatus = 'uploading' | 'done' | 'waiting' | 'failed';

export interface DraftPhoto {
  /** Stable key for the tile; never sent. */
  localId: string;
  /** weapp temp or saved file path, H5 blob: URL; null once it can no longer be read (H5 after a reload). */
  localPath: string | null;
  /**
   * The bytes are kept until the report is sent: weapp moved `localPath` into the saved-file store;
   * H5 stored the blob in IndexedDB under `localId` (photo-store.ts). Either must be removed when no
   * longer needed.
   */
  kept: boolean;
  fileName?: string;
  photo: PhotoDto | null;
  status: PhotoStatus;
  /** 0–100, memory only. */
  progress: number;
  /** Chinese: the server's reason when it refused the photo. */
  error: string | null;
  /** The server refused this file (broken, HEIC, too large…): retrying cannot help, only 换一张. */
  refused: boolean;
}

export interface ReportDraft {
  category: string | null;
  description: string;
  address: string;
  /** The address last filled in from the map, so a later pick may replace it but never the resident's own text. */
  addressAuto: string | null;
  location: ChosenPosition | null;
  photos: DraftPhoto[];
  /** One per draft; reused by every retry of the same body. */
  idempotencyKey: string;
  /** JSON of the body last sent with `idempotencyKey`; a different body needs a new key (else 409). */
  sentBody: string | null;
  /** 待发送: the last submit got no answer; it is retried automatically when the network is back. */
  pending: boolean;
}

function randomHex(bytes: number): string {
  const buf = new Uint8Array(bytes);
  if (typeof crypto !== 'undefined' && typeof crypto.getRandomValues === 'function') crypto.getRandomValues(buf);
  else for (let i = 0; i < buf.length; i += 1) buf[i] = Math.floor(Math.random() * 256);
  return Array.from(buf, (b) => (b < 16 ? '0' : '') + b.toString(16)).join('');
}

/** `rpt-<time>-<32 hex>`: unique enough per resident, far below the 100-character limit. */
export function newIdempotencyKey(): string {
  return `rpt-${Date.now().toString(36)}-${randomHex(16)}`.slice(0, REPORT_LIMITS.idempotencyKeyMaxLength);
}

export function newLocalId(): string {
  return `p-${Date.now().toString(36)}-${randomHex(4)}`;
}

export function newDraft(): ReportDraft {
  return {
    category: null,
    description: '',
    address: '',
    addressAuto: null,
    location: null,
    photos: [],
    idempotencyKey: newIdempotencyKey(),
    sentBody: null,
    pending: false,
  };
}

export function photoLimit(category: string | null): { min: number; max: number } {
  const cat = findCategory(category);
  const max = Math.min(cat?.photos.max ?? REPORT_LIMITS.maxPhotos, REPORT_LIMITS.maxPhotos);
  return { min: cat ? cat.photos.min : 1, max };
}

/**
 * Why the draft cannot be submitted yet, or null. Photos still waiting for the network do not block:
 * submitting then queues the whole report (待发送) and uploads them first when back online.
 */
export function draftBlocker(d: ReportDraft): string | null {
  // Photos first: they are at the top of the form, and a refused one needs the resident's hand.
  if (d.photos.some((p) => p.status === 'failed' && p.refused)) return '有照片无法使用，请换一张或删除';
  if (d.photos.some((p) => p.status === 'failed')) return '有照片上传失败，请点击照片重试或删除';
  const cat = findCategory(d.category);
  if (!cat) return '请选择问题类型';
  const { min, max } = photoLimit(d.category);
  if (d.photos.length < min) return `请至少添加 ${min} 张照片`;
  if (d.photos.length > max) return `最多 ${max} 张照片，请删除多余的`;
  if (!d.location) return '请先定位或选择位置';
  // The BFF refuses these (TEXT_NOT_STORABLE); say so before sending rather than after.
  if (!isStorableText(d.description) || !isStorableText(d.address)) return errorMessageZh('TEXT_NOT_STORABLE');
  const desc = charCount(d.description.trim());
  if (desc < REPORT_LIMITS.descriptionMinChars) return `问题描述至少 ${REPORT_LIMITS.descriptionMinChars} 个字（还差 ${REPORT_LIMITS.descriptionMinChars - desc} 个）`;
  if (desc > REPORT_LIMITS.descriptionMaxChars) return `问题描述最多 ${REPORT_LIMITS.descriptionMaxChars} 个字`;
  const addr = charCount(d.address.trim());
  // A pin (GPS or moved on the map) says where; a city centre does not, so then the words must.
  if (addr === 0 && d.location.source === 'city') return '请填写详细地址';
  if (addr > REPORT_LIMITS.addressMaxChars) return `地址最多 ${REPORT_LIMITS.addressMaxChars} 个字`;
  if (d.photos.some((p) => p.status === 'uploading')) return '照片上传中，请稍候';
  return null;
}

/** Only valid once every photo is uploaded and `draftBlocker` is null. */
export function draftBody(d: ReportDraft): SubmitReportBody {
  const loc = d.location!;
  return {
    category: d.category!,
    description: d.description.trim(),
    location: { lat: loc.lat, lng: loc.lng, coordSystem: loc.coordSystem },
    // Empty is fine once a pin is set: the BFF then stores the address geocoded from the point.
    address: d.address.trim(),
    ...(loc.street ? { street: loc.street } : {}),
    photoIds: d.photos.filter((p) => p.photo).map((p) => p.photo!.id),
  };
}

export function isDraftEmpty(d: ReportDraft): boolean {
  return !d.category && !d.description.trim() && !d.address.trim() && d.photos.length === 0 && !d.pending;
}
