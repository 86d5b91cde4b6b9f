import Router from '@koa/router';
import { LIMITS, STAFF_ROLES, type StaffLoginResponse } from '@cityloop/shared';
import { z } from 'zod';
import { authOf, type StaffGuard } from '../../http/auth';
import { AppError } from '../../http/errors';
import { clientIp } from '../../http/client-ip';
import { rateLimit, type Limiter } from '../../http/rate-limit';
import { boundedText, isUuid, parseInput } from '../../http/validate';
import {
  changeOwnPassword,
  createStaffByAdmin,
  loginStaff,
  presentStaff,
  presentStaffAccount,
  resetStaffPasswordByAdmin,
  unlockStaffByAdmin,
  updateStaffByAdmin,
  type StaffDeps,
} from './staff.usecases';

const username = boundedText(1, LIMITS.staffUsernameMaxLength).toLowerCase();
// Not trimmed: a passphrase may begin or end with a space.
const password = boundedText(1, LIMITS.staffPasswordMaxLength, { trim: false });
const role = z.enum(STAFF_ROLES);
const loginBody = z.object({ username, password }).strict();
const passwordBody = z.object({ currentPassword: password, newPassword: password }).strict();
const createBody = z.object({ username, displayName: boundedText(0, 50).default(''), password, role }).strict();
export const resetPasswordBody = z.object({ newPassword: password }).strict();
const patchBody = z
  .object({ role: role.optional(), disabled: z.boolean().optional(), displayName: boundedText(1, 50).optional() })
  .strict()
  .refine((p) => Object.keys(p).length > 0, 'name at least one field');

function staffIdOf(ctx: { params: Record<string, string> }): string {
  if (!isUuid(ctx.params.id)) throw new AppError('NOT_FOUND', '工作人员账号不存在');
  return ctx.params.id;
}

export function staffRoutes(deps: StaffDeps & { loginLimiter: Limiter; staffGuard: StaffGuard }): Router {
  const router = new Router({ prefix: '/staff' });
  const admin = deps.staffGuard('staff.manage');

  router.post(
    '/auth/login',
    rateLimit(deps.loginLimiter, (ctx) => `staff-login:${clientIp(ctx)}`),
    async (ctx) => {
      const body = parseInput(loginBody, ctx.request.body);
      const { token, staff } = await loginStaff(deps, body.username, body.password);
      ctx.body = { token, expiresIn: deps.tokens.ttlSeconds, staff: presentStaff(staff) } satisfies StaffLoginResponse;
    },
  );

  router.get('/me', deps.staffGuard('signed-in'), async (ctx) => {
    const staff = await deps.staff.findById(authOf(ctx).subject);
    if (!staff) throw new AppError('TOKEN_INVALID');
    ctx.body = { staff: presentStaff(staff) };
  });

  router.post(
    '/me/password',
    rateLimit(deps.loginLimiter, (ctx) => `staff-login:${clientIp(ctx)}`),
    deps.staffGuard('signed-in'),
    async (ctx) => {
      const body = parseInput(passwordBody, ctx.request.body);
      await changeOwnPassword(deps, authOf(ctx).subject, body.currentPassword, body.newPassword);
      ctx.status = 204;
    },
  );

  router.get('/accounts', admin, async (ctx) => {
    // Fewer than 500 accounts, one page: the staff list convention's shape with no next page.
    ctx.body = { items: (await deps.staff.list()).map((row) => presentStaffAccount(row, deps.now())), nextCursor: null };
  });

  router.post('/accounts', admin, async (ctx) => {
    const body = parseInput(createBody, ctx.request.body);
    ctx.status = 201;
    ctx.body = { account: presentStaffAccount(await createStaffByAdmin(deps, authOf(ctx).subject, body), deps.now()) };
  });

  router.patch('/accounts/:id', admin, async (ctx) => {
    const patch = parseInput(patchBody, ctx.request.body);
    ctx.body = { account: presentStaffAccount(await updateStaffByAdmin(deps, authOf(ctx).subject, staffIdOf(ctx), patch), deps.now()) };
  });

  router.post('/accounts/:id/password', admin, async (ctx) => {
    const { newPassword } = parseInput(resetPasswordBody, ctx.request.body);
    await resetStaffPasswordByAdmin(deps, authOf(ctx).subject, staffIdOf(ctx), newPassword);
    ctx.status = 204;
  });

  router.post('/accounts/:id/unlock', admin, async (ctx) => {
    ctx.body = { account: presentStaffAccount(await unlockStaffByAdmin(deps, authOf(ctx).subject, staffIdOf(ctx)), deps.now()) };
  });

  return router;
}

/** The schemas these routes validate with, for the OpenAPI document. */
export const staffSchemas = { loginBody, passwordBody, createBody, patchBody, resetPasswordBody };
