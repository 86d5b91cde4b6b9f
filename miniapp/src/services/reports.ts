import Taro from '@tarojs/taro';
import { API_PREFIX, type FollowedReportDto, type MapReportDto, type PhotoDto, type ReportDto, type ReportListItemDto, type SubmitReportBody } from '@cityloop/shared';
import { ApiError, NETWORK_ERROR, errorFromResponse, request, withAuth } from './request';
import { buildQuery, type QueryPosition } from './stalls';

/** Phones send 1–8 MB over mobile data; Taro's default 60 s also applies in H5. */
const UPLOAD_TIMEOUT_MS = 90_000;
/** Nine parallel uploads on a weak signal all time out; two at a time finish sooner. */
const MAX_PARALLEL_UPLOADS = 2;

/** Lets the page drop an upload (tile removed) whether it is still queued or already sending. */
export class UploadCanceller {
  cancelled = false;
  private abortTask: (() => void) | null = null;

  cancel(): void {
    this.cancelled = true;
    if (this.abortTask) this.abortTask();
  }

  attach(abort: () => void): void {
    this.abortTask = abort;
  }
}

export interface UploadOptions {
  /** H5 only: the original file name, so the multipart part is not called `file-<timestamp>`. */
  fileName?: string;
  canceller?: UploadCanceller;
}

let activeUploads = 0;
const waitingUploads: Array<() => void> = [];

function acquireUploadSlot(): Promise<void> {
  if (activeUploads < MAX_PARALLEL_UPLOADS) {
    activeUploads += 1;
    return Promise.resolve();
  }
  return new Promise((resolve) => waitingUploads.push(resolve));
}

function releaseUploadSlot(): void {
  const next = waitingUploads.shift();
  if (next) next();
  else activeUploads -= 1;
}

function parseJson(data: unknown): unknown {
  if (typeof data !== 'string') return data;
  try {
    return JSON.parse(data);
  } catch {
    return null;
  }
}

function isPhotoDto(value: unknown): value is PhotoDto {
  const v = value as Partial<PhotoDto> | null;
  return !!v && typeof v.id === 'string' && typeof v.url === 'string' && typeof v.thumbUrl === 'string';
}

/** One multipart POST; HTTP failures become ApiError so `withAuth` can recover from a 401. */
function uploadOnce(filePath: string, token: string | null, onProgress: ((percent: number) => void) | undefined, options: UploadOptions): Promise<PhotoDto> {
  const { canceller } = options;
  if (canceller?.cancelled) return Promise.reject(new ApiError(NETWORK_ERROR, 0));
  const header: Record<string, string> = {};
  if (token) header.Authorization = `Bearer ${token}`;
  let task: Taro.UploadTask.UploadTaskPromise;
  try {
    task = Taro.uploadFile({
      url: `${API_BASE}${API_PREFIX}/photos`,
      filePath,
      name: 'file',
      header,
      timeout: UPLOAD_TIMEOUT_MS,
      ...(process.env.TARO_ENV === 'h5' && options.fileName ? { fileName: options.fileName } : {}),
    });
  } catch {
    return Promise.reject(new ApiError(NETWORK_ERROR, 0));
  }
  if (onProgress && typeof task.onProgressUpdate === 'function') {
    task.onProgressUpdate((res) => onProgress(Math.max(0, Math.min(100, Math.round(res.progress)))));
  }
  if (canceller && typeof task.abort === 'function') canceller.attach(() => task.abort());
  return task.then(
    (res) => {
      const body = parseJson(res.data);
      if (res.statusCode >= 200 && res.statusCode < 300) {
        if (isPhotoDto(body)) return body;
        throw new ApiError('INTERNAL', res.statusCode);
      }
      throw errorFromResponse(res.statusCode, body);
    },
    () => {
      // uploadFile only fails without an HTTP answer: offline, timeout, abort, unreadable file.
      throw new ApiError(NETWORK_ERROR, 0);
    },
  );
}

/**
 * Uploads one local image (weapp temp/saved path, or an H5 blob: URL) as the resident and returns the
 * stored photo. Progress is 0–100. Fails with ApiError; NETWORK_ERROR means "try again when online".
 */
export async function uploadPhoto(filePath: string, onProgress?: (percent: number) => void, options: UploadOptions = {}): Promise<PhotoDto> {
  await acquireUploadSlot();
  try {
    return await withAuth((token) => uploadOnce(filePath, token, onProgress, options));
  } finally {
    releaseUploadSlot();
  }
}

/** Up to five open reports of the same category near `position` (an empty list when none). */
/**
 * Open reports around a point, nearest first: of one category within its duplicate radius (the
 * duplicate hint), or of every category nearby when `category` is null (the report form's map).
 * Points come back in `position.coordSystem`.
 */
export async function fetchNearbyReports(category: string | null, position: QueryPosition): Promise<MapReportDto[]> {
  const { items } = await request<{ items: MapReportDto[] }>({
    path: `/reports/nearby${buildQuery({ ...(category ? { category } : {}), lat: position.lat, lng: position.lng, coordSystem: position.coordSystem })}`,
  });
  return items ?? [];
}

/** 我也遇到了: follow someone else's open report (its notices come to me) instead of filing a duplicate. */
export async function followReport(id: string): Promise<void> {
  await request<unknown>({ path: `/reports/${encodeURIComponent(id)}/follow`, method: 'PUT' });
}

export async function unfollowReport(id: string): Promise<void> {
  await request<unknown>({ path: `/reports/${encodeURIComponent(id)}/follow`, method: 'DELETE' });
}

/** The same key with the same body returns the already-created report, so a retry is always safe. */
export async function submitReport(body: SubmitReportBody, idempotencyKey: string): Promise<ReportDto> {
  const { report } = await request<{ report: ReportDto }>({
    path: '/reports',
    method: 'POST',
    data: body,
    header: { 'Idempotency-Key': idempotencyKey },
  });
  return report;
}

export interface MyReportsPage {
  items: ReportListItemDto[];
  nextCursor: string | null;
}

export function listMyReports(cursor?: string | null): Promise<MyReportsPage> {
  return request<MyReportsPage>({ path: `/me/reports${buildQuery({ cursor })}` });
}

export async function getReport(id: string): Promise<ReportDto> {
  const { report } = await request<{ report: ReportDto }>({ path: `/reports/${encodeURIComponent(id)}` });
  return report;
}

/** Photo URLs from the BFF are signed paths relative to API_BASE; local and absolute ones pass through. */
export function photoSrc(url: string): string {
  return /^(https?:|data:|blob:|wxfile:|file:)/i.test(url) ? url : `${API_BASE}${url}`;
}

export function reportDetailUrl(id: string): string {
  return `/packages/report/detail/index?id=${encodeURIComponent(id)}`;
}

export const MY_REPORTS_URL = '/packages/report/mine/index';

/** The reports I said 我也遇到了 to, newest first (their status notices come to me). */
export async function listFollowedReports(): Promise<FollowedReportDto[]> {
  const { items } = await request<{ items: FollowedReportDto[]; nextCursor: string | null }>({ path: '/me/report-follows?limit=20' });
  return items ?? [];
}
