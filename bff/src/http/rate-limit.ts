import type { Context, Next } from 'koa';
import type { ErrorCode } from '@cityloop/shared';
import type Redis from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { QueueFullError, type WorkQueue } from '../jobs/work-queue';
import { AppError } from './errors';

/** Counts one hit for `key`; resolves to the seconds to wait when over the limit, otherwise 0. */
export interface Limiter {
  hit(key: string): number | Promise<number>;
}

/** Makes the limiter called `name` (its own counters) allowing `limit` hits per minute. */
export type LimiterFactory = (name: string, limit: number) => Limiter;

/** One instance: fixed windows in process memory. */
export const memoryLimiters: LimiterFactory = (_name, limit) => new RateLimiter(limit, 60_000);

/**
 * Several instances: counters in Redis (rate-limiter-flexible's atomic script), so a limit of 10 a
 * minute is 10 across all instances. While Redis is unreachable each instance falls back at once
 * to its own memory counters (the insurance limiter): limits loosen to N × the limit, never to none.
 */
export function redisLimiters(client: Redis, keyPrefix: string): LimiterFactory {
  return (name, limit) => new SharedRateLimiter(client, `${keyPrefix}rl:${name}`, limit);
}

export class SharedRateLimiter implements Limiter {
  private readonly limiter: RateLimiterRedis;

  constructor(client: Redis, keyPrefix: string, limit: number) {
    this.limiter = new RateLimiterRedis({
      storeClient: client,
      keyPrefix,
      points: limit,
      duration: 60,
      // Not ready means the insurance limiter answers now, instead of a request waiting for a reconnect.
      rejectIfRedisNotReady: true,
      insuranceLimiter: new RateLimiterMemory({ keyPrefix, points: limit, duration: 60 }),
    });
  }

  async hit(key: string): Promise<number> {
    try {
      await this.limiter.consume(key);
      return 0;
    } catch (res) {
      if (res instanceof RateLimiterRes) return Math.max(1, Math.ceil(res.msBeforeNext / 1000));
      throw res;
    }
  }
}

/** Fixed-window limiter kept in process memory: the limiter of one instance (no REDIS_URL). */
export class RateLimiter implements Limiter {
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
export function rateLimit(limiter: Limiter, keyOf: (ctx: Context) => string) {
  return async function rateLimitMiddleware(ctx: Context, next: Next) {
    const retryAfterSeconds = await limiter.hit(keyOf(ctx));
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
