import { useCallback, useEffect, useState } from 'react';
import Taro, { useDidShow } from '@tarojs/taro';
import { Text, View } from '@tarojs/components';
import type { FollowedReportDto } from '@cityloop/shared';
import { listFollowedReports, unfollowReport } from '../../../services/reports';
import { toApiError } from '../../../services/request';
import { reportStatusClass } from '../../../utils/reports';

/**
 * 我关注的举报: what this resident said 我也遇到了 to. A follower's notice opens this tab; the
 * report's own detail page belongs to its reporter, so the status is shown here.
 */
export function FollowedReports() {
  const [items, setItems] = useState<FollowedReportDto[]>([]);
  const load = useCallback(() => {
    listFollowedReports().then(setItems, () => undefined); // a side list: quiet when it fails
  }, []);
  useDidShow(load);
  useEffect(load, [load]);
  if (!items.length) return null;
  return (
    <View id='report-follows' className='card report__follows'>
      <Text className='card__title'>我关注的举报</Text>
      {items.map((item) => (
        <View key={item.id} id={`report-follow-${item.id}`} className='report__follow-row'>
          <View className='report__nearby-main'>
            <Text className={reportStatusClass(item.status)}>{item.statusName}</Text>
            <Text className='report__nearby-address'>
              {item.categoryName} · {item.address || '地址未填写'}
            </Text>
          </View>
          <Text
            className='report__link report__link--muted'
            onClick={() =>
              unfollowReport(item.id).then(
                () => setItems((prev) => prev.filter((x) => x.id !== item.id)),
                (err: unknown) => Taro.showToast({ title: toApiError(err).message, icon: 'none' }).catch(() => undefined),
              )
            }
          >
            取消关注
          </Text>
        </View>
      ))}
    </View>
  );
}
