import { canLoadMore, pagedListReducer, type PagedList } from '../../miniapp/src/utils/paged-list';

type L = PagedList<number, { balance: number }>;
const ready = (items: number[], nextCursor: string | null = 'c1'): L => ({ status: 'ready', head: { balance: 5 }, items, nextCursor, loadingMore: false, moreError: null });

describe('pagedListReducer (我的举报, 收支明细, 附近摊点)', () => {
  test('the first page replaces whatever was there and keeps its head', () => {
    const s = pagedListReducer<number, { balance: number }>({ status: 'loading' }, { type: 'firstLoaded', page: { items: [1, 2], nextCursor: 'c1', head: { balance: 9 } } });
    expect(s).toEqual({ status: 'ready', head: { balance: 9 }, items: [1, 2], nextCursor: 'c1', loadingMore: false, moreError: null });
  });

  test('a refresh keeps the rows only when asked to', () => {
    const s = ready([1]);
    expect(pagedListReducer(s, { type: 'firstStarted', keepRows: true })).toBe(s);
    expect(pagedListReducer(s, { type: 'firstStarted', keepRows: false })).toEqual({ status: 'loading' });
    expect(pagedListReducer<number, undefined>({ status: 'idle' }, { type: 'firstStarted', keepRows: true })).toEqual({ status: 'loading' });
  });

  test('a failed refresh over rows says so under them; without rows it is the error page', () => {
    expect(pagedListReducer(ready([1]), { type: 'firstFailed', message: '网络错误', keepRows: true })).toMatchObject({ status: 'ready', items: [1], moreError: '网络错误' });
    expect(pagedListReducer(ready([1]), { type: 'firstFailed', message: '网络错误', keepRows: false })).toEqual({ status: 'error', message: '网络错误' });
    expect(pagedListReducer<number, undefined>({ status: 'loading' }, { type: 'firstFailed', message: 'x', keepRows: true })).toEqual({ status: 'error', message: 'x' });
  });

  test('more pages append, clear the last error and move the cursor; the head stays', () => {
    let s = pagedListReducer(ready([1, 2]), { type: 'moreFailed', message: '失败' });
    expect(s).toMatchObject({ moreError: '失败', loadingMore: false });
    s = pagedListReducer(s, { type: 'moreStarted' });
    expect(s).toMatchObject({ loadingMore: true, moreError: null });
    expect(canLoadMore(s)).toBe(false);
    s = pagedListReducer(s, { type: 'moreLoaded', page: { items: [3], nextCursor: null, head: { balance: 0 } } });
    expect(s).toEqual({ ...ready([1, 2, 3], null), head: { balance: 5 } });
    expect(canLoadMore(s)).toBe(false);
  });

  test('more is only possible from a ready list with a cursor', () => {
    expect(canLoadMore(ready([1]))).toBe(true);
    expect(canLoadMore(ready([1], null))).toBe(false);
    expect(canLoadMore({ status: 'loading' })).toBe(false);
    const loading: L = { status: 'loading' };
    expect(pagedListReducer(loading, { type: 'moreStarted' })).toBe(loading);
    expect(pagedListReducer(loading, { type: 'moreLoaded', page: { items: [1], nextCursor: null } })).toBe(loading);
    expect(pagedListReducer(ready([1]), { type: 'reset' })).toEqual({ status: 'idle' });
  });
});
