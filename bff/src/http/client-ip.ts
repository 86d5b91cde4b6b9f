import type { Context } from 'koa';

/**
 * The client address that per-client limits key on. Every limiter calls this one function, so how
 * the address is derived (e.g. behind a trusted proxy) is decided here alone.
 */
export function clientIp(ctx: Context): string {
  return ctx.ip;
}
