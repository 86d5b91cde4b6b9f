import Taro from '@tarojs/taro';
import { charCount, COORD_SYSTEMS, REPORT_LIMITS, errorMessageZh, findCategory, isStorableText, type PhotoDto, type SubmitReportBody } from '@cityloop/shared';
import type { ChosenPosition, PositionSource } from '../utils/location';
import { deletePhoto, sweepPhotos } from './photo-store';
import { NETWORK_ERROR, type ApiError } from './request';

/**
 * The 随手拍 draft: pure helpers (validation, body, key) plus its storage. The page keeps one draft
 * in memory and writes it through `saveDraft` on every change, so a killed app or a reload loses
 * nothing that can be restored.
 */
export const DRAFT_STORAGE_KEY = 'cityloop.reportDraft';
const DRAFT_VERSION = 1;
const IS_H5 = process.env.TARO_ENV === 'h5';
const IS_WEAPP = process.env.TARO_ENV === 'weapp';

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

// ---- pure helpers -------------------------------------------------------------------------------

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

/** Characters as the BFF counts them: code points, so an emoji is one and 汉字 are one each. */
export { charCount };

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

/**
 * Worth retrying later without the resident doing anything: no HTTP answer at all. wx.login also
 * fails offline (WECHAT_CODE_INVALID without a status) when the token has to be renewed first.
 */
export function isOfflineError(err: ApiError): boolean {
  return err.code === NETWORK_ERROR || (err.code === 'WECHAT_CODE_INVALID' && err.status === 0);
}

export function isDraftEmpty(d: ReportDraft): boolean {
  return !d.category && !d.description.trim() && !d.address.trim() && d.photos.length === 0 && !d.pending;
}

// ---- storage -----------------------------------------------------------------------------------

interface StoredPhoto {
  localId: string;
  localPath: string | null;
  kept: boolean;
  fileName?: string;
  photo: PhotoDto | null;
  failed: boolean;
  refused?: boolean;
  error?: string | null;
}

interface StoredDraft {
  v: number;
  category: string | null;
  description: string;
  address: string;
  addressAuto: string | null;
  location: ChosenPosition | null;
  photos: StoredPhoto[];
  idempotencyKey: string;
  sentBody: string | null;
  pending: boolean;
  savedAt: number;
}

function toStored(d: ReportDraft): Omit<StoredDraft, 'savedAt'> {
  return {
    v: DRAFT_VERSION,
    category: d.category,
    description: d.description,
    address: d.address,
    addressAuto: d.addressAuto,
    location: d.location,
    photos: d.photos.map((p) => ({
      localId: p.localId,
      localPath: p.localPath,
      kept: p.kept,
      fileName: p.fileName,
      photo: p.photo,
      failed: p.status === 'failed',
      refused: p.refused,
      error: p.status === 'failed' ? p.error : null,
    })),
    idempotencyKey: d.idempotencyKey,
    sentBody: d.sentBody,
    pending: d.pending,
  };
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const strOrNull = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);
const POSITION_SOURCES: readonly PositionSource[] = ['gps', 'city', 'picked'];

function readLocation(raw: unknown): ChosenPosition | null {
  const l = raw as Partial<ChosenPosition> | null;
  if (!l || typeof l.lat !== 'number' || typeof l.lng !== 'number' || !Number.isFinite(l.lat) || !Number.isFinite(l.lng)) return null;
  if (!l.coordSystem || COORD_SYSTEMS.indexOf(l.coordSystem) < 0) return null;
  const source = l.source && POSITION_SOURCES.indexOf(l.source) >= 0 ? l.source : 'picked';
  return {
    lat: l.lat,
    lng: l.lng,
    coordSystem: l.coordSystem,
    source,
    label: str(l.label) || '已保存的位置',
    ...(strOrNull(l.presetKey) ? { presetKey: str(l.presetKey) } : {}),
    ...(strOrNull(l.address) ? { address: str(l.address) } : {}),
    ...(strOrNull(l.street) ? { street: str(l.street) } : {}),
  };
}

function readPhoto(raw: unknown): StoredPhoto | null {
  const p = raw as Partial<StoredPhoto> | null;
  if (!p || typeof p.localId !== 'string') return null;
  const photo = p.photo && typeof p.photo.id === 'string' && typeof p.photo.url === 'string' ? p.photo : null;
  const localPath = strOrNull(p.localPath);
  if (!photo && !localPath && !(IS_H5 && p.kept === true)) return null;
  return {
    localId: p.localId,
    localPath,
    kept: p.kept === true,
    fileName: strOrNull(p.fileName) ?? undefined,
    photo,
    failed: p.failed === true,
    refused: p.refused === true,
    error: strOrNull(p.error),
  };
}

export interface RestoredDraft {
  draft: ReportDraft;
  /** Photos that could not come back (H5: not uploaded before the reload). */
  droppedPhotos: number;
}

