import { useCallback, useRef } from 'react';
import Taro from '@tarojs/taro';
import { REPORT_LIMITS } from '@cityloop/shared';
import { toApiError } from '../../services/request';
import { UploadCanceller, uploadPhoto } from '../../services/reports';
import { isOfflineError, keepLocalFile, localFileExists, releaseLocalFile } from '../../services/report-draft';
import { readPhoto, storePhoto } from '../../services/photo-store';
import { compressPhotoFile, compressPhotoPath } from '../../utils/photo-compress';
import { newLocalId, photoLimit, type DraftPhoto } from '../../utils/draft-rules';
import { isEditable, DROPPED_PHOTOS_TEXT } from './reducer';
import type { DraftStore } from './store';

const IS_H5 = process.env.TARO_ENV === 'h5';
const IS_WEAPP = process.env.TARO_ENV === 'weapp';

export type UploadOutcome = 'done' | 'network' | 'failed' | 'gone';

/** A picked image before it becomes a tile. */
export interface LocalImage {
  path: string;
  /** Bytes, when known before upload (H5); weapp sizes change with compression, so the BFF checks. */
  size?: number;
  fileName?: string;
  /** H5: the blob is already kept in IndexedDB under this id. */
  localId?: string;
}

export function toast(title: string): void {
  Taro.showToast({ title, icon: 'none', duration: 2500 }).catch(() => undefined);
}

/** H5 blob: URLs hold the picked file in memory until revoked. */
function revokeLocal(localPath: string | null): void {
  if (IS_H5 && localPath && localPath.indexOf('blob:') === 0) {
    try {
      URL.revokeObjectURL(localPath);
    } catch {
      // already revoked
    }
  }
}

export function discardPhotoFiles(photos: readonly DraftPhoto[]): void {
  photos.forEach((p) => {
    releaseLocalFile(p);
    revokeLocal(p.localPath);
  });
}

/** A refusal by the server about this very file (bad bytes, HEIC, too large): sending it again cannot help. */
function isRefusal(status: number): boolean {
  return status >= 400 && status < 500 && status !== 401 && status !== 408 && status !== 429;
}

