import { Text, View } from '@tarojs/components';
import type { StallCheckDto } from '@cityloop/shared';
import { formatDistance } from '../../../utils/stalls';
import type { ChosenPosition } from '../../../utils/location';
import { openDetail } from './StallCard';

/** 这里能摆摊吗: the verdict, the spot it falls in, and open spots nearby when it is a no. */
export function CheckResult({ check, from }: { check: StallCheckDto; from: ChosenPosition | null }) {
  return (
    <View id='stall-check-result' className={`stalls__check-result stalls__check-result--${check.allowed ? 'yes' : 'no'}`}>
      <Text className={`stalls__verdict stalls__verdict--${check.allowed ? 'yes' : 'no'}`}>{check.allowed ? '✓ 可以在此摆摊' : '✗ 此处不能摆摊'}</Text>
      <Text className='stalls__check-message'>{check.message}</Text>
      {check.spot && (
        <View className='stalls__alt' onClick={() => openDetail(check.spot!.id, from)}>
          <Text>
            所在摊点：{check.spot.name} · {check.spot.openStatus.label}
          </Text>
        </View>
      )}
      {!check.allowed && check.alternatives.length > 0 && (
        <View className='stalls__alts'>
          <Text className='stalls__alts-title'>附近可以去：</Text>
          {check.alternatives.map((alt) => (
            <View key={alt.spot.id} className='stalls__alt' onClick={() => openDetail(alt.spot.id, from)}>
              <Text>
                往{alt.direction}走 {formatDistance(alt.distanceMeters)} · {alt.spot.name} · {alt.spot.openStatus.label}
              </Text>
            </View>
          ))}
        </View>
      )}
      {!check.allowed && check.alternatives.length === 0 && <Text className='stalls__alts-title'>附近暂无正在开放的摊点</Text>}
    </View>
  );
}
