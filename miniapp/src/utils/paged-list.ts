/**
 * A cursor-paged list as the mini-program shows it (我的举报, 收支明细, 附近摊点): the first page,
 * then more on scroll or 加载更多. Pure, so the rules are unit-tested; hooks/usePagedList.ts runs it.
 * `H` is whatever else the first page carries (e.g. the balance around the ledger).
 */
export interface ListPage<T, H = undefined> {
  items: T[];
  nextCursor: string | null;
  head?: H;
}

export type PagedList<T, H = undefined> =
  | { status: 'idle' }
  | { status: 'loading' }
  | { status: 'error'; message: string }
  | { status: 'ready'; head: H; items: T[]; nextCursor: string | null; loadingMore: boolean; moreError: string | null };

export type PagedListAction<T, H> =
  /** `keepRows`: a refresh keeps the rows on screen; only the very first load shows the spinner. */
  | { type: 'reset' }
  | { type: 'firstStarted'; keepRows: boolean }
  | { type: 'firstLoaded'; page: ListPage<T, H> }
  /** `keepRows`: a failed refresh keeps the rows and says so under them. */
  | { type: 'firstFailed'; message: string; keepRows: boolean }
  | { type: 'moreStarted' }
  | { type: 'moreLoaded'; page: ListPage<T, H> }
  | { type: 'moreFailed'; message: string };

export function pagedListReducer<T, H>(s: PagedList<T, H>, a: PagedListAction<T, H>): PagedList<T, H> {
  switch (a.type) {
    case 'reset':
      return { status: 'idle' };
    case 'firstStarted':
      return a.keepRows && s.status === 'ready' ? s : { status: 'loading' };
    case 'firstLoaded':
      return { status: 'ready', head: a.page.head as H, items: a.page.items, nextCursor: a.page.nextCursor, loadingMore: false, moreError: null };
    case 'firstFailed':
      return a.keepRows && s.status === 'ready' ? { ...s, loadingMore: false, moreError: a.message } : { status: 'error', message: a.message };
    case 'moreStarted':
      return s.status === 'ready' ? { ...s, loadingMore: true, moreError: null } : s;
    case 'moreLoaded':
      return s.status === 'ready' ? { ...s, items: s.items.concat(a.page.items), nextCursor: a.page.nextCursor, loadingMore: false, moreError: null } : s;
    case 'moreFailed':
      return s.status === 'ready' ? { ...s, loadingMore: false, moreError: a.message } : s;
  }
}

/** Whether 加载更多 may start now. */
export function canLoadMore(s: PagedList<unknown, unknown>): boolean {
  return s.status === 'ready' && !!s.nextCursor && !s.loadingMore;
}
