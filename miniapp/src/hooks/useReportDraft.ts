import { useCallback, useEffect, useRef, useState } from 'react';
import Taro, { useDidHide, useDidShow } from '@tarojs/taro';
import { cutText, REPORT_LIMITS, type MapReportDto, type ReportDto } from '@cityloop/shared';
import { toApiError } from '../services/request';
import { UploadCanceller, fetchNearbyReports, reportDetailUrl, submitReport, uploadPhoto } from '../services/reports';
import {
  charCount,
  clearDraft,
  draftBlocker,
  draftBody,
  isOfflineError,
  keepLocalFile,
  loadDraft,
  localFileExists,
  newDraft,
  newIdempotencyKey,
  newLocalId,
  photoLimit,
  releaseLocalFile,
  saveDraft,
  sweepSavedFiles,
  type DraftPhoto,
  type ReportDraft,
} from '../services/report-draft';
import { readPhoto, storePhoto } from '../services/photo-store';
import { locateCurrent, pickPlace, positionIn, sameSpot, type ChosenPosition } from '../utils/location';
import { MAP_COORD_SYSTEM } from '../components/map-view';
import { reverseGeocode } from '../services/map';
import { compressPhotoFile, compressPhotoPath } from '../utils/photo-compress';
import { recordCategoryUse } from '../utils/reports';
import { useSettledLoad } from './useSettledLoad';

const IS_H5 = process.env.TARO_ENV === 'h5';
const IS_WEAPP = process.env.TARO_ENV === 'weapp';
/** While 待发送, also retry on a timer: WeChat reports network changes, not a server coming back. */
const PENDING_RETRY_MS = 30_000;

export const PENDING_TEXT = '网络不可用，已保存草稿，恢复网络后自动提交';

export type LocateState = 'idle' | 'locating' | 'failed' | 'done';
export type Notice = { kind: 'error' | 'info'; text: string } | null;
type UploadOutcome = 'done' | 'network' | 'failed' | 'gone';

/** A picked image before it becomes a tile. */
export interface LocalImage {
  path: string;
  /** Bytes, when known before upload (H5); weapp sizes change with compression, so the BFF checks. */
  size?: number;
  fileName?: string;
  /** H5: the blob is already kept in IndexedDB under this id. */
  localId?: string;
}

function toast(title: string): void {
  Taro.showToast({ title, icon: 'none', duration: 2500 }).catch(() => undefined);
}

/** H5 blob: URLs hold the picked file in memory until revoked. */
function revokeLocal(photo: DraftPhoto): void {
  if (IS_H5 && photo.localPath && photo.localPath.indexOf('blob:') === 0) {
    try {
      URL.revokeObjectURL(photo.localPath);
    } catch {
      // already revoked
    }
  }
}

function discardPhotoFiles(photos: readonly DraftPhoto[]): void {
  photos.forEach((p) => {
    releaseLocalFile(p);
    revokeLocal(p);
  });
}

/** A refusal by the server about this very file (bad bytes, HEIC, too large): sending it again cannot help. */
function isRefusal(status: number): boolean {
  return status >= 400 && status < 500 && status !== 401 && status !== 408 && status !== 429;
}

/**
 * All state and side effects of the 随手拍 form: the persisted draft, photo uploads, location,
 * the nearby-duplicates hint, and submitting (with 待发送 and automatic resubmission).
 */
