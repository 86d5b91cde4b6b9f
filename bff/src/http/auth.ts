import type { Context, Middleware, Next } from 'koa';
import { can, type StaffPermission } from '@cityloop/shared';
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

type ResidentState = { blockedAt: Date | null; erasedAt: Date | null };

/** The account requireResident loaded for this request (later middleware and handlers reuse it, never re-read it). */
export function residentOf<T extends ResidentState>(ctx: Context): T {
  const user = ctx.state.resident as T | undefined;
  if (!user) throw new AppError('TOKEN_INVALID');
  return user;
}

/** Methods that change nothing: the guards may answer them from the account cache. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The guards' view of an account store (AccountCache): read for reading or for writing, forget after a write. */
export interface AccountSource<T> {
  read(id: string, purpose: 'read' | 'write'): Promise<T | undefined>;
  forget(id: string): void;
}

/**
 * Resident routes: a valid resident token for an account that still exists; the user id lands in
 * `ctx.state.auth.subject`. An erased or blocked account takes effect at once: requests that write
 * read the account afresh, and after one the account is forgotten here (other instances are told
 * by the database, see AccountCache).
 */
export function requireResident<T extends ResidentState>(tokens: TokenService, accounts: AccountSource<T>) {
  return async function requireResidentMiddleware(ctx: Context, next: Next) {
    const claims = tokens.verify(bearerToken(ctx), 'resident');
    const writes = !SAFE_METHODS.has(ctx.method);
    const user = await accounts.read(claims.sub, writes ? 'write' : 'read');
    if (!user || user.erasedAt) throw new AppError('TOKEN_INVALID');
    ctx.state.auth = { subject: claims.sub, audience: 'resident' } satisfies AuthState;
    ctx.state.resident = user;
    try {
      await next();
    } finally {
      if (writes) accounts.forget(claims.sub);
    }
  };
}

/** Names the permission a staff route needs (shared/src/permissions.ts), or 'signed-in' for any staff member's own things. */
export type StaffGuard = (permission: StaffPermission | 'signed-in') => Middleware;

/**
 * Staff routes: a valid staff token, then the permission table. The account's current role and state
 * apply before the token expires (as for residents). A staff write may change any account (a role,
 * a block, an erasure): `afterWrite` runs when it is done.
 */
export function staffGuardFor(tokens: TokenService, accounts: AccountSource<{ role: string; disabled: boolean }>, afterWrite: () => void = () => undefined): StaffGuard {
  return (permission) =>
    async function requireStaffMiddleware(ctx: Context, next: Next) {
      const claims = tokens.verify(bearerToken(ctx), 'staff');
      const writes = !SAFE_METHODS.has(ctx.method);
      const staff = await accounts.read(claims.sub, writes ? 'write' : 'read');
      if (!staff || staff.disabled) throw new AppError('TOKEN_INVALID');
      if (permission !== 'signed-in' && !can(staff.role, permission)) throw new AppError('FORBIDDEN');
      ctx.state.auth = { subject: claims.sub, audience: 'staff', role: staff.role } satisfies AuthState;
      try {
        await next();
      } finally {
        if (writes) afterWrite();
      }
    };
}

/** Write routes: blocked residents may still sign in and read, but cannot create anything. Runs after requireResident, which loaded the account. */
export function refuseBlocked() {
  return async function refuseBlockedMiddleware(ctx: Context, next: Next) {
    if (residentOf(ctx).blockedAt) throw new AppError('USER_BLOCKED');
    await next();
  };
}

export function authOf(ctx: Context): AuthState {
  const auth = ctx.state.auth as AuthState | undefined;
  if (!auth) throw new AppError('UNAUTHENTICATED');
  return auth;
}
