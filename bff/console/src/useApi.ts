import { useCallback, useEffect, useRef, useState } from 'react';
import { api, type ApiOptions } from './api';

export interface ApiState<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

/**
 * A small read hook: fetches on mount and whenever `key` (path + query) changes, aborts the stale
 * request, and exposes `reload` for after a write. `path` null skips the request (nothing to ask yet).
 */
export function useApi<T>(path: string | null, options: Omit<ApiOptions, 'signal' | 'method' | 'body'> = {}): ApiState<T> {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: path !== null });
  const [tick, setTick] = useState(0);
  const key = path === null ? null : `${path}${JSON.stringify(options.query ?? {})}`;
  const optionsRef = useRef(options);
  optionsRef.current = options;

  useEffect(() => {
    if (path === null) return;
    const controller = new AbortController();
    setState((s) => ({ ...s, loading: true }));
    api<T>(path, { ...optionsRef.current, signal: controller.signal })
      .then((data) => setState({ data, loading: false }))
      .catch((error) => {
        if ((error as Error).name !== 'AbortError') setState((s) => ({ data: s.data, error, loading: false }));
      });
    return () => controller.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, tick]);

  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}