/** The draft's photos: picking, compressing, uploading (shared per tile), and H5's restore after a reload. */
export function usePhotos(store: DraftStore) {
  const inflight = useRef(new Map<string, Promise<UploadOutcome>>());
  const cancellers = useRef(new Map<string, UploadCanceller>());
  /** H5: kept photos coming back from IndexedDB after a reload; uploads wait for it. */
  const restoring = useRef<Promise<void> | null>(null);
  const keptRestored = useRef(false);

  const findPhoto = useCallback((localId: string) => store.get().draft.photos.find((p) => p.localId === localId), [store]);
  const setPhoto = useCallback((localId: string, patch: Partial<DraftPhoto>) => store.dispatch({ type: 'photoPatched', localId, patch }), [store]);

  /**
   * H5 after a reload: kept photos get a fresh blob: URL from IndexedDB; photos whose bytes are gone
   * and that the server does not have either are dropped. Runs once; uploads of such photos wait for it.
   */
  const restoreKept = useCallback((): Promise<void> => {
    if (restoring.current) return restoring.current;
    const missing = store.get().draft.photos.filter((p) => p.kept && !p.localPath);
    restoring.current = Promise.all(
      missing.map(async (p): Promise<number> => {
        const blob = await readPhoto(p.localId);
        if (blob) {
          setPhoto(p.localId, { localPath: URL.createObjectURL(blob) });
          return 0;
        }
        if (p.photo) return 0; // the server has it; the preview uses its thumbnail
        store.dispatch({ type: 'photoLost', localId: p.localId });
        return 1;
      }),
    ).then((lost) => {
      const n = lost.reduce((sum, x) => sum + x, 0);
      if (n) store.dispatch({ type: 'notice', notice: { kind: 'info', text: DROPPED_PHOTOS_TEXT(n) } });
      keptRestored.current = true;
    });
    return restoring.current;
  }, [store, setPhoto]);

  /** What a failed upload means for its tile. */
  const settleFailure = useCallback(
    async (localId: string, localPath: string, err: unknown): Promise<UploadOutcome> => {
      const error = toApiError(err);
      if (isOfflineError(error) && !(await localFileExists(localPath))) {
        // A temp file from an earlier launch that WeChat has cleaned up: waiting would never help.
        if (!findPhoto(localId)) return 'gone';
        setPhoto(localId, { status: 'failed', progress: 0, error: '照片文件已失效，请删除后重新添加' });
        return 'failed';
      }
      if (isOfflineError(error)) {
        const current = findPhoto(localId);
        // Move the temp file somewhere that survives the app being closed before the network returns.
        const kept = current && !current.kept ? await keepLocalFile(localPath) : null;
        if (!findPhoto(localId)) {
          if (kept?.kept) releaseLocalFile({ kept: true, localPath: kept.path, localId });
          return 'gone';
        }
        setPhoto(localId, { status: 'waiting', progress: 0, error: '等待网络', ...(kept?.kept ? { localPath: kept.path, kept: true } : {}) });
        return 'network';
      }
      setPhoto(localId, { status: 'failed', progress: 0, error: error.message, refused: isRefusal(error.status) });
      return 'failed';
    },
    [findPhoto, setPhoto],
  );

  /** Uploads one tile unless it is done or already on its way; concurrent callers share the attempt. */
  const uploadOne = useCallback(
    (localId: string): Promise<UploadOutcome> => {
      const running = inflight.current.get(localId);
      if (running) return running;
      const photo = findPhoto(localId);
      if (!photo) return Promise.resolve('gone');
      if (photo.photo) return Promise.resolve('done');
      if (IS_H5 && !photo.localPath && photo.kept && !keptRestored.current) return restoreKept().then(() => uploadOne(localId));
      if (!photo.localPath) {
        setPhoto(localId, { status: 'failed', error: '照片已无法读取，请删除后重新添加' });
        return Promise.resolve('failed');
      }
      const localPath = photo.localPath;
      const canceller = new UploadCanceller();
      cancellers.current.set(localId, canceller);
      setPhoto(localId, { status: 'uploading', progress: 0, error: null, refused: false });
      const run = uploadPhoto(localPath, (progress) => setPhoto(localId, { progress }), { fileName: photo.fileName, canceller })
        .then(
          (dto): UploadOutcome => {
            if (!findPhoto(localId)) return 'gone';
            setPhoto(localId, { photo: dto, status: 'done', progress: 100, error: null });
            return 'done';
          },
          (err: unknown): Promise<UploadOutcome> | UploadOutcome => (canceller.cancelled || !findPhoto(localId) ? 'gone' : settleFailure(localId, localPath, err)),
        )
        .then((outcome) => {
          inflight.current.delete(localId);
          cancellers.current.delete(localId);
          return outcome;
        });
      inflight.current.set(localId, run);
      return run;
    },
    [findPhoto, setPhoto, restoreKept, settleFailure],
  );

  const addLocalImages = useCallback(
    (images: LocalImage[], kept = false) => {
      const s = store.get();
      if (!isEditable(s)) return;
      const d = s.draft;
      const { max } = photoLimit(d.category);
      const tooBig = images.filter((img) => img.size !== undefined && img.size > REPORT_LIMITS.photoMaxBytes);
      const usable = images.filter((img) => tooBig.indexOf(img) < 0);
      const room = Math.max(0, max - d.photos.length);
      const taken = usable.slice(0, room);
      const left = usable.slice(room).concat(tooBig);
      if (tooBig.length) toast(`有 ${tooBig.length} 张照片超过 ${REPORT_LIMITS.photoMaxBytes / 1024 / 1024} MB，已跳过`);
      else if (usable.length > room) toast(`最多 ${max} 张照片，多出的已忽略`);
      left.forEach((img) => revokeLocal(img.path));
      if (!taken.length) return;
      const tiles: DraftPhoto[] = taken.map((img) => ({
        localId: img.localId ?? newLocalId(),
        localPath: img.path,
        kept,
        fileName: img.fileName,
        photo: null,
        status: 'uploading',
        progress: 0,
        error: null,
        refused: false,
      }));
      if (kept) left.forEach((img) => img.localId && releaseLocalFile({ kept: true, localPath: img.path, localId: img.localId }));
      store.dispatch({ type: 'photosAdded', photos: tiles });
      tiles.forEach((t) => {
        uploadOne(t.localId).catch(() => undefined);
      });
    },
    [store, uploadOne],
  );

  /** weapp (and H5 without the page's own file input): the system picker, then compression. */
  const choosePhotos = useCallback(async () => {
    const d = store.get().draft;
    const room = photoLimit(d.category).max - d.photos.length;
    if (room <= 0) {
      toast(`最多 ${photoLimit(d.category).max} 张照片`);
      return;
    }
    let files: Taro.chooseMedia.ChooseMedia[];
    try {
      const res = await Taro.chooseMedia({ count: room, mediaType: ['image'], sourceType: ['camera', 'album'], sizeType: ['compressed'] });
      files = res.tempFiles;
    } catch {
      return; // cancelled
    }
    const images = await Promise.all(files.map(async (f) => (IS_WEAPP ? { path: await compressPhotoPath(f.tempFilePath) } : { path: f.tempFilePath, size: f.size })));
    addLocalImages(images);
  }, [store, addLocalImages]);

  /**
   * H5: files from the page's input, shrunk on the device and kept in IndexedDB until the report is
   * sent, so an offline reload keeps them.
   */
  const addFiles = useCallback(
    async (files: File[]) => {
      if (!files.length || !isEditable(store.get())) return;
      const images = await Promise.all(
        files.map(async (file): Promise<LocalImage> => {
          const out = await compressPhotoFile(file);
          const localId = newLocalId();
          const stored = await storePhoto(localId, out.blob);
          return { path: URL.createObjectURL(out.blob), size: out.blob.size, fileName: out.fileName, localId: stored ? localId : undefined };
        }),
      );
      const kept = images.filter((img) => img.localId);
      const loose = images.filter((img) => !img.localId);
      if (kept.length) addLocalImages(kept, true);
      if (loose.length) addLocalImages(loose, false);
    },
    [store, addLocalImages],
  );

  const removePhoto = useCallback(
    (localId: string) => {
      if (!isEditable(store.get())) return;
      const photo = findPhoto(localId);
      if (!photo) return;
      cancellers.current.get(localId)?.cancel();
      discardPhotoFiles([photo]);
      store.dispatch({ type: 'photoRemoved', localId });
    },
    [store, findPhoto],
  );

  const retryPhoto = useCallback(
    (localId: string) => {
      uploadOne(localId).catch(() => undefined);
    },
    [uploadOne],
  );

  const cancelAll = useCallback(() => cancellers.current.forEach((c) => c.cancel()), []);

  return { restoreKept, uploadOne, addLocalImages, choosePhotos, addFiles, removePhoto, retryPhoto, cancelAll };
}
