import Taro from '@tarojs/taro';
import { API_PREFIX, errorMessageZh, isErrorCode, userMessageZh, type ErrorCode, type LoginResponse, type UserDto } from '@cityloop/shared';
import { getCurrentUser, getToken, setCurrentUser, setToken } from './session';
import { createWithAuth, needsRelogin } from './relogin';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RequestOptions {
  /** Path below `/api/v1`, e.g. `/me`. */
  path: string;
  method?: HttpMethod;
  data?: unknown;
  header?: Record<string, string>;
  /** Send the resident token and recover from an expired one. Default true. */
  auth?: boolean;
}

/** Client-only code: the request never got an answer. The BFF never sends it. */
export const NETWORK_ERROR = 'NETWORK_ERROR';
export type ClientErrorCode = ErrorCode | typeof NETWORK_ERROR;

const NETWORK_ERROR_ZH = '网络连接失败，请检查网络后重试';
const REQUEST_TIMEOUT_MS = 15_000;

/** Every failed call ends up here; `message` is Chinese and fit to show to residents. */
export class ApiError extends Error {
  readonly code: ClientErrorCode;
  /** HTTP status; 0 when there was no answer. */
  readonly status: number;
  /** The BFF's own `error.message`, when it sent one; may be more specific than the code's text (e.g. claim limits). */
  readonly detail: string | null;

  constructor(code: ClientErrorCode, status: number, detail: string | null = null) {
    super(code === NETWORK_ERROR ? NETWORK_ERROR_ZH : errorMessageZh(code));
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
    this.detail = detail;
    // Keeps `instanceof ApiError` working where classes are compiled to ES5.
    Object.setPrototypeOf(this, ApiError.prototype);
  }
}

/** Turns any failure into an ApiError so pages only deal with one shape. */
export function toApiError(err: unknown): ApiError {
  return err instanceof ApiError ? err : new ApiError('INTERNAL', 0);
}

/** Maps a non-2xx answer's `{error:{code,message}}` body (already parsed) to an ApiError. */
export function errorFromResponse(status: number, body: unknown): ApiError {
  const error = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  const code = error?.code;
  const detail = typeof error?.message === 'string' && error.message ? error.message : null;
  return new ApiError(isErrorCode(code) ? code : 'INTERNAL', status, detail);
}

/**
 * The BFF's own message when its code carries one for residents (shared `userMessageZh`), else the
 * code's generic text. Use where the server explains more than the code does (e.g. a claim's limits).
 */
export function serverMessageZh(err: unknown): string {
  const error = toApiError(err);
  return error.code === NETWORK_ERROR ? error.message : userMessageZh(error.code, error.detail);
}

/** One HTTP exchange, no retries. */
async function send<T>(options: RequestOptions, token: string | null): Promise<T> {
  const header: Record<string, string> = { 'Content-Type': 'application/json', ...options.header };
  if (token) header.Authorization = `Bearer ${token}`;
  let res: Taro.request.SuccessCallbackResult<TaroGeneral.IAnyObject | string>;
  try {
    res = await Taro.request<TaroGeneral.IAnyObject | string>({
      url: `${API_BASE}${API_PREFIX}${options.path}`,
      method: options.method ?? 'GET',
      data: options.data as Taro.request.Option['data'],
      header,
      dataType: 'json',
      timeout: REQUEST_TIMEOUT_MS,
    });
  } catch {
    throw new ApiError(NETWORK_ERROR, 0);
  }
  if (res.statusCode >= 200 && res.statusCode < 300) return res.data as T;
  throw errorFromResponse(res.statusCode, res.data);
}

/**
 * Calls the BFF. With `auth` (the default) it signs in first if needed, and on a 401 whose code a
 * new login can fix it logs in again once and retries once; a second failure is thrown.
 */
export async function request<T>(options: RequestOptions): Promise<T> {
  const auth = options.auth ?? true;
  if (!auth) return send<T>(options, null);
  return withAuth((token) => send<T>(options, token));
}

/**
 * The token handling behind `request`, for transports other than Taro.request (e.g. uploadFile):
 * signs in first if needed, and on a 401 that a new login can fix logs in again once and calls
 * `run` once more. `run` must throw ApiError for HTTP failures.
 */
export const withAuth = createWithAuth({ getToken, setToken, login: () => login() }, (err) => err instanceof ApiError && needsRelogin(err));

/** Lets concurrent callers share one promise; cleared when it settles (no Promise.prototype.finally needed). */
function singleFlight<T>(run: () => Promise<T>): () => Promise<T> {
  let inFlight: Promise<T> | null = null;
  return () => {
    if (!inFlight) {
      const clear = () => {
        inFlight = null;
      };
      inFlight = run();
      inFlight.then(clear, clear);
    }
    return inFlight;
  };
}

const DEV_ID_KEY = 'cityloop.devId';
const DEV_ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const DEV_ID_PATTERN = /^[A-Za-z0-9]{1,32}$/;

/** H5 has no wx.login: one random id per browser, kept in storage, makes a stable dev user. */
function h5DevId(): string {
  try {
    const stored: unknown = Taro.getStorageSync(DEV_ID_KEY);
    if (typeof stored === 'string' && DEV_ID_PATTERN.test(stored)) return stored;
  } catch {
    // fall through and make a new one
  }
  const bytes = new Uint8Array(24);
  if (typeof crypto !== 'undefined' && typeof crypto.getRandomValues === 'function') crypto.getRandomValues(bytes);
  else for (let i = 0; i < bytes.length; i += 1) bytes[i] = Math.floor(Math.random() * 256);
  const id = Array.from(bytes, (b) => DEV_ID_ALPHABET[b % DEV_ID_ALPHABET.length]).join('');
  try {
    Taro.setStorageSync(DEV_ID_KEY, id);
  } catch {
    // not persisted: this tab still works, the next one becomes another dev user
  }
  return id;
}

async function loginCode(): Promise<string> {
  if (process.env.TARO_ENV === 'h5') return `dev:h5-${h5DevId()}`;
  let code: string | undefined;
  try {
    code = (await Taro.login()).code;
  } catch {
    throw new ApiError('WECHAT_CODE_INVALID', 0);
  }
  if (!code) throw new ApiError('WECHAT_CODE_INVALID', 0);
  return code;
}

/** A fresh login (wx.login code, or the H5 dev code) exchanged at `/auth/wechat`. */
export const login: () => Promise<UserDto> = singleFlight(async () => {
  const code = await loginCode();
  const res = await send<LoginResponse>({ path: '/auth/wechat', method: 'POST', data: { code }, auth: false }, null);
  setToken(res.token);
  setCurrentUser(res.user);
  return res.user;
});

export async function getMe(): Promise<UserDto> {
  const { user } = await request<{ user: UserDto }>({ path: '/me' });
  setCurrentUser(user);
  return user;
}

/**
 * The signed-in user, logging in if needed. A token kept from an earlier launch is checked with
 * `/me` (an expired one is replaced by a fresh login inside `request`). Concurrent callers share one call.
 */
export const ensureLogin: () => Promise<UserDto> = (() => {
  const run = singleFlight(() => (getToken() ? getMe() : login()));
  return () => {
    const user = getCurrentUser();
    return user && getToken() ? Promise.resolve(user) : run();
  };
})();
