import Taro from '@tarojs/taro';
import { COORD_SYSTEMS, findCategory, type PhotoDto } from '@cityloop/shared';
import type { ChosenPosition, PositionSource } from '../utils/location';
import { deletePhoto, sweepPhotos } from './photo-store';
import { NETWORK_ERROR, type ApiError } from './request';
import { isDraftEmpty, type DraftPhoto, type ReportDraft } from '../utils/draft-rules';

/**
 * The 随手拍 draft's storage (its rules are in utils/draft-rules.ts). The page keeps one draft in
 * memory and writes it through `saveDraft` on every change, so a killed app or a reload loses
 * nothing that can be restored.
 */
export const DRAFT_STORAGE_KEY = 'cityloop.reportDraft';
const DRAFT_VERSION = 1;
const IS_H5 = process.env.TARO_ENV === 'h5';
const IS_WEAPP = process.env.TARO_ENV === 'weapp';

/**
 * Worth retrying later without the resident doing anything: no HTTP answer at all. wx.login also
 * fails offline (WECHAT_CODE_INVALID without a status) when the token has to be renewed first.
 */
export function isOfflineError(err: ApiError): boolean {
  return err.code === NETWORK_ERROR || (err.code === 'WECHAT_CODE_INVALID' && err.status === 0);
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
    sweepPhotos(() =>
      photos()
        .filter((p) => p.kept)
        .map((p) => p.localId),
    ).catch(() => undefined);
    return;
  }
  const keep = () =>
    photos()
      .filter((p) => p.kept && p.localPath)
      .map((p) => p.localPath as string);
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
