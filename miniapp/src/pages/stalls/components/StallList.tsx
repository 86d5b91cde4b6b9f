import { Button, Text, View } from '@tarojs/components';
import type { StallSpotDto } from '@cityloop/shared';
import type { PagedList } from '../../../utils/paged-list';
import { formatDistance } from '../../../utils/stalls';
import { ErrorRetry } from './ErrorRetry';
import { StallCard } from './StallCard';

/** The list view: every state of the paged list of nearby spots. */
export function StallList({
  list,
  radiusMeters,
  locating,
  onRetry,
  onMore,
  onOpen,
}: {
  list: PagedList<StallSpotDto>;
  radiusMeters: number;
  locating: boolean;
  onRetry: () => void;
  onMore: () => void;
  onOpen: (spot: StallSpotDto) => void;
}) {
  if (list.status === 'idle') {
    return (
      <View className='card stalls__empty'>
        <Text className='card__text'>{locating ? '正在获取位置，也可以直接选择城市。' : '请选择城市或位置后查看附近摊点。'}</Text>
      </View>
    );
  }
  if (list.status === 'loading') {
    return (
      <View className='card stalls__loading'>
        <Text className='card__text'>正在加载附近摊点…</Text>
      </View>
    );
  }
  if (list.status === 'error') return <ErrorRetry className='card stalls__error' message={list.message} onRetry={onRetry} />;
  return (
    <View className='stalls__list'>
      <Text className='stalls__list-title'>{`${formatDistance(radiusMeters)}内的摊点 · 由近到远`}</Text>
      {list.items.length === 0 && (
        <View className='card stalls__empty'>
          <Text className='card__text'>附近没有符合条件的摊点，试试减少筛选条件或换个位置。</Text>
        </View>
      )}
      {list.items.map((spot) => (
        <StallCard key={spot.id} spot={spot} onOpen={() => onOpen(spot)} />
      ))}
      {list.moreError && <Text className='stalls__error-text'>{list.moreError}</Text>}
      {list.nextCursor ? (
        <Button className='stalls__more' disabled={list.loadingMore || undefined} onClick={onMore}>
          {list.loadingMore ? '加载中…' : list.moreError ? '重试加载更多' : '加载更多'}
        </Button>
      ) : (
        list.items.length > 0 && <Text className='stalls__end'>没有更多了</Text>
      )}
    </View>
  );
}
