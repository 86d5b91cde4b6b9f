/**
 * The re-login rule behind `request`, free of Taro so it can be driven by a test against a real
 * HTTP server: sign in first if there is no token, and on a 401 that a new login can fix, log in
 * again once and run once more.
 */

/** 401 codes that a fresh login can fix. */
export const RELOGIN_CODES: ReadonlySet<string> = new Set(['UNAUTHENTICATED', 'TOKEN_EXPIRED', 'TOKEN_INVALID']);

/** Whether `err` (an ApiError-like failure) is a 401 that a fresh login can fix. */
export function needsRelogin(err: unknown): boolean {
  const e = err as { status?: unknown; code?: unknown } | null;
  return !!e && typeof e === 'object' && e.status === 401 && typeof e.code === 'string' && RELOGIN_CODES.has(e.code);
}

export interface TokenSession {
  getToken(): string | null;
  setToken(token: string | null): void;
  /** A fresh login that stores the new token; concurrent callers should share one. */
  login(): Promise<unknown>;
}

export function createWithAuth(session: TokenSession, canRelogin: (err: unknown) => boolean = needsRelogin) {
  return async function withAuth<T>(run: (token: string | null) => Promise<T>): Promise<T> {
    if (!session.getToken()) await session.login();
    const used = session.getToken();
    try {
      return await run(used);
    } catch (err) {
      if (!canRelogin(err)) throw err;
      // Another call may already have replaced the token while this one was in flight.
      const latest = session.getToken();
      if (!latest || latest === used) {
        session.setToken(null);
        await session.login();
      }
      return run(session.getToken());
    }
  };
}
