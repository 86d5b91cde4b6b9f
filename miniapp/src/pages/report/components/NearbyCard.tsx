import { useState } from 'react';
import Taro from '@tarojs/taro';
import { Text, View } from '@tarojs/components';
import type { MapReportDto } from '@cityloop/shared';
import { followReport, unfollowReport } from '../../../services/reports';
import { toApiError } from '../../../services/request';
import { reportStatusClass } from '../../../utils/reports';
import { formatDistance } from '../../../utils/stalls';

/**
 * The duplicate hint: the same problem may already be reported nearby. 我也遇到了 follows that
 * report (its progress notices come to me) instead of filing a duplicate, which earns no reward.
 */
export function NearbyCard({ items, title, onClose }: { items: MapReportDto[]; title?: string; onClose?: () => void }) {
  const [followed, setFollowed] = useState<Record<string, boolean>>({});
  const [busy, setBusy] = useState<string | null>(null);
  const toggle = (item: MapReportDto) => {
    const on = followed[item.id] ?? item.followed;
    setBusy(item.id);
    (on ? unfollowReport(item.id) : followReport(item.id))
      .then(
        () => {
          setFollowed((prev) => ({ ...prev, [item.id]: !on }));
          Taro.showToast({ title: on ? '已取消关注' : '已关注，办理进展会通知您', icon: 'none' }).catch(() => undefined);
        },
        (err: unknown) => Taro.showToast({ title: toApiError(err).message, icon: 'none' }).catch(() => undefined),
      )
      .finally(() => setBusy(null));
  };
  return (
    <View id={title ? 'report-map-picked' : 'report-nearby'} className={title ? 'report__nearby report__nearby--picked' : 'card report__nearby'}>
      <View className='report__nearby-head'>
        <Text className='report__nearby-title'>{title ?? `附近已有 ${items.length} 条同类举报`}</Text>
        {onClose && (
          <Text className='report__link report__link--muted' onClick={onClose}>
            关闭
          </Text>
        )}
      </View>
      <Text className='report__hint'>如果是同一个问题，点「我也遇到了」关注它的办理进展即可；重复举报不会获得奖励。不是同一个问题，请继续提交。</Text>
      {items.map((item) => {
        const on = followed[item.id] ?? item.followed;
        return (
          <View key={item.id} className='report__nearby-item'>
            <View className='report__nearby-main'>
              <Text className={reportStatusClass(item.status)}>{item.statusName}</Text>
              <Text className='report__nearby-address'>{item.address || item.categoryName}</Text>
              <Text className='report__nearby-distance'>{formatDistance(item.distanceMeters)}</Text>
            </View>
            {!item.own && (
              <View id={`report-nearby-follow-${item.id}`} className={on ? 'report__follow report__follow--on' : 'report__follow'} role='button' onClick={() => busy !== item.id && toggle(item)}>
                <Text>{on ? '已关注' : '我也遇到了'}</Text>
              </View>
            )}
          </View>
        );
      })}
    </View>
  );
}
