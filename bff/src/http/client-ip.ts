import type { Context } from 'koa';

/**
 * The client address that per-client limits key on. Every limiter calls this one function. Behind
 * TRUST_PROXY, Koa is built with `maxIpsCount` = TRUST_PROXY_HOPS (app.ts), so ctx.ip is the address
 * the outermost trusted proxy saw, never an X-Forwarded-For entry the client wrote itself.
 */
export function clientIp(ctx: Context): string {
  return ctx.ip;
}
