import { useCallback, useEffect, useRef, useState } from 'react';
import Taro, { useDidShow, usePullDownRefresh } from '@tarojs/taro';
import { Button, Text, View } from '@tarojs/components';
import type { StallSpotDto } from '@cityloop/shared';
import { toApiError } from '../../../services/request';
import { STALL_FOLLOW_EVENT, listFollowedStallSpots } from '../../../services/stalls';
import { stallDetailUrl, statusClass } from '../../../utils/stalls';
import { PageError, PageLoading } from '../../../components/page-state';
import { Page } from '../../../components/page';
import './index.scss';

const TITLE = '我关注的摊点';

type State = { status: 'loading' } | { status: 'error'; message: string } | { status: 'ready'; items: StallSpotDto[] };

/** 我的 → 我关注的摊点: the spots whose suspensions and hour changes come to me, each opening its detail. */
export default function StallFollowsPage() {
  const [state, setState] = useState<State>({ status: 'loading' });
  const seq = useRef(0);

  const load = useCallback((quiet: boolean) => {
    const mine = ++seq.current;
    if (!quiet) setState({ status: 'loading' });
    return listFollowedStallSpots('gcj02').then(
      (items) => {
        if (mine === seq.current) setState({ status: 'ready', items });
      },
      (err: unknown) => {
        if (mine === seq.current) setState({ status: 'error', message: toApiError(err).message });
      },
    );
  }, []);

  useEffect(() => {
    void load(false);
  }, [load]);

  // Back from a detail where 取消关注 was tapped: drop the row without a reload.
  useEffect(() => {
    const onFollow = (id: string, followed: boolean) => {
      if (followed) void load(true);
      else setState((prev) => (prev.status === 'ready' ? { status: 'ready', items: prev.items.filter((s) => s.id !== id) } : prev));
    };
    Taro.eventCenter.on(STALL_FOLLOW_EVENT, onFollow);
    return () => {
      Taro.eventCenter.off(STALL_FOLLOW_EVENT, onFollow);
    };
  }, [load]);

  const shownOnce = useRef(false);
  useDidShow(() => {
    // The first show is the mount above; later ones (back from another page) refresh quietly.
    if (shownOnce.current) void load(true);
    shownOnce.current = true;
  });

  usePullDownRefresh(() => {
    load(true).then(
      () => Taro.stopPullDownRefresh(),
      () => Taro.stopPullDownRefresh(),
    );
  });

  if (state.status === 'loading') return <PageLoading block='stall-follows' title={TITLE} text='正在加载关注的摊点…' />;
  if (state.status === 'error') return <PageError block='stall-follows' title={TITLE} message={state.message} onRetry={() => void load(false)} />;

  return (
    <Page block='stall-follows' title={TITLE} back>
      {state.items.length === 0 ? (
        <View className='card stall-follows__empty' id='stall-follows-empty'>
          <Text className='card__title'>还没有关注的摊点</Text>
          <Text className='card__text'>在摊点详情页点「关注」，摊点暂停开放或调整时间时会通知您。</Text>
          <Button className='stall-follows__browse' onClick={() => Taro.switchTab({ url: '/pages/stalls/index' }).catch(() => undefined)}>
            查看附近摊点
          </Button>
        </View>
      ) : (
        <View className='stall-follows__list'>
          <Text className='stall-follows__count'>共关注 {state.items.length} 个摊点</Text>
          {state.items.map((spot) => (
            <View key={spot.id} id={`stall-follow-${spot.id}`} className='card stall-follows__item' onClick={() => Taro.navigateTo({ url: stallDetailUrl(spot.id, null) }).catch(() => undefined)}>
              <View className='stall-follows__top'>
                <Text className='stall-follows__name'>{spot.name}</Text>
                <Text className='stall-follows__arrow'>›</Text>
              </View>
              <Text className='stall-follows__place'>
                {spot.kindName} · {spot.district}
                {spot.street ? ` · ${spot.street}` : ''}
              </Text>
              <Text className={`${statusClass(spot.openStatus.state)} stall-follows__status`}>{spot.openStatus.label}</Text>
            </View>
          ))}
        </View>
      )}
    </Page>
  );
}
