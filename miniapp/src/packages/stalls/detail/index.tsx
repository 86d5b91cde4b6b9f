import { useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import Taro, { useRouter } from '@tarojs/taro';
import { Button, Text, View } from '@tarojs/components';
import { formatShanghai, type CoordSystem, type StallSpotDto } from '@cityloop/shared';
import { toApiError } from '../../../services/request';
import { STALL_FOLLOW_EVENT, followStallSpot, getStallSpot, unfollowStallSpot, type QueryPosition } from '../../../services/stalls';
import { describeException, describeSeasons, describeWeeklyRule, facilityNames, formatDistance, goodsNames, statusClass } from '../../../utils/stalls';
import type { MapPlace } from '../../../utils/map-links';
import MapAppSheet from '../../../components/map-app-sheet';
import './index.scss';
import { PageError, PageLoading } from '../../../components/page-state';
import { Page } from '../../../components/page';

/** `nav`: the spot in GCJ-02 for the map apps, whatever system the page was opened with. */
type DetailState = { status: 'loading' } | { status: 'error'; message: string } | { status: 'ready'; spot: StallSpotDto; nav: MapPlace };

/** The list passes the viewer's position as lat/lng/cs so the distance matches what the card showed. */
function positionFromParams(params: Partial<Record<string, string>>): QueryPosition | null {
  const lat = Number(params.lat);
  const lng = Number(params.lng);
  if (!params.lat || !params.lng || !Number.isFinite(lat) || !Number.isFinite(lng)) return null;
  const coordSystem: CoordSystem = params.cs === 'wgs84' ? 'wgs84' : 'gcj02';
  return { lat, lng, coordSystem };
}

/**
 * Asks for the stall-change template. WeChat only shows this prompt from a tap handler, so it is
 * started in the same tap as the follow request rather than after the request comes back.
 */
function askStallSubscription(): void {
  if (process.env.TARO_ENV !== 'weapp' || !STALL_TEMPLATE_ID) return;
  try {
    Taro.requestSubscribeMessage({ tmplIds: [STALL_TEMPLATE_ID] } as Taro.requestSubscribeMessage.Option).catch(() => undefined);
  } catch {
    // An old base library without the API: following still works, just without WeChat notices.
  }
}

/** The spot as the map apps want it; the detail is read a second time in GCJ-02 when opened from the H5 map (WGS-84). */
async function loadSpot(id: string, from: QueryPosition | null): Promise<{ spot: StallSpotDto; nav: MapPlace }> {
  const system: CoordSystem = from?.coordSystem ?? 'gcj02';
  const [spot, inGcj] = await Promise.all([getStallSpot(id, from, system), system === 'gcj02' ? null : getStallSpot(id, null, 'gcj02')]);
  const point = (inGcj ?? spot).location;
  return { spot, nav: { lat: point.lat, lng: point.lng, coordSystem: 'gcj02', name: spot.name, address: spot.address } };
}

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <View className='stall-detail__row'>
      <Text className='stall-detail__label'>{label}</Text>
      <View className='stall-detail__value'>{children}</View>
    </View>
  );
}

