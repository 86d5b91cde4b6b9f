import { useCallback, useRef, useState } from 'react';
import Taro, { useDidShow, usePullDownRefresh, useReachBottom } from '@tarojs/taro';
import { Button, Image, Text, View } from '@tarojs/components';
import { formatShanghai, type ReportListItemDto } from '@cityloop/shared';
import { toApiError } from '../../../services/request';
import { listMyReports, photoSrc, reportDetailUrl } from '../../../services/reports';
import { reportStatusClass } from '../../../utils/reports';
import { rewardBadge } from '../../../utils/rewards';
import './index.scss';
import { PageError, PageLoading } from '../../../components/page-state';
import { Page } from '../../../components/page';

type ListState =
  | { status: 'loading' }
  | { status: 'error'; message: string }
  | { status: 'ready'; items: ReportListItemDto[]; nextCursor: string | null; loadingMore: boolean; moreError: string | null };

function ReportRow({ item }: { item: ReportListItemDto }) {
  const reward = rewardBadge(item.rewardState, item.rewardAmountFen);
  return (
    <View className='card my-report' id={`my-report-${item.id}`} onClick={() => Taro.navigateTo({ url: reportDetailUrl(item.id) }).catch(() => undefined)}>
      {item.thumbUrl ? (
        <Image className='my-report__thumb' src={photoSrc(item.thumbUrl)} mode='aspectFill' lazyLoad webp />
      ) : (
        <View className='my-report__thumb my-report__thumb--none'>
          <Text>无照片</Text>
        </View>
      )}
      <View className='my-report__body'>
        <View className='my-report__top'>
          <Text className='my-report__category'>{item.categoryName}</Text>
          <Text className={`${reportStatusClass(item.status)} my-report__status`}>{item.statusName}</Text>
        </View>
        <Text className='my-report__address'>{item.address}</Text>
        <View className='my-report__bottom'>
          <Text className='my-report__time'>{formatShanghai(item.createdAt)}</Text>
          <View className='my-report__badges'>
            {item.canRate && (
              <Text id={`my-report-rate-${item.id}`} className='reward-state reward-state--wait my-report__badge'>
                待评价
              </Text>
            )}
            {reward && (
              <Text id={`my-report-reward-${item.id}`} className={`reward-state reward-state--${reward.tone} my-report__badge`}>
                {reward.text}
              </Text>
            )}
          </View>
        </View>
      </View>
    </View>
  );
}

export default function MyReportsPage() {
  const [list, setList] = useState<ListState>({ status: 'loading' });
  const seq = useRef(0);

  /** Statuses move while the resident is elsewhere, so every show reloads the first page. */
  const loadFirst = useCallback((): Promise<void> => {
    const mine = ++seq.current;
    // Keep the rows on screen during a refresh; only the very first load shows the spinner text.
    setList((prev) => (prev.status === 'ready' ? prev : { status: 'loading' }));
    return listMyReports(null).then(
      (page) => {
        if (mine === seq.current) setList({ status: 'ready', items: page.items, nextCursor: page.nextCursor, loadingMore: false, moreError: null });
      },
      (err: unknown) => {
        if (mine !== seq.current) return;
        const message = toApiError(err).message;
        setList((prev) => (prev.status === 'ready' ? { ...prev, moreError: message } : { status: 'error', message }));
      },
    );
  }, []);

  useDidShow(() => {
    loadFirst().catch(() => undefined);
  });

  usePullDownRefresh(() => {
    const stop = () => {
      Taro.stopPullDownRefresh();
    };
    loadFirst().then(stop, stop);
  });

  const loadMore = useCallback(() => {
    if (list.status !== 'ready' || !list.nextCursor || list.loadingMore) return;
    const mine = seq.current;
    const cursor = list.nextCursor;
    setList({ ...list, loadingMore: true, moreError: null });
    listMyReports(cursor).then(
      (page) => {
        if (mine !== seq.current) return;
        setList((prev) =>
          prev.status === 'ready'
            ? { status: 'ready', items: prev.items.concat(page.items), nextCursor: page.nextCursor, loadingMore: false, moreError: null }
            : prev,
        );
      },
      (err: unknown) => {
        if (mine !== seq.current) return;
        setList((prev) => (prev.status === 'ready' ? { ...prev, loadingMore: false, moreError: toApiError(err).message } : prev));
      },
    );
  }, [list]);

  useReachBottom(loadMore);

  if (list.status === 'loading') return <PageLoading block='my-reports' title='我的举报' text='正在加载我的举报…' />;

  if (list.status === 'error') {
    return <PageError block='my-reports' title='我的举报' message={list.message} onRetry={() => void loadFirst()} />;
  }

  return (
    <Page block='my-reports' title='我的举报' back>
      {list.items.length === 0 ? (
        <View className='card my-reports__empty' id='my-reports-empty'>
          <Text className='card__text'>还没有举报，去随手拍一下吧</Text>
          <Button className='my-reports__go' onClick={() => Taro.switchTab({ url: '/pages/report/index' }).catch(() => undefined)}>
            去随手拍
          </Button>
        </View>
      ) : (
        list.items.map((item) => <ReportRow key={item.id} item={item} />)
      )}
      {list.moreError && <Text className='my-reports__error-text'>{list.moreError}</Text>}
      {list.nextCursor ? (
        <Button id='my-reports-more' className='my-reports__more' onClick={loadMore}>
          {list.loadingMore ? '加载中…' : '加载更多'}
        </Button>
      ) : (
        list.items.length > 0 && <Text className='my-reports__end'>没有更多了</Text>
      )}
    </Page>
  );
}
