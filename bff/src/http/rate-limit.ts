import type { Context, Next } from 'koa';
import type { ErrorCode } from '@cityloop/shared';
import { QueueFullError, type WorkQueue } from '../jobs/work-queue';
import { AppError } from './errors';

/**
 * Fixed-window limiter kept in process memory. One BFF instance is the deployment unit today;
 * several instances would need a shared store (Redis) behind the same interface.
 */
export class RateLimiter {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();
  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one hit; returns the seconds to wait when over the limit, otherwise 0. */
  hit(key: string): number {
    const now = this.now();
    let window = this.windows.get(key);
    if (!window || window.resetAt <= now) {
      if (this.windows.size > 50_000) this.sweep(now);
      window = { count: 0, resetAt: now + this.windowMs };
      this.windows.set(key, window);
    }
    window.count += 1;
    return window.count > this.limit ? Math.ceil((window.resetAt - now) / 1000) : 0;
  }

  private sweep(now: number) {
    for (const [key, w] of this.windows) if (w.resetAt <= now) this.windows.delete(key);
  }
}

/** Limits by the key the caller picks (user id after auth, client IP before it). */
export function rateLimit(limiter: RateLimiter, keyOf: (ctx: Context) => string) {
  return async function rateLimitMiddleware(ctx: Context, next: Next) {
    const retryAfterSeconds = limiter.hit(keyOf(ctx));
    if (retryAfterSeconds > 0) throw new AppError('RATE_LIMITED', undefined, { retryAfterSeconds });
    await next();
  };
}

/**
 * Runs the rest of the request as one job of `queue`; when its line is full, answers `code` (a 503)
 * with Retry-After. Work not yet admitted (e.g. an upload body) is not read meanwhile.
 */
export function admitThrough(queue: WorkQueue, code: ErrorCode) {
  return async function admitThroughMiddleware(ctx: Context, next: Next) {
    try {
      await queue.run(next);
    } catch (err) {
      if (err instanceof QueueFullError) throw new AppError(code, undefined, { retryAfterSeconds: err.retryAfterSeconds });
      throw err;
    }
  };
}
