import Router from '@koa/router';
import { LIMITS, type LoginResponse } from '@cityloop/shared';
import { z } from 'zod';
import type { Middleware } from 'koa';
import { residentOf } from '../../http/auth';
import { clientIp } from '../../http/client-ip';
import { rateLimit, type Limiter } from '../../http/rate-limit';
import { boundedText, parseInput } from '../../http/validate';
import { loginWithWechat, type AuthDeps } from './auth.usecases';
import type { UserRow } from './users.repository';
import { presentUser } from './user.presenter';

const wechatLoginBody = z.object({ code: boundedText(1, LIMITS.wechatCodeMaxLength) }).strict();

export function authRoutes(deps: AuthDeps & { loginLimiter: Limiter; residentGuard: Middleware }): Router {
  const router = new Router();

  router.post(
    '/auth/wechat',
    rateLimit(deps.loginLimiter, (ctx) => `wechat-login:${clientIp(ctx)}`),
    async (ctx) => {
      const { code } = parseInput(wechatLoginBody, ctx.request.body);
      const { token, user } = await loginWithWechat(deps, code);
      ctx.body = { token, expiresIn: deps.tokens.ttlSeconds, user: presentUser(user) } satisfies LoginResponse;
    },
  );

  router.get('/me', deps.residentGuard, async (ctx) => {
    // The guard has just loaded the account; no second read.
    ctx.body = { user: presentUser(residentOf<UserRow>(ctx)) };
  });

  return router;
}

/** The schemas these routes validate with, for the OpenAPI document. */
export const authSchemas = { wechatLoginBody };
