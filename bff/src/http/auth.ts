import type { Context, Next } from 'koa';
import type { Audience, TokenService } from '../features/auth/tokens';
import { AppError } from './errors';

export interface AuthState {
  subject: string;
  audience: Audience;
  role?: string;
}

function bearerToken(ctx: Context): string {
  const header = ctx.get('authorization');
  const match = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*)$/.exec(header);
  if (!header) throw new AppError('UNAUTHENTICATED');
  if (!match) throw new AppError('TOKEN_INVALID');
  return match[1];
}

/** Resident routes: a valid resident token; the user id lands in `ctx.state.auth.subject`. */
export function requireResident(tokens: TokenService) {
  return async function requireResidentMiddleware(ctx: Context, next: Next) {
    const claims = tokens.verify(bearerToken(ctx), 'resident');
    ctx.state.auth = { subject: claims.sub, audience: 'resident' } satisfies AuthState;
    await next();
  };
}

/**
 * Staff routes: a valid staff token. `roles` narrows further (e.g. admin-only). The account's
 * current state is re-checked by `loadStaff`, so a disabled account loses access before its token expires.
 */
export function requireStaff(
  tokens: TokenService,
  loadStaff: (id: string) => Promise<{ role: string; disabled: boolean } | undefined>,
  roles?: string[],
) {
  return async function requireStaffMiddleware(ctx: Context, next: Next) {
    const claims = tokens.verify(bearerToken(ctx), 'staff');
    const staff = await loadStaff(claims.sub);
    if (!staff || staff.disabled) throw new AppError('TOKEN_INVALID');
    if (roles && !roles.includes(staff.role)) throw new AppError('FORBIDDEN');
    ctx.state.auth = { subject: claims.sub, audience: 'staff', role: staff.role } satisfies AuthState;
    await next();
  };
}

/** Write routes: blocked residents may still sign in and read, but cannot create anything. */
export function refuseBlocked(loadUser: (id: string) => Promise<{ blockedAt: Date | null } | undefined>) {
  return async function refuseBlockedMiddleware(ctx: Context, next: Next) {
    const user = await loadUser(authOf(ctx).subject);
    if (!user) throw new AppError('TOKEN_INVALID');
    if (user.blockedAt) throw new AppError('USER_BLOCKED');
    await next();
  };
}

export function authOf(ctx: Context): AuthState {
  const auth = ctx.state.auth as AuthState | undefined;
  if (!auth) throw new AppError('UNAUTHENTICATED');
  return auth;
}
