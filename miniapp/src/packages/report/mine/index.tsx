import Taro, { useDidShow, usePullDownRefresh, useReachBottom } from '@tarojs/taro';
import { Button, Image, Text, View } from '@tarojs/components';
import { formatShanghai, type ReportListItemDto } from '@cityloop/shared';
import { listMyReports, photoSrc, reportDetailUrl } from '../../../services/reports';
import { reportStatusClass } from '../../../utils/reports';
import { rewardBadge } from '../../../utils/rewards';
import './index.scss';
import { PageError, PageLoading } from '../../../components/page-state';
import { Page } from '../../../components/page';
import { usePagedList } from '../../../hooks/usePagedList';

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

/** Statuses move while the resident is elsewhere, so every show reloads the first page (keeping the rows on screen). */
const fetchMyReports = (cursor: string | null) => listMyReports(cursor);

export default function MyReportsPage() {
  const { list, reload, loadMore } = usePagedList(fetchMyReports, { keepRows: true });

  useDidShow(() => {
    reload().catch(() => undefined);
  });

  usePullDownRefresh(() => {
    const stop = () => {
      Taro.stopPullDownRefresh();
    };
    reload().then(stop, stop);
  });

  useReachBottom(loadMore);

  if (list.status === 'loading' || list.status === 'idle') return <PageLoading block='my-reports' title='我的举报' text='正在加载我的举报…' />;

  if (list.status === 'error') {
    return <PageError block='my-reports' title='我的举报' message={list.message} onRetry={() => void reload()} />;
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
