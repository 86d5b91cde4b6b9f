import { randomUUID } from 'node:crypto';
import type { Context, Next } from 'koa';
import { ERRORS, isErrorCode, LIMITS, type ErrorCode } from '@cityloop/shared';
import type { Logger } from '../logger';
import { AppError } from './errors';

/**
 * `ctx.state` of every request: its id, and a child logger carrying it, built only when something
 * logs (most requests log nothing but the closing line). A class with a getter, not a property
 * defined on a plain object per request: measured as 2 % of GET /me, and it keeps the object's shape.
 */
class RequestState {
  [key: string]: unknown;
  private child: Logger | undefined;

  constructor(
    private readonly root: Logger,
    readonly requestId: string,
  ) {}

  get log(): Logger {
    return (this.child ??= this.root.child({ requestId: this.requestId }));
  }

  set log(value: Logger) {
    this.child = value;
  }

  /** Writes the closing line through the child logger if one was made, else through the root with the id. */
  closingLine(fields: Record<string, unknown>) {
    if (this.child) this.child.info(fields, 'request');
    else this.root.info({ requestId: this.requestId, ...fields }, 'request');
  }
}

/** Gives every request an id (a sane incoming X-Request-Id is kept) and a child logger carrying it. */
export function requestContext(rootLogger: Logger) {
  return async function requestContextMiddleware(ctx: Context, next: Next) {
    const incoming = ctx.get('x-request-id');
    const requestId = /^[A-Za-z0-9._-]{8,64}$/.test(incoming) ? incoming : randomUUID();
    const state = new RequestState(rootLogger, requestId);
    ctx.state = state;
    ctx.set('X-Request-Id', requestId);
    const started = process.hrtime.bigint();
    try {
      await next();
    } finally {
      if (rootLogger.isLevelEnabled('info')) {
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        // Path only: query strings may carry codes and are never logged.
        state.closingLine({ method: ctx.method, path: ctx.path, status: ctx.status, ms: Math.round(ms * 10) / 10 });
      }
    }
  };
}

const STATUS_TO_CODE: Record<number, ErrorCode> = {
  400: 'VALIDATION_FAILED',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
  503: 'DATABASE_UNAVAILABLE',
};

/**
 * The single place failures become responses. Known errors keep their code; Koa/http-errors with an
 * exposed 4xx status are mapped by status; anything else is logged and answered as a generic 500.
 */
export function errorHandler() {
  return async function errorHandlerMiddleware(ctx: Context, next: Next) {
    try {
      await next();
      if (ctx.status === 404 && ctx.body == null) throw new AppError('NOT_FOUND', `没有找到 ${ctx.method} ${ctx.path}`);
    } catch (err) {
      const { status, code, message, details } = toErrorResponse(err);
      if (status >= 500) {
        (ctx.state.log as Logger | undefined)?.error({ err }, 'unhandled error');
      }
      ctx.status = status;
      ctx.body = { error: details === undefined ? { code, message } : { code, message, details } };
      // Rate limits (429) and full work queues (503) say when to come back.
      if (err instanceof AppError && typeof err.details === 'object' && err.details) {
        const retry = (err.details as { retryAfterSeconds?: number }).retryAfterSeconds;
        if (retry) ctx.set('Retry-After', String(retry));
      }
    }
  };
}

function toErrorResponse(err: unknown): { status: number; code: ErrorCode; message: string; details?: unknown } {
  if (err instanceof AppError) return { status: err.status, code: err.code, message: err.message, details: err.details };
  const e = err as { status?: number; expose?: boolean; code?: unknown; message?: string } | null;
  if (e && typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
    const code = isErrorCode(e.code) ? e.code : (STATUS_TO_CODE[e.status] ?? 'VALIDATION_FAILED');
    return { status: ERRORS[code].status, code, message: e.expose && e.message ? e.message : ERRORS[code].zh };
  }
  return { status: 500, code: 'INTERNAL', message: ERRORS.INTERNAL.zh };
}

/** Conservative headers for an API that also serves the H5 build. */
export function securityHeaders() {
  return async function securityHeadersMiddleware(ctx: Context, next: Next) {
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('X-Frame-Options', 'DENY');
    ctx.set('Referrer-Policy', 'no-referrer');
    ctx.set('Cross-Origin-Opener-Policy', 'same-origin');
    ctx.set('Cross-Origin-Resource-Policy', 'same-site');
    ctx.set('Permissions-Policy', 'camera=(self), geolocation=(self), microphone=()');
    if (ctx.path.startsWith('/api/')) {
      ctx.set('Cache-Control', 'no-store');
      ctx.set('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'");
    }
    await next();
  };
}

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Reads JSON bodies with a hard byte limit. Non-JSON bodies on JSON routes get 415;
 * multipart routes (photo upload) opt out and stream their own parts.
 */
export function jsonBody(options: { limitBytes?: number; rawBodyPaths?: string[] } = {}) {
  const limitBytes = options.limitBytes ?? LIMITS.jsonBodyBytes;
  const rawBodyPaths = new Set(options.rawBodyPaths ?? []);
  return async function jsonBodyMiddleware(ctx: Context, next: Next) {
    if (!BODY_METHODS.has(ctx.method) || ctx.is('multipart') === 'multipart' || rawBodyPaths.has(ctx.path)) return next();
    const declaredLength = ctx.get('content-length');
    const hasBody = ctx.request.length > 0 || (declaredLength === '' && ctx.get('transfer-encoding') !== '');
    if (!hasBody) {
      ctx.request.body = {};
      return next();
    }
    if (ctx.is('application/json') === false) {
      throw new AppError('UNSUPPORTED_MEDIA_TYPE', '请求体必须是 application/json');
    }
    const raw = await readLimitedBody(ctx, limitBytes);
    try {
      ctx.request.body = raw.length === 0 ? {} : JSON.parse(raw.toString('utf8'));
    } catch {
      throw new AppError('MALFORMED_JSON', '请求体不是有效的 JSON');
    }
    return next();
  };
}

/** Reads the raw request body, refusing with 413 as soon as it exceeds `limitBytes`. */
export async function readLimitedBody(ctx: Context, limitBytes: number): Promise<Buffer> {
  if (ctx.request.length > limitBytes) throw new AppError('PAYLOAD_TOO_LARGE', `请求体不能超过 ${limitBytes} 字节`);
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of ctx.req) {
    total += (chunk as Buffer).length;
    if (total > limitBytes) {
      // Stop reading; the connection is closed after the 413 so the client cannot keep streaming.
      ctx.set('Connection', 'close');
      throw new AppError('PAYLOAD_TOO_LARGE', `请求体不能超过 ${limitBytes} 字节`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

declare module 'koa' {
  interface Request {
    body?: unknown;
  }
}
