import Router from '@koa/router';
import { LIMITS, type StaffLoginResponse } from '@cityloop/shared';
import { z } from 'zod';
import { authOf } from '../../http/auth';
import { AppError } from '../../http/errors';
import { rateLimit, RateLimiter } from '../../http/rate-limit';
import { parseInput } from '../../http/validate';
import { loginStaff, presentStaff, type StaffDeps } from './staff.usecases';
import type { Middleware } from 'koa';

const loginBody = z
  .object({
    username: z.string().trim().toLowerCase().min(1).max(LIMITS.staffUsernameMaxLength),
    password: z.string().min(1).max(LIMITS.staffPasswordMaxLength),
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
