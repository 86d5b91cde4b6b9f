import { useCallback, useEffect, useState } from 'react';
import type { UserDto } from '@cityloop/shared';
import { ensureLogin, toApiError, type ApiError } from '../services/request';
import { getCurrentUser, subscribeUser } from '../services/session';

export type CurrentUserState = { status: 'loading' } | { status: 'ready'; user: UserDto } | { status: 'error'; error: ApiError };

/** The signed-in resident for a page, with a `retry` that runs the login again. */
export function useCurrentUser(): CurrentUserState & { retry: () => void } {
  const [state, setState] = useState<CurrentUserState>(() => {
    const user = getCurrentUser();
    return user ? { status: 'ready', user } : { status: 'loading' };
  });

  const load = useCallback(() => {
    setState((prev) => (prev.status === 'ready' ? prev : { status: 'loading' }));
    ensureLogin().then(
      (user) => setState({ status: 'ready', user }),
      (err: unknown) => setState({ status: 'error', error: toApiError(err) }),
    );
  }, []);

  useEffect(() => {
    load();
    return subscribeUser((user) => {
      if (user) setState({ status: 'ready', user });
    });
  }, [load]);

  return { ...state, retry: load };
}