/** The stored draft, or null when there is none or it is unreadable (then it is removed). */
export function loadDraft(): RestoredDraft | null {
  let raw: unknown;
  try {
    raw = Taro.getStorageSync(DRAFT_STORAGE_KEY);
  } catch {
    return null;
  }
  if (!raw) return null;
  if (typeof raw === 'string') {
    try {
      raw = JSON.parse(raw);
    } catch {
      raw = null;
    }
  }
  const s = raw as Partial<StoredDraft> | null;
  if (!s || s.v !== DRAFT_VERSION || typeof s.idempotencyKey !== 'string' || !s.idempotencyKey) {
    clearDraft();
    return null;
  }
  let droppedPhotos = 0;
  const photos: DraftPhoto[] = [];
  (Array.isArray(s.photos) ? s.photos : []).forEach((item) => {
    const p = readPhoto(item);
    if (!p) return;
    // An H5 blob: URL belongs to the page that created it and is dead after a reload; the bytes come
    // back from IndexedDB (restoreKeptPhotos) when they were kept there, else only uploaded ones survive.
    const localPath = IS_H5 ? null : p.localPath;
    if (!p.photo && !localPath && !(IS_H5 && p.kept)) {
      droppedPhotos += 1;
      return;
    }
    photos.push({
      localId: p.localId,
      localPath,
      kept: p.kept,
      fileName: p.fileName,
      photo: p.photo,
      status: p.photo ? 'done' : p.failed ? 'failed' : 'waiting',
      progress: p.photo ? 100 : 0,
      error: p.failed ? (p.error ?? '上传失败，点击重试') : null,
      refused: p.failed && p.refused === true,
    });
  });
  const category = findCategory(s.category) ? (s.category as string) : null;
  const draft: ReportDraft = {
    category,
    description: str(s.description),
    address: str(s.address),
    addressAuto: strOrNull(s.addressAuto),
    location: readLocation(s.location),
    photos,
    idempotencyKey: s.idempotencyKey,
    sentBody: strOrNull(s.sentBody),
    // A report that lost photos cannot go out as it was: let the resident add them again.
    pending: s.pending === true && droppedPhotos === 0,
  };
  // Write the cleaned-up copy back, so dropped photos are not reported again on the next load.
  lastSaved = null;
  saveDraft(draft);
  return { draft, droppedPhotos };
}

/** JSON of the last write, so progress ticks and other memory-only changes skip the storage call. */
let lastSaved: string | null = null;

/** Writes the draft (or removes it when there is nothing worth keeping). Never throws. */
export function saveDraft(d: ReportDraft): void {
  if (isDraftEmpty(d)) {
    if (lastSaved !== '') clearDraft();
    return;
  }
  const json = JSON.stringify(toStored(d));
  if (json === lastSaved) return;
  try {
    Taro.setStorageSync(DRAFT_STORAGE_KEY, { ...(JSON.parse(json) as object), savedAt: Date.now() });
    lastSaved = json;
  } catch {
    // Storage full or unavailable (private browsing): the draft still lives in memory for this run.
  }
}

export function clearDraft(): void {
  lastSaved = '';
  try {
    Taro.removeStorageSync(DRAFT_STORAGE_KEY);
  } catch {
    // nothing stored, or storage unavailable
  }
}

// ---- weapp local files -------------------------------------------------------------------------
// Temp files from chooseMedia/compressImage may be cleaned once the mini-program exits, so a photo
// that has to wait for the network is moved into the saved-file store. That store is used only by
// report drafts, which lets the page sweep files no draft refers to.

/** Moves a temp file into the saved-file store; resolves with the old path if that fails. */
export function keepLocalFile(tempFilePath: string): Promise<{ path: string; kept: boolean }> {
  if (!IS_WEAPP) return Promise.resolve({ path: tempFilePath, kept: false });
  return new Promise((resolve) => {
    try {
      Taro.getFileSystemManager().saveFile({
        tempFilePath,
        success: (res) => resolve({ path: res.savedFilePath, kept: true }),
        fail: () => resolve({ path: tempFilePath, kept: false }),
      });
    } catch {
      resolve({ path: tempFilePath, kept: false });
    }
  });
}

/** weapp: whether a temp/saved file is still there (uploadFile reports a missing file like a network error). */
export function localFileExists(path: string): Promise<boolean> {
  if (!IS_WEAPP) return Promise.resolve(true);
  return new Promise((resolve) => {
    try {
      Taro.getFileSystemManager().access({ path, success: () => resolve(true), fail: () => resolve(false) });
    } catch {
      resolve(true);
    }
  });
}

export function releaseLocalFile(photo: Pick<DraftPhoto, 'kept' | 'localPath' | 'localId'>): void {
  if (IS_H5 && photo.kept) {
    deletePhoto(photo.localId).catch(() => undefined);
    return;
  }
  if (!IS_WEAPP || !photo.kept || !photo.localPath) return;
  try {
    Taro.getFileSystemManager().removeSavedFile({ filePath: photo.localPath, fail: () => undefined });
  } catch {
    // already gone
  }
}

/**
 * Removes saved files (weapp) or stored blobs (H5) left behind by drafts that were cleared while the
 * app was not running. `photos` is read when the list arrives, so a file saved meanwhile is not swept.
 */
export function sweepSavedFiles(photos: () => readonly DraftPhoto[]): void {
  if (IS_H5) {
    sweepPhotos(() => photos().filter((p) => p.kept).map((p) => p.localId)).catch(() => undefined);
    return;
  }
  const keep = () => photos().filter((p) => p.kept && p.localPath).map((p) => p.localPath as string);
  if (!IS_WEAPP) return;
  try {
    const fs = Taro.getFileSystemManager();
    fs.getSavedFileList({
      success: (res) => {
        const inUse = keep();
        res.fileList.forEach((f) => {
          if (inUse.indexOf(f.filePath) < 0) fs.removeSavedFile({ filePath: f.filePath, fail: () => undefined });
        });
      },
      fail: () => undefined,
    });
  } catch {
    // base library without the file system manager: nothing was saved either
  }
}
