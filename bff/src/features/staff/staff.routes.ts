import Router from '@koa/router';
import { LIMITS, type StaffLoginResponse } from '@cityloop/shared';
import { z } from 'zod';
import { authOf } from '../../http/auth';
import { AppError } from '../../http/errors';
import { rateLimit, RateLimiter } from '../../http/rate-limit';
import { boundedText, parseInput } from '../../http/validate';
import { loginStaff, presentStaff, type StaffDeps } from './staff.usecases';
import type { Middleware } from 'koa';

const loginBody = z
  .object({
    username: boundedText(1, LIMITS.staffUsernameMaxLength).toLowerCase(),
    // Not trimmed: a passphrase may begin or end with a space.
    password: boundedText(1, LIMITS.staffPasswordMaxLength, { trim: false }),
  })
  .strict();

export function staffRoutes(deps: StaffDeps & { loginLimiter: RateLimiter; staffGuard: Middleware }): Router {
  const router = new Router({ prefix: '/staff' });

  router.post('/auth/login', rateLimit(deps.loginLimiter, (ctx) => `staff-login:${ctx.ip}`), async (ctx) => {
    const { username, password } = parseInput(loginBody, ctx.request.body);
    const { token, staff } = await loginStaff(deps, username, password);
    ctx.body = { token, expiresIn: deps.tokens.ttlSeconds, staff: presentStaff(staff) } satisfies StaffLoginResponse;
  });

  router.get('/me', deps.staffGuard, async (ctx) => {
    const staff = await deps.staff.findById(authOf(ctx).subject);
    if (!staff) throw new AppError('TOKEN_INVALID');
    ctx.body = { staff: presentStaff(staff) };
  });

  return router;
}
