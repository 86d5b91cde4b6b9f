import { API_PREFIX, errorMessageZh, type ApiErrorBody, type ErrorCode } from '@cityloop/shared';

/**
 * The console's data layer: one fetch wrapper with the staff token, the error shape and the
 * "expired, back to login" rule; `useApi` below reads, the pages call `api()` to write.
 * The token lives in sessionStorage: it ends with the tab and is never put in a URL.
 */
const TOKEN_KEY = 'cityloop.console.token';

export const tokenStore = {
  get: () => sessionStorage.getItem(TOKEN_KEY),
  set: (token: string) => sessionStorage.setItem(TOKEN_KEY, token),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode | 'NETWORK',
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

type Listener = (code: string) => void;
let onSignedOut: Listener = () => {};
/** The app registers where to go when the token is expired or no longer valid. */
export function setSignedOutHandler(listener: Listener) {
  onSignedOut = listener;
}

const SIGNED_OUT_CODES = new Set(['TOKEN_EXPIRED', 'TOKEN_INVALID', 'UNAUTHENTICATED']);

export interface ApiOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  body?: unknown;
  /** A raw body (a CSV or GeoJSON file) sent as is with this content type. */
  raw?: { contentType: string; data: BodyInit };
  query?: Record<string, string | number | boolean | undefined | null>;
  /** 'text' for CSV downloads. */
  as?: 'json' | 'text';
  signal?: AbortSignal;
}

export function buildQuery(query: ApiOptions['query']): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  const s = params.toString();
  return s ? `?${s}` : '';
}

export async function api<T>(path: string, options: ApiOptions = {}): Promise<T> {
  const headers: Record<string, string> = {};
  const token = tokenStore.get();
  if (token) headers.Authorization = `Bearer ${token}`;
  let body: BodyInit | undefined;
  if (options.raw) {
    headers['Content-Type'] = options.raw.contentType;
    body = options.raw.data;
  } else if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  let res: Response;
  try {
    res = await fetch(`${API_PREFIX}${path}${buildQuery(options.query)}`, { method: options.method ?? (body ? 'POST' : 'GET'), headers, body, signal: options.signal });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(0, 'NETWORK', '网络连接失败，请检查网络后重试');
  }
  if (!res.ok) {
    let parsed: ApiErrorBody | undefined;
    try {
      parsed = (await res.json()) as ApiErrorBody;
    } catch {
      /* not our error shape */
    }
    const code = parsed?.error?.code ?? 'INTERNAL';
    const error = new ApiError(res.status, code, parsed?.error?.message || errorMessageZh(code), parsed?.error?.details);
    if (res.status === 401 && SIGNED_OUT_CODES.has(code) && token) {
      tokenStore.clear();
      onSignedOut(code);
    }
    throw error;
  }
  if (res.status === 204) return undefined as T;
  return (options.as === 'text' ? await res.text() : await res.json()) as T;
}

/** The Chinese message to show for a failure: the BFF's own message for our codes, else the generic one. */
export function messageOf(err: unknown): string {
  if (err instanceof ApiError) return err.code === 'NETWORK' || err.code === 'INTERNAL' ? err.message : err.message || errorMessageZh(err.code);
  return errorMessageZh('INTERNAL');
}