export function useReportDraft() {
  const [restored] = useState(loadDraft);
  const [draft, setDraftState] = useState<ReportDraft>(() => restored?.draft ?? newDraft());
  const draftRef = useRef(draft);
  const [locate, setLocateState] = useState<LocateState>(restored?.draft.location ? 'done' : 'idle');
  const locateRef = useRef(locate);
  const locateSeq = useRef(0);
  const [submitting, setSubmitting] = useState(false);
  const submittingRef = useRef(false);
  const [notice, setNotice] = useState<Notice>(() => {
    if (restored?.droppedPhotos) {
      return { kind: 'info', text: `有 ${restored.droppedPhotos} 张照片在页面刷新前没有上传完，浏览器已无法读取，请重新添加` };
    }
    if (restored && !restored.draft.pending) return { kind: 'info', text: '已恢复上次未提交的草稿' };
    return null;
  });
  /** Set when a 待发送 report went out while the page was hidden, so it can say so when shown. */
  const [autoSubmitted, setAutoSubmitted] = useState<ReportDto | null>(null);
  const [nearby, setNearby] = useState<MapReportDto[]>([]);
  /** Open reports of every category around the pin, in the map's coordinates. */
  const [mapReports, setMapReports] = useState<MapReportDto[]>([]);
  /** 'looking' while the address under the pin is asked for; 'failed' when it cannot be known. */
  const [addressLookup, setAddressLookup] = useState<'idle' | 'looking' | 'failed'>('idle');
  const visibleRef = useRef(true);
  const inflight = useRef(new Map<string, Promise<UploadOutcome>>());
  /** H5: kept photos coming back from IndexedDB after a reload; uploads wait for it. */
  const restoring = useRef<Promise<void> | null>(null);
  const keptRestored = useRef(false);
  /** 清空草稿 is being confirmed: nothing may be sent meanwhile, even if the network comes back. */
  const discarding = useRef(false);
  const cancellers = useRef(new Map<string, UploadCanceller>());

  /** Every change goes through here: memory, the ref async code reads, and storage. */
  const update = useCallback((fn: (d: ReportDraft) => ReportDraft) => {
    const next = fn(draftRef.current);
    if (next === draftRef.current) return;
    draftRef.current = next;
    setDraftState(next);
    saveDraft(next);
  }, []);

  const setPhoto = useCallback(
    (localId: string, patch: Partial<DraftPhoto>) => {
      update((d) => {
        const index = d.photos.findIndex((p) => p.localId === localId);
        if (index < 0) return d;
        const photos = d.photos.slice();
        photos[index] = { ...photos[index], ...patch };
        return { ...d, photos };
      });
    },
    [update],
  );

  const setLocate = useCallback((state: LocateState) => {
    locateRef.current = state;
    setLocateState(state);
  }, []);

  const findPhoto = (localId: string) => draftRef.current.photos.find((p) => p.localId === localId);

  // ---- photos --------------------------------------------------------------------------------

  /**
   * H5 after a reload: kept photos get a fresh blob: URL from IndexedDB; photos whose bytes are gone
   * and that the server does not have either are dropped, and 待发送 is lifted so the form is not stuck.
   * Runs once; uploads of such photos wait for it.
   */
  const restoreKept = useCallback((): Promise<void> => {
    if (restoring.current) return restoring.current;
    const missing = draftRef.current.photos.filter((p) => p.kept && !p.localPath);
    restoring.current = Promise.all(
      missing.map(async (p): Promise<number> => {
        const blob = await readPhoto(p.localId);
        if (blob) {
          setPhoto(p.localId, { localPath: URL.createObjectURL(blob) });
          return 0;
        }
        if (p.photo) return 0; // the server has it; the preview uses its thumbnail
        update((d) => ({ ...d, pending: false, photos: d.photos.filter((x) => x.localId !== p.localId) }));
        return 1;
      }),
    ).then((lost) => {
      const n = lost.reduce((sum, x) => sum + x, 0);
      if (n) setNotice({ kind: 'info', text: `有 ${n} 张照片在页面刷新前没有上传完，浏览器已无法读取，请重新添加` });
      keptRestored.current = true;
    });
    return restoring.current;
  }, [setPhoto, update]);

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
          async (err: unknown): Promise<UploadOutcome> => {
            if (canceller.cancelled || !findPhoto(localId)) return 'gone';
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
        )
        .then((outcome) => {
          inflight.current.delete(localId);
          cancellers.current.delete(localId);
          return outcome;
        });
      inflight.current.set(localId, run);
      return run;
    },
    [setPhoto, restoreKept],
  );

  const addLocalImages = useCallback(
    (images: LocalImage[], kept = false) => {
      const d = draftRef.current;
      if (d.pending || submittingRef.current) return;
      const { max } = photoLimit(d.category);
      const tooBig = images.filter((img) => img.size !== undefined && img.size > REPORT_LIMITS.photoMaxBytes);
      const usable = images.filter((img) => tooBig.indexOf(img) < 0);
      const room = Math.max(0, max - d.photos.length);
      const taken = usable.slice(0, room);
      if (tooBig.length) toast(`有 ${tooBig.length} 张照片超过 ${REPORT_LIMITS.photoMaxBytes / 1024 / 1024} MB，已跳过`);
      else if (usable.length > room) toast(`最多 ${max} 张照片，多出的已忽略`);
      if (IS_H5) usable.slice(room).concat(tooBig).forEach((img) => revokeLocal({ localPath: img.path } as DraftPhoto));
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
      if (kept) usable.slice(room).concat(tooBig).forEach((img) => img.localId && releaseLocalFile({ kept: true, localPath: img.path, localId: img.localId }));
      update((prev) => ({ ...prev, photos: prev.photos.concat(tiles) }));
      tiles.forEach((t) => {
        uploadOne(t.localId).catch(() => undefined);
      });
    },
    [update, uploadOne],
  );

  /** weapp (and H5 without the page's own file input): the system picker, then compression. */
  const choosePhotos = useCallback(async () => {
    const d = draftRef.current;
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
    const images = await Promise.all(
      files.map(async (f) => (IS_WEAPP ? { path: await compressPhotoPath(f.tempFilePath) } : { path: f.tempFilePath, size: f.size })),
    );
    addLocalImages(images);
  }, [addLocalImages]);

  /**
   * H5: files from the page's input, shrunk on the device and kept in IndexedDB until the report is
   * sent, so an offline reload keeps them.
   */
  const addFiles = useCallback(
    async (files: File[]) => {
      if (!files.length || draftRef.current.pending || submittingRef.current) return;
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
    [addLocalImages],
  );

  const removePhoto = useCallback(
    (localId: string) => {
      if (draftRef.current.pending || submittingRef.current) return;
      const photo = findPhoto(localId);
      if (!photo) return;
      cancellers.current.get(localId)?.cancel();
      discardPhotoFiles([photo]);
      update((d) => ({ ...d, photos: d.photos.filter((p) => p.localId !== localId) }));
    },
    [update],
  );

  const retryPhoto = useCallback(
    (localId: string) => {
      uploadOne(localId).catch(() => undefined);
    },
    [uploadOne],
  );

  // ---- fields --------------------------------------------------------------------------------

  /** While 待发送 or sending, the body must not change under the idempotency key. */
  const editable = () => !draftRef.current.pending && !submittingRef.current;

  const setCategory = useCallback(
    (category: string) => {
      if (editable()) update((d) => ({ ...d, category }));
    },
    [update],
  );

  const setDescription = useCallback(
    (description: string) => {
      if (editable()) update((d) => ({ ...d, description }));
    },
    [update],
  );

  const setAddress = useCallback(
    (address: string) => {
      if (editable()) update((d) => ({ ...d, address }));
    },
    [update],
  );

  /** `suggested` (from the map) fills the address unless the resident has typed their own. */
  const setLocation = useCallback(
    (location: ChosenPosition, suggested?: string) => {
      if (!editable()) return;
      locateSeq.current += 1; // a manual choice wins over a GPS answer still on its way
      setLocate('done');
      update((d) => {
        const own = d.address.trim() !== '' && d.address !== d.addressAuto;
        if (!suggested || own) return { ...d, location };
        const address = cutText(suggested, REPORT_LIMITS.addressMaxChars, '');
        return { ...d, location, address, addressAuto: address };
      });
    },
    [update, setLocate],
  );

  /** The pin was moved on the map (H5 Leaflet, weapp <map>): a point in the map's coordinates. */
  const movePin = useCallback(
    (point: { lat: number; lng: number }) => {
      const current = draftRef.current.location;
      const next = { lat: point.lat, lng: point.lng, coordSystem: MAP_COORD_SYSTEM };
      if (current && sameSpot(positionIn(current, MAP_COORD_SYSTEM), next)) return; // the map recentring itself
      setLocation({ ...next, source: 'picked', label: '地图选点' });
    },
    [setLocation],
  );

  const startLocate = useCallback(
    (asked: boolean) => {
      if (!editable()) return;
      const seq = ++locateSeq.current;
      setLocate('locating');
      locateCurrent().then(
        (pos) => {
          if (seq !== locateSeq.current || !editable()) return;
          setLocate('done');
          update((d) => ({ ...d, location: pos }));
          if (asked) toast('已定位到当前位置');
        },
        () => {
          if (seq !== locateSeq.current) return;
          setLocate(draftRef.current.location ? 'done' : 'failed');
          if (asked) toast('无法获取当前位置，请检查定位权限');
        },
      );
    },
    [update, setLocate],
  );

  /** weapp: WeChat's map picker, which also names the place. */
  const adjustOnMap = useCallback(() => {
    if (!editable()) return;
    pickPlace(draftRef.current.location).then(
      ({ position, address }) => setLocation(position, address),
      () => undefined, // cancelled, or chooseLocation not authorised
    );
  }, [setLocation]);

  // ---- submitting ----------------------------------------------------------------------------

  const markPending = useCallback(() => {
    update((d) => (d.pending ? d : { ...d, pending: true }));
    setNotice(null);
  }, [update]);

  const finishSubmitted = useCallback(
    (report: ReportDto, trigger: 'tap' | 'auto') => {
      recordCategoryUse(report.category);
      discardPhotoFiles(draftRef.current.photos);
      clearDraft();
      const fresh = newDraft();
      draftRef.current = fresh;
      setDraftState(fresh);
      setNotice(null);
      locateSeq.current += 1;
      setLocate('idle'); // the next report may be elsewhere: locate again when shown
      if (trigger === 'tap' || visibleRef.current) {
        if (trigger === 'auto') toast('待发送的举报已提交');
        Taro.navigateTo({ url: reportDetailUrl(report.id) }).catch(() => setAutoSubmitted(report));
      } else {
        setAutoSubmitted(report);
      }
    },
    [setLocate],
  );

  const runSubmit = useCallback(
    async (trigger: 'tap' | 'auto') => {
      if (submittingRef.current) return;
      const blocker = draftBlocker(draftRef.current);
      if (blocker) {
        if (trigger === 'tap') toast(blocker);
        return;
      }
      submittingRef.current = true;
      setSubmitting(true);
      if (trigger === 'tap') setNotice(null);
      try {
        // Photos that were waiting for the network go first; the report needs their ids.
        const outcomes = await Promise.all(draftRef.current.photos.filter((p) => !p.photo).map((p) => uploadOne(p.localId)));
        if (outcomes.indexOf('network') >= 0) {
          markPending();
          if (trigger === 'tap') toast(PENDING_TEXT);
          return;
        }
        const stillBlocked = draftBlocker(draftRef.current);
        if (outcomes.indexOf('failed') >= 0 || stillBlocked) {
          update((d) => ({ ...d, pending: false }));
          setNotice({ kind: 'error', text: stillBlocked ?? '有照片上传失败，请点击照片重试或删除' });
          return;
        }
        const body = draftBody(draftRef.current);
        const bodyJson = JSON.stringify(body);
        // Same body → same key (a lost answer is then replayed, not duplicated); changed body → new key.
        update((d) => ({
          ...d,
          idempotencyKey: d.sentBody !== null && d.sentBody !== bodyJson ? newIdempotencyKey() : d.idempotencyKey,
          sentBody: bodyJson,
        }));
        const report = await submitReport(body, draftRef.current.idempotencyKey);
        finishSubmitted(report, trigger);
      } catch (err) {
        const error = toApiError(err);
        if (isOfflineError(error)) {
          markPending();
          if (trigger === 'tap') toast(PENDING_TEXT);
        } else if (error.status === 409) {
          // The key went out earlier with other content, so that earlier attempt did arrive.
          update((d) => ({ ...d, pending: false, idempotencyKey: newIdempotencyKey(), sentBody: null }));
          setNotice({ kind: 'error', text: '这份草稿可能已经提交过，请先到「我的举报」查看；确需再次提交，请再点一次提交' });
        } else {
          update((d) => ({ ...d, pending: false }));
          setNotice({ kind: 'error', text: error.message });
        }
      } finally {
        submittingRef.current = false;
        setSubmitting(false);
      }
    },
    [markPending, finishSubmitted, update, uploadOne],
  );

  /**
   * The tap on 提交. WeChat only shows the subscribe prompt when it is requested synchronously in a
   * tap handler, so it is asked here before anything is awaited; the answer does not block submitting.
   */
  const submitTap = useCallback(() => {
    let asked: Promise<unknown> = Promise.resolve();
    if (IS_WEAPP && REPORT_TEMPLATE_ID && !draftBlocker(draftRef.current) && !submittingRef.current) {
      try {
        asked = Taro.requestSubscribeMessage({ tmplIds: [REPORT_TEMPLATE_ID] } as Taro.requestSubscribeMessage.Option).catch(() => undefined);
      } catch {
        // old base library without the API: the report still goes out, just without WeChat notices
      }
    }
    asked.then(() => runSubmit('tap'));
  }, [runSubmit]);

  /** Leaves 待发送 so the resident can edit; a changed body will then get a new key. */
  const editPending = useCallback(() => {
    if (submittingRef.current) return;
    update((d) => ({ ...d, pending: false }));
    setNotice({ kind: 'info', text: '已取消自动提交，修改后请重新提交' });
  }, [update]);

  /** Network back, page shown, or the timer: send what is waiting. Safe to call any time. */
  const resume = useCallback(() => {
    if (discarding.current) return;
    const d = draftRef.current;
    if (d.pending) {
      runSubmit('auto').catch(() => undefined);
      return;
    }
    d.photos.filter((p) => p.status === 'waiting').forEach((p) => {
      uploadOne(p.localId).catch(() => undefined);
    });
  }, [runSubmit, uploadOne]);

  const discard = useCallback(() => {
    if (submittingRef.current) return;
    discarding.current = true;
    Taro.showModal({ title: '清空草稿', content: '照片和填写的内容都会删除，确定吗？', confirmText: '清空', confirmColor: '#cf1322' }).then(
      (res) => {
        discarding.current = false;
        if (!res.confirm || submittingRef.current) {
          resume(); // what came back while the question was open
          return;
        }
        cancellers.current.forEach((c) => c.cancel());
        discardPhotoFiles(draftRef.current.photos);
        const fresh = { ...newDraft(), location: draftRef.current.location };
        draftRef.current = fresh;
        setDraftState(fresh);
        clearDraft();
        setNotice(null);
      },
      () => {
        discarding.current = false;
      },
    );
  }, [resume]);

  // ---- effects -------------------------------------------------------------------------------

  useDidShow(() => {
    visibleRef.current = true;
    if (!draftRef.current.location && locateRef.current === 'idle') startLocate(false);
    resume();
  });

  useDidHide(() => {
    visibleRef.current = false;
  });

  useEffect(() => {
    if (IS_H5) restoreKept().catch(() => undefined);
    // useDidShow normally covers the first show too; both paths are idempotent.
    if (!draftRef.current.location && locateRef.current === 'idle') startLocate(false);
    resume();
    sweepSavedFiles(() => draftRef.current.photos);
  }, []); // once, on mount

  useEffect(() => {
    if (IS_H5) {
      const onOnline = () => resume();
      window.addEventListener('online', onOnline);
      return () => window.removeEventListener('online', onOnline);
    }
    const onChange = (res: { isConnected: boolean }) => {
      if (res.isConnected) resume();
    };
    try {
      Taro.onNetworkStatusChange(onChange);
    } catch {
      return undefined;
    }
    return () => {
      try {
        Taro.offNetworkStatusChange(onChange);
      } catch {
        // base library before 2.9.3: the listener stays, and only calls resume
      }
    };
  }, [resume]);

  useEffect(() => {
    if (!draft.pending) return undefined;
    const timer = setInterval(() => {
      if (visibleRef.current) resume();
    }, PENDING_RETRY_MS);
    return () => clearInterval(timer);
  }, [draft.pending, resume]);

  const { category, location } = draft;

  const point = location ? `${location.lat},${location.lng},${location.coordSystem}` : 'none';

  // The address under the pin, once per point: it is what the resident sees after 位置, and it makes
  // the typed 详细地址 optional.
  useSettledLoad(
    `${point}|${location?.address ? 'known' : ''}`,
    location && !location.address ? () => reverseGeocode(location) : null,
    {
      idle: () => setAddressLookup('idle'),
      start: () => setAddressLookup('looking'),
      done: (found) => {
        setAddressLookup('idle');
        update((d) =>
          d.location && location && d.location.lat === location.lat && d.location.lng === location.lng
            ? { ...d, location: { ...d.location, address: found.address, ...(found.street ? { street: found.street } : {}) } }
            : d,
        );
      },
      failed: () => setAddressLookup('failed'),
    },
    300,
  );

  // Open reports around the pin, for the map; asked again each time the tab is shown (they move on).
  const [shownCount, setShownCount] = useState(0);
  useDidShow(() => setShownCount((n) => n + 1));
  const mapPoint = location ? positionIn(location, MAP_COORD_SYSTEM) : null;
  useSettledLoad(
    `${point}|${location?.presetKey ?? ''}|${shownCount}`,
    mapPoint ? () => fetchNearbyReports(null, mapPoint) : null,
    { idle: () => setMapReports([]), done: setMapReports }, // on failure the map simply has no pins
    500,
  );

  // The duplicate hint: open reports of this category within its radius. Only a hint: quiet on failure.
  useSettledLoad(
    `${category ?? ''}|${point}`,
    category && location ? () => fetchNearbyReports(category, location) : null,
    { idle: () => setNearby([]), done: setNearby, failed: () => setNearby([]) },
    400,
  );

  const blocker = draftBlocker(draft);
  return {
    draft,
    locate,
    nearby,
    mapReports,
    addressLookup,
    notice,
    submitting,
    autoSubmitted,
    dismissAutoSubmitted: () => setAutoSubmitted(null),
    locked: draft.pending || submitting,
    blocker,
    descriptionCount: charCount(draft.description.trim()),
    photoLimits: photoLimit(draft.category),
    actions: {
      addLocalImages,
      addFiles,
      choosePhotos,
      removePhoto,
      retryPhoto,
      setCategory,
      setDescription,
      setAddress,
      setLocation,
      startLocate,
      movePin,
      adjustOnMap,
      submitTap,
      editPending,
      discard,
    },
  };
}
