import { useCallback, useRef, useState } from 'react';
import { toApiError } from '../services/request';
import { canLoadMore, pagedListReducer, type ListPage, type PagedList, type PagedListAction } from '../utils/paged-list';

export interface PagedListOptions {
  /** Refreshes keep the rows on screen (lists reloaded on every show); default false. */
  keepRows?: boolean;
  /** With keepRows: a failed refresh is reported here instead of under the rows. */
  onRefreshError?: (message: string) => void;
}

/**
 * One cursor-paged list: `reload` asks for the first page (an answer for an older reload is
 * dropped), `loadMore` for the next. `fetchPage` null means there is nothing to ask yet (idle).
 */
export function usePagedList<T, H = undefined>(fetchPage: ((cursor: string | null) => Promise<ListPage<T, H>>) | null, options: PagedListOptions = {}) {
  const [list, setList] = useState<PagedList<T, H>>(() => ({ status: fetchPage ? 'loading' : 'idle' }) as PagedList<T, H>);
  const current = useRef(list);
  const latest = useRef({ fetchPage, options });
  latest.current = { fetchPage, options };
  const seq = useRef(0);

  const dispatch = useCallback((action: PagedListAction<T, H>) => {
    current.current = pagedListReducer(current.current, action);
    setList(current.current);
  }, []);

  const reload = useCallback((): Promise<void> => {
    const { fetchPage: fetch, options: opts } = latest.current;
    const mine = ++seq.current;
    if (!fetch) {
      dispatch({ type: 'reset' });
      return Promise.resolve();
    }
    const keepRows = !!opts.keepRows;
    dispatch({ type: 'firstStarted', keepRows });
    return fetch(null).then(
      (page) => {
        if (mine === seq.current) dispatch({ type: 'firstLoaded', page });
      },
      (err: unknown) => {
        if (mine !== seq.current) return;
        const message = toApiError(err).message;
        if (keepRows && current.current.status === 'ready' && opts.onRefreshError) opts.onRefreshError(message);
        else dispatch({ type: 'firstFailed', message, keepRows });
      },
    );
  }, [dispatch]);

  const loadMore = useCallback(() => {
    const s = current.current;
    const fetch = latest.current.fetchPage;
    if (!fetch || s.status !== 'ready' || !canLoadMore(s)) return;
    const mine = seq.current;
    dispatch({ type: 'moreStarted' });
    fetch(s.nextCursor).then(
      (page) => {
        if (mine === seq.current) dispatch({ type: 'moreLoaded', page });
      },
      (err: unknown) => {
        if (mine === seq.current) dispatch({ type: 'moreFailed', message: toApiError(err).message });
      },
    );
  }, [dispatch]);

  /** Changes the loaded rows or head in place (a follow toggled, a claim made). */
  const patch = useCallback((fn: (ready: Extract<PagedList<T, H>, { status: 'ready' }>) => Extract<PagedList<T, H>, { status: 'ready' }>) => {
    if (current.current.status !== 'ready') return;
    current.current = fn(current.current);
    setList(current.current);
  }, []);

  return { list, reload, loadMore, patch };
}
