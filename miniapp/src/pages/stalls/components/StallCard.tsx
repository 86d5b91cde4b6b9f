import Taro from '@tarojs/taro';
import { Button, Text, View } from '@tarojs/components';
import type { StallSpotDto } from '@cityloop/shared';
import { formatDistance, goodsNames, stallDetailUrl, statusClass } from '../../../utils/stalls';
import type { ChosenPosition } from '../../../utils/location';

export function openDetail(id: string, from: ChosenPosition | null) {
  Taro.navigateTo({ url: stallDetailUrl(id, from) }).catch(() => undefined);
}

/** 今日 hours line shared by the list card and the map card. */
function TodayLine({ spot }: { spot: StallSpotDto }) {
  return <Text className='stall-card__line'>今日：{spot.todayHours.length ? spot.todayHours.join('、') : '今日不开放'}</Text>;
}

export function StallCard({ spot, onOpen }: { spot: StallSpotDto; onOpen: () => void }) {
  return (
    <View className='card stall-card' id={`stall-card-${spot.id}`} onClick={onOpen}>
      <View className='stall-card__top'>
        <Text className='stall-card__name'>{spot.name}</Text>
        {spot.distanceMeters !== null && <Text className='stall-card__distance'>{formatDistance(spot.distanceMeters)}</Text>}
      </View>
      <View className='stall-card__meta'>
        <Text className='badge stall-card__kind'>{spot.kindName}</Text>
        <Text className='stall-card__place'>
          {spot.district}
          {spot.street ? ` · ${spot.street}` : ''}
        </Text>
        {spot.followed && <Text className='stall-card__followed'>已关注</Text>}
      </View>
      <Text className={`${statusClass(spot.openStatus.state)} stall-card__status`}>{spot.openStatus.label}</Text>
      <TodayLine spot={spot} />
      {spot.goods.length > 0 && <Text className='stall-card__line'>可售：{goodsNames(spot.goods)}</Text>}
    </View>
  );
}

/** The card under the map for the tapped pin. */
export function MapSpotCard({ spot, onOpen, onClose }: { spot: StallSpotDto; onOpen: () => void; onClose: () => void }) {
  return (
    <View className='card stalls__map-card' id='stalls-map-card'>
      <View className='stall-card__top'>
        <Text className='stall-card__name'>{spot.name}</Text>
        {spot.distanceMeters !== null && <Text className='stall-card__distance'>{formatDistance(spot.distanceMeters)}</Text>}
      </View>
      <Text className={`${statusClass(spot.openStatus.state)} stall-card__status`}>{spot.openStatus.label}</Text>
      <TodayLine spot={spot} />
      <View className='stalls__map-card-actions'>
        <Button id='stalls-map-card-open' className='stalls__map-card-open' onClick={onOpen}>
          查看详情
        </Button>
        <Button className='stalls__map-card-close' onClick={onClose}>
          关闭
        </Button>
      </View>
    </View>
  );
}