export default function StallDetailPage() {
  const { params } = useRouter();
  const id = params.id ?? '';
  const { lat, lng, cs } = params;
  const from = useMemo(() => positionFromParams({ lat, lng, cs }), [lat, lng, cs]);
  const [state, setState] = useState<DetailState>({ status: 'loading' });
  const [busy, setBusy] = useState(false);
  const [sheetOpen, setSheetOpen] = useState(false);
  const closeSheet = useCallback(() => setSheetOpen(false), []);

  const load = useCallback(() => {
    if (!id) {
      setState({ status: 'error', message: '缺少摊点编号，请从摊点列表进入' });
      return;
    }
    setState({ status: 'loading' });
    loadSpot(id, from).then(
      ({ spot, nav }) => {
        setState({ status: 'ready', spot, nav });
        Taro.setNavigationBarTitle({ title: spot.name }).catch(() => undefined);
      },
      (err: unknown) => {
        const error = toApiError(err);
        setState({ status: 'error', message: error.code === 'NOT_FOUND' ? '摊点不存在或已下线' : error.message });
      },
    );
  }, [id, from]);

  useEffect(() => {
    load();
  }, [load]);

  const toggleFollow = useCallback(() => {
    if (state.status !== 'ready' || busy) return;
    const spot = state.spot;
    const follow = !spot.followed;
    if (follow) askStallSubscription();
    setBusy(true);
    const done = () => setBusy(false);
    (follow ? followStallSpot(spot.id) : unfollowStallSpot(spot.id))
      .then(
        (followed) => {
          setState((prev) => (prev.status === 'ready' && prev.spot.id === spot.id ? { ...prev, spot: { ...prev.spot, followed } } : prev));
          Taro.eventCenter.trigger(STALL_FOLLOW_EVENT, spot.id, followed);
          Taro.showToast({ title: followed ? '已关注' : '已取消关注', icon: 'none' }).catch(() => undefined);
        },
        (err: unknown) => {
          Taro.showToast({ title: toApiError(err).message, icon: 'none' }).catch(() => undefined);
        },
      )
      .then(done, done);
  }, [state, busy]);

  /** weapp: WeChat's own map (GCJ-02) with its route button; H5: the resident picks a map app. */
  const navigate = useCallback(() => {
    if (state.status !== 'ready') return;
    if (process.env.TARO_ENV === 'h5') {
      setSheetOpen(true);
      return;
    }
    const { nav } = state;
    Taro.openLocation({ latitude: nav.lat, longitude: nav.lng, name: nav.name, address: nav.address, scale: 16 }).catch(() => {
      Taro.showToast({ title: '无法打开地图，请稍后重试', icon: 'none' }).catch(() => undefined);
    });
  }, [state]);

  const call = useCallback((phone: string) => {
    Taro.makePhoneCall({ phoneNumber: phone }).catch(() => undefined);
  }, []);

  if (state.status === 'loading') return <PageLoading block='stall-detail' title='摊点详情' text='正在加载摊点信息…' />;

  if (state.status === 'error') return <PageError block='stall-detail' title='摊点详情' message={state.message} onRetry={id ? () => void load() : undefined} />;

  const { spot } = state;
  const { schedule } = spot;
  const seasons = describeSeasons(schedule.seasons);
  // Imports keep the operator's order; residents read the week from Monday.
  const weekly = schedule.weekly.slice().sort((a, b) => Math.min(...a.days) - Math.min(...b.days));

  return (
    <Page block='stall-detail' title='摊点详情' back>
      <View className='card'>
        <Text id='stall-detail-name' className='stall-detail__name'>
          {spot.name}
        </Text>
        <View className='stall-detail__meta'>
          <Text className='badge'>{spot.kindName}</Text>
          <Text className='stall-detail__place'>
            {spot.district}
            {spot.street ? ` · ${spot.street}` : ''}
          </Text>
        </View>
        <Text className='stall-detail__address'>{spot.address}</Text>
        {spot.location.approximate && <Text className='stall-detail__approx'>位置为近似值，请以现场标识为准</Text>}
        {spot.distanceMeters !== null && <Text className='stall-detail__distance'>距您 {formatDistance(spot.distanceMeters)}</Text>}
        <Text id='stall-detail-status' className={`${statusClass(spot.openStatus.state)} stall-detail__status`}>
          {spot.openStatus.label}
        </Text>
        {spot.suspension && (
          <View className='stall-detail__suspension'>
            {spot.suspension.reason && <Text className='stall-detail__line'>暂停原因：{spot.suspension.reason}</Text>}
            <Text className='stall-detail__line'>{spot.suspension.until ? `预计恢复：${formatShanghai(spot.suspension.until)}` : '恢复时间待通知'}</Text>
          </View>
        )}
      </View>

      <View className='card'>
        <Text className='card__title'>开放时间</Text>
        <Row label='今日'>
          <Text>{spot.todayHours.length ? spot.todayHours.join('、') : '今日不开放'}</Text>
        </Row>
        <Row label='每周'>
          {weekly.length ? (
            weekly.map((rule, i) => (
              <Text key={i} className='stall-detail__line'>
                {describeWeeklyRule(rule)}
              </Text>
            ))
          ) : (
            <Text className='stall-detail__line'>暂无固定开放时间</Text>
          )}
          {seasons && <Text className='stall-detail__line stall-detail__season'>{seasons}</Text>}
        </Row>
        {schedule.exceptions && schedule.exceptions.length > 0 && (
          <Row label='特殊安排'>
            {schedule.exceptions.map((ex) => (
              <Text key={ex.date} className='stall-detail__line'>
                {describeException(ex)}
              </Text>
            ))}
          </Row>
        )}
      </View>

      <View className='card'>
        <Text className='card__title'>经营信息</Text>
        <Row label='摊位数'>
          <Text>{spot.capacity} 个</Text>
        </Row>
        <Row label='可售品类'>
          <Text>{spot.goods.length ? goodsNames(spot.goods) : '未限定'}</Text>
        </Row>
        <Row label='配套设施'>
          <Text>{spot.facilities.length ? facilityNames(spot.facilities) : '无'}</Text>
        </Row>
        {spot.rules && (
          <Row label='经营规定'>
            <Text className='stall-detail__rules'>{spot.rules}</Text>
          </Row>
        )}
        {spot.manager && (
          <Row label='管理方'>
            <Text className='stall-detail__line'>{spot.manager.name || '—'}</Text>
            {spot.manager.phone && (
              <Text id='stall-detail-phone' className='stall-detail__phone' onClick={() => call(spot.manager!.phone)}>
                {spot.manager.phone}（点击拨打）
              </Text>
            )}
          </Row>
        )}
      </View>

      <View className='card stall-detail__actions'>
        <View className='stall-detail__buttons'>
          <Button id='stall-follow' className={spot.followed ? 'stall-detail__follow stall-detail__follow--on' : 'stall-detail__follow'} disabled={busy || undefined} onClick={toggleFollow}>
            {busy ? (spot.followed ? '正在取消…' : '正在关注…') : spot.followed ? '已关注' : '关注'}
          </Button>
          <Button id='stall-navigate' className='stall-detail__navigate' onClick={navigate}>
            导航
          </Button>
        </View>
        <Text className='stall-detail__hint'>关注后，摊点暂停或调整时间时会通过微信通知您</Text>
      </View>
      <MapAppSheet place={state.nav} open={sheetOpen} onClose={closeSheet} />
    </Page>
  );
}
