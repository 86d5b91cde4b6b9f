import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import Taro, { useReachBottom } from '@tarojs/taro';
import { Button, Picker, Text, View } from '@tarojs/components';
import {
  STALL_GOODS,
  STALL_KINDS,
  STALL_LIMITS,
  type StallCheckDto,
  type StallGoods,
  type StallKind,
  type StallSpotDto,
} from '@cityloop/shared';
import { toApiError } from '../../services/request';
import { getMapConfig } from '../../services/map';
import { STALL_FOLLOW_EVENT, checkStallPosition, listStallSpots } from '../../services/stalls';
import { chooseOnMap, cityPosition, locateCurrent, positionIn, presetsNearestFirst, type ChosenPosition } from '../../utils/location';
import { formatDistance, goodsNames, stallDetailUrl, stallMarkerKind, statusClass } from '../../utils/stalls';
import MapView, { MAP_COORD_SYSTEM, type MapMarker } from '../../components/map-view';
import { Page } from '../../components/page';
import './index.scss';

/** Wide enough that the seeded spots around a city centre all show. */
const LIST_RADIUS_M = 10_000;
/** About two screens of cards; the next page comes on scroll or 加载更多. */
const PAGE_SIZE = 8;
const IS_WEAPP = process.env.TARO_ENV === 'weapp';
/** Half the window, within what keeps the filters and the card in reach at 200% zoom. */
function mapHeight(): number {
  let windowHeight = 700;
  try {
    windowHeight = Taro.getSystemInfoSync().windowHeight || windowHeight;
  } catch {
    // keep the default
  }
  return Math.max(200, Math.min(380, Math.round(windowHeight * 0.45)));
}

const GOODS_CODES = Object.keys(STALL_GOODS) as StallGoods[];
const KIND_CODES = Object.keys(STALL_KINDS) as StallKind[];
/** Picker options for the check: index 0 is "any goods". */
const CHECK_GOODS_OPTIONS = ['不限', ...GOODS_CODES.map((g) => STALL_GOODS[g])];

type LocateState = 'locating' | 'failed' | 'done';

type ListState =
  | { status: 'idle' }
  | { status: 'loading' }
  | { status: 'error'; message: string }
  | { status: 'ready'; items: StallSpotDto[]; nextCursor: string | null; loadingMore: boolean; moreError: string | null };

type ViewMode = 'list' | 'map';

/** The map's own read: every pin at once (one page of the largest size), in the map's coordinate system. */
type MapSpotsState =
  | { status: 'idle' }
  | { status: 'loading' }
  | { status: 'error'; message: string }
  | { status: 'ready'; items: StallSpotDto[]; from: ChosenPosition };

type CheckState =
  | { status: 'idle' }
  | { status: 'loading' }
  | { status: 'error'; message: string }
  | { status: 'ready'; result: StallCheckDto; where: string };

function toggle<T>(list: T[], value: T): T[] {
  return list.indexOf(value) >= 0 ? list.filter((v) => v !== value) : [...list, value];
}

function openDetail(id: string, from: ChosenPosition | null) {
  Taro.navigateTo({ url: stallDetailUrl(id, from) }).catch(() => undefined);
}

function Chip({ id, label, on, onTap }: { id: string; label: string; on: boolean; onTap: () => void }) {
  return (
    <View id={id} className={on ? 'chip chip--on' : 'chip'} onClick={onTap}>
      <Text>{label}</Text>
    </View>
  );
}

function StallCard({ spot, onOpen }: { spot: StallSpotDto; onOpen: () => void }) {
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
      <Text className='stall-card__line'>今日：{spot.todayHours.length ? spot.todayHours.join('、') : '今日不开放'}</Text>
      {spot.goods.length > 0 && <Text className='stall-card__line'>可售：{goodsNames(spot.goods)}</Text>}
    </View>
  );
}

/** The card under the map for the tapped pin. */
function MapSpotCard({ spot, onOpen, onClose }: { spot: StallSpotDto; onOpen: () => void; onClose: () => void }) {
  return (
    <View className='card stalls__map-card' id='stalls-map-card'>
      <View className='stall-card__top'>
        <Text className='stall-card__name'>{spot.name}</Text>
        {spot.distanceMeters !== null && <Text className='stall-card__distance'>{formatDistance(spot.distanceMeters)}</Text>}
      </View>
      <Text className={`${statusClass(spot.openStatus.state)} stall-card__status`}>{spot.openStatus.label}</Text>
      <Text className='stall-card__line'>今日：{spot.todayHours.length ? spot.todayHours.join('、') : '今日不开放'}</Text>
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

function ViewSwitch({ mode, onChange }: { mode: ViewMode; onChange: (mode: ViewMode) => void }) {
  return (
    <View className='stalls__switch' role='tablist' aria-label='显示方式'>
      {(['list', 'map'] as const).map((m) => (
        <View
          key={m}
          id={`stalls-view-${m}`}
          role='tab'
          aria-selected={mode === m}
          className={mode === m ? 'stalls__switch-item stalls__switch-item--on' : 'stalls__switch-item'}
          onClick={() => onChange(m)}
        >
          <Text>{m === 'list' ? '列表' : '地图'}</Text>
        </View>
      ))}
    </View>
  );
}

/** Legend for the pins: shape and symbol, not colour alone. */
function MapLegend() {
  return (
    <View className='stalls__legend'>
      <Text className='stalls__legend-item'>
        <Text className='stalls__legend-pin stalls__legend-pin--open'>✓</Text>营业中
      </Text>
      <Text className='stalls__legend-item'>
        <Text className='stalls__legend-pin stalls__legend-pin--closed'>−</Text>未营业
      </Text>
      <Text className='stalls__legend-item'>
        <Text className='stalls__legend-pin stalls__legend-pin--suspended'>✕</Text>暂停
      </Text>
    </View>
  );
}

function CheckResult({ check, from }: { check: StallCheckDto; from: ChosenPosition | null }) {
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

export default function StallsPage() {
  const [locate, setLocate] = useState<LocateState>('locating');
  const [position, setPosition] = useState<ChosenPosition | null>(null);
  const [openNow, setOpenNow] = useState(false);
  const [goods, setGoods] = useState<StallGoods[]>([]);
  const [kinds, setKinds] = useState<StallKind[]>([]);
  const [list, setList] = useState<ListState>({ status: 'idle' });
  const [checkGoods, setCheckGoods] = useState(0);
  const [check, setCheck] = useState<CheckState>({ status: 'idle' });
  const [mode, setMode] = useState<ViewMode>('list');
  // weapp always has WeChat's map; H5 only when the BFF names a tile source.
  const [mapAvailable, setMapAvailable] = useState(IS_WEAPP);
  const [mapSpots, setMapSpots] = useState<MapSpotsState>({ status: 'idle' });
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const mapSeq = useRef(0);
  const height = useMemo(mapHeight, []);

  // Drops answers that arrive after the position or filters have changed again.
  const listSeq = useRef(0);
  const locateSeq = useRef(0);
  const checkSeq = useRef(0);

  /** `asked`: the user tapped 当前位置, so a failure deserves a toast (the line may still show an older choice). */
  const startLocate = useCallback((asked: boolean) => {
    const seq = ++locateSeq.current;
    setLocate('locating');
    locateCurrent().then(
      (pos) => {
        if (seq !== locateSeq.current) return;
        setPosition(pos);
        setLocate('done');
      },
      () => {
        if (seq !== locateSeq.current) return;
        setLocate('failed');
        if (asked) Taro.showToast({ title: '无法获取当前位置，请检查定位权限', icon: 'none' }).catch(() => undefined);
      },
    );
  }, []);

  /** A manual choice wins over a GPS answer that is still on its way. */
  const choosePosition = useCallback((pos: ChosenPosition) => {
    locateSeq.current += 1;
    setPosition(pos);
    setLocate('done');
  }, []);

  const pickOnMap = useCallback(() => {
    chooseOnMap(position).then(choosePosition, () => undefined);
  }, [position, choosePosition]);

  useEffect(() => {
    startLocate(false);
  }, [startLocate]);

  useEffect(() => {
    if (IS_WEAPP) return;
    let live = true;
    getMapConfig().then((config) => {
      if (live) setMapAvailable(config !== null);
    });
    return () => {
      live = false;
    };
  }, []);

  const loadFirstPage = useCallback(() => {
    if (!position) return;
    const seq = ++listSeq.current;
    setList({ status: 'loading' });
    listStallSpots({ position, radiusMeters: LIST_RADIUS_M, openNow, goods, kinds, limit: PAGE_SIZE }).then(
      (res) => {
        if (seq === listSeq.current) setList({ status: 'ready', items: res.items, nextCursor: res.nextCursor, loadingMore: false, moreError: null });
      },
      (err: unknown) => {
        if (seq === listSeq.current) setList({ status: 'error', message: toApiError(err).message });
      },
    );
  }, [position, openNow, goods, kinds]);

  useEffect(() => {
    loadFirstPage();
  }, [loadFirstPage]);

  // The map asks in its own coordinate system (WGS-84 on H5's tiles, GCJ-02 in WeChat).
  const mapFrom = useMemo(() => (position ? positionIn(position, MAP_COORD_SYSTEM) : null), [position]);

  const loadMapSpots = useCallback(() => {
    if (mode !== 'map' || !mapFrom) return;
    const seq = ++mapSeq.current;
    setMapSpots({ status: 'loading' });
    listStallSpots({ position: mapFrom, radiusMeters: LIST_RADIUS_M, openNow, goods, kinds, limit: STALL_LIMITS.maxPageSize }).then(
      (res) => {
        if (seq === mapSeq.current) setMapSpots({ status: 'ready', items: res.items, from: mapFrom });
      },
      (err: unknown) => {
        if (seq === mapSeq.current) setMapSpots({ status: 'error', message: toApiError(err).message });
      },
    );
  }, [mode, mapFrom, openNow, goods, kinds]);

  useEffect(() => {
    loadMapSpots();
  }, [loadMapSpots]);

  // A pin from an older answer must not stay selected.
  useEffect(() => {
    setSelectedId(null);
  }, [mapFrom, openNow, goods, kinds]);

  // An old verdict must not be read as the answer for a new position.
  useEffect(() => {
    checkSeq.current += 1;
    setCheck({ status: 'idle' });
  }, [position]);

  const loadMore = useCallback(() => {
    if (mode !== 'list' || !position || list.status !== 'ready' || !list.nextCursor || list.loadingMore) return;
    const seq = listSeq.current;
    const cursor = list.nextCursor;
    setList({ ...list, loadingMore: true, moreError: null });
    listStallSpots({ position, radiusMeters: LIST_RADIUS_M, openNow, goods, kinds, limit: PAGE_SIZE, cursor }).then(
      (res) => {
        if (seq !== listSeq.current) return;
        setList((prev) =>
          prev.status === 'ready'
            ? { status: 'ready', items: prev.items.concat(res.items), nextCursor: res.nextCursor, loadingMore: false, moreError: null }
            : prev,
        );
      },
      (err: unknown) => {
        if (seq !== listSeq.current) return;
        setList((prev) => (prev.status === 'ready' ? { ...prev, loadingMore: false, moreError: toApiError(err).message } : prev));
      },
    );
  }, [mode, position, list, openNow, goods, kinds]);

  useReachBottom(loadMore);

  // Keeps "已关注" on the cards in step with the detail page.
  useEffect(() => {
    const onFollow = (id: string, followed: boolean) => {
      setList((prev) =>
        prev.status === 'ready' ? { ...prev, items: prev.items.map((s) => (s.id === id ? { ...s, followed } : s)) } : prev,
      );
      setMapSpots((prev) =>
        prev.status === 'ready' ? { ...prev, items: prev.items.map((s) => (s.id === id ? { ...s, followed } : s)) } : prev,
      );
    };
    Taro.eventCenter.on(STALL_FOLLOW_EVENT, onFollow);
    return () => {
      Taro.eventCenter.off(STALL_FOLLOW_EVENT, onFollow);
    };
  }, []);

  const runCheck = useCallback(() => {
    if (!position) {
      Taro.showToast({ title: '请先选择位置', icon: 'none' });
      return;
    }
    const goodsCode = checkGoods > 0 ? GOODS_CODES[checkGoods - 1] : null;
    const where = position.label;
    const seq = ++checkSeq.current;
    setCheck({ status: 'loading' });
    checkStallPosition(position, goodsCode).then(
      (result) => {
        if (seq === checkSeq.current) setCheck({ status: 'ready', result, where });
      },
      (err: unknown) => {
        if (seq === checkSeq.current) setCheck({ status: 'error', message: toApiError(err).message });
      },
    );
  }, [position, checkGoods]);

  const markers = useMemo<MapMarker[]>(() => {
    if (mapSpots.status !== 'ready') return [];
    const pins: MapMarker[] = mapSpots.items.map((spot) => ({
      id: spot.id,
      lat: spot.location.lat,
      lng: spot.location.lng,
      title: `${spot.name}，${spot.openStatus.label}`,
      kind: stallMarkerKind(spot),
      selected: spot.id === selectedId,
    }));
    const from = mapSpots.from;
    pins.unshift({ id: 'self', lat: from.lat, lng: from.lng, title: from.source === 'gps' ? '当前位置' : '所选位置', kind: 'self' });
    return pins;
  }, [mapSpots, selectedId]);

  const selected = mapSpots.status === 'ready' && selectedId ? mapSpots.items.find((s) => s.id === selectedId) ?? null : null;
  // The nearest preset first once the device (or a map pick) has said roughly where we are; choosing
  // a preset afterwards does not reorder them under the finger.
  const [rough, setRough] = useState<ChosenPosition | null>(null);
  useEffect(() => {
    if (position && position.source !== 'city') setRough(position);
  }, [position]);
  const presets = useMemo(() => presetsNearestFirst(rough), [rough]);

  const positionText = position
    ? `位置：${position.label}`
    : locate === 'locating'
      ? '正在获取当前位置…'
      : '无法获取当前位置，请选择城市';

  return (
    <Page block='stalls'>
      <View className='hero stalls__hero'>
        <Text className='hero__title'>附近合法摊点</Text>
        <Text className='hero__text'>查找允许摆摊的地点、开放时间和经营范围</Text>
      </View>

      <View className='card stalls__where'>
        <Text id='stalls-position' className={position ? 'stalls__position' : 'stalls__position stalls__position--pending'}>
          {positionText}
        </Text>
        <View className='stalls__where-actions'>
          {presets.map((city) => (
            <View
              key={city.key}
              className={position?.source === 'city' && position.lat === city.lat && position.lng === city.lng ? 'stalls__city stalls__city--on' : 'stalls__city'}
              onClick={() => choosePosition(cityPosition(city))}
            >
              <Text>{city.name}</Text>
            </View>
          ))}
          {IS_WEAPP && (
            <View className='stalls__action stalls__pick' onClick={pickOnMap}>
              <Text>选择位置</Text>
            </View>
          )}
          <View className={locate === 'locating' ? 'stalls__action stalls__locate stalls__action--busy' : 'stalls__action stalls__locate'} onClick={() => startLocate(true)}>
            <Text>{locate === 'locating' ? '定位中…' : '当前位置'}</Text>
          </View>
        </View>
      </View>

      {mapAvailable && <ViewSwitch mode={mode} onChange={setMode} />}

      {mode === 'map' && mapAvailable && (
        <View className='stalls__map-block'>
          {!mapFrom && (
            <View className='card stalls__empty'>
              <Text className='card__text'>{locate === 'locating' ? '正在获取位置…' : '请选择城市或位置后查看地图。'}</Text>
            </View>
          )}
          {mapFrom && (
            <MapView
              id='stalls-map'
              label='附近摊点地图'
              center={mapFrom}
              zoom={13}
              height={height}
              markers={markers}
              fitMarkers
              onMarkerTap={setSelectedId}
              onUnavailable={() => {
                setMapAvailable(false);
                setMode('list');
              }}
            />
          )}
          {mapSpots.status === 'loading' && <Text className='stalls__hint'>正在加载地图上的摊点…</Text>}
          {mapSpots.status === 'error' && (
            <View className='stalls__error stalls__check-error'>
              <Text className='stalls__error-text'>{mapSpots.message}</Text>
              <Button className='stalls__retry' onClick={loadMapSpots}>
                重试
              </Button>
            </View>
          )}
          {mapSpots.status === 'ready' && (
            <View>
              <MapLegend />
              {!selected && (
                <Text className='stalls__hint'>
                  {mapSpots.items.length ? `地图上共 ${mapSpots.items.length} 个摊点，点击图标查看` : '附近没有符合条件的摊点，试试减少筛选条件或换个位置。'}
                </Text>
              )}
            </View>
          )}
          {selected && mapSpots.status === 'ready' && (
            <MapSpotCard spot={selected} onOpen={() => openDetail(selected.id, mapSpots.from)} onClose={() => setSelectedId(null)} />
          )}
        </View>
      )}

      <View className='card stalls__check'>
        <Picker mode='selector' range={CHECK_GOODS_OPTIONS} value={checkGoods} onChange={(e) => setCheckGoods(Number(e.detail.value))}>
          <View className='stalls__picker'>
            <Text className='stalls__picker-label'>经营品类</Text>
            <Text className='stalls__picker-value'>{CHECK_GOODS_OPTIONS[checkGoods]} ▾</Text>
          </View>
        </Picker>
        <Button id='stall-check' className='stalls__check-btn' disabled={check.status === 'loading' || undefined} onClick={runCheck}>
          {check.status === 'loading' ? '正在查询…' : '这里能摆摊吗？'}
        </Button>
        {check.status === 'error' && (
          <View className='stalls__error stalls__check-error'>
            <Text className='stalls__error-text'>{check.message}</Text>
            <Button className='stalls__retry stalls__retry--check' onClick={runCheck}>
              重试
            </Button>
          </View>
        )}
        {check.status === 'ready' && (
          <View>
            <Text className='stalls__hint'>查询位置：{check.where}</Text>
            <CheckResult check={check.result} from={position} />
          </View>
        )}
      </View>

      <View className='stalls__filters'>
        <View className='stalls__chips'>
          <Chip id='chip-open-now' label='营业中' on={openNow} onTap={() => setOpenNow(!openNow)} />
          {KIND_CODES.map((k) => (
            <Chip key={k} id={`chip-kind-${k}`} label={STALL_KINDS[k]} on={kinds.indexOf(k) >= 0} onTap={() => setKinds(toggle(kinds, k))} />
          ))}
        </View>
        <View className='stalls__chips'>
          {GOODS_CODES.map((g) => (
            <Chip key={g} id={`chip-goods-${g}`} label={STALL_GOODS[g]} on={goods.indexOf(g) >= 0} onTap={() => setGoods(toggle(goods, g))} />
          ))}
        </View>
      </View>

      {mode === 'list' && list.status === 'idle' && (
        <View className='card stalls__empty'>
          <Text className='card__text'>{locate === 'locating' ? '正在获取位置，也可以直接选择城市。' : '请选择城市或位置后查看附近摊点。'}</Text>
        </View>
      )}

      {mode === 'list' && list.status === 'loading' && (
        <View className='card stalls__loading'>
          <Text className='card__text'>正在加载附近摊点…</Text>
        </View>
      )}

      {mode === 'list' && list.status === 'error' && (
        <View className='card stalls__error'>
          <Text className='stalls__error-text'>{list.message}</Text>
          <Button className='stalls__retry' onClick={loadFirstPage}>
            重试
          </Button>
        </View>
      )}

      {mode === 'list' && list.status === 'ready' && (
        <View className='stalls__list'>
          <Text className='stalls__list-title'>{`${formatDistance(LIST_RADIUS_M)}内的摊点 · 由近到远`}</Text>
          {list.items.length === 0 && (
            <View className='card stalls__empty'>
              <Text className='card__text'>附近没有符合条件的摊点，试试减少筛选条件或换个位置。</Text>
            </View>
          )}
          {list.items.map((spot) => (
            <StallCard key={spot.id} spot={spot} onOpen={() => openDetail(spot.id, position)} />
          ))}
          {list.moreError && <Text className='stalls__error-text'>{list.moreError}</Text>}
          {list.nextCursor ? (
            <Button className='stalls__more' disabled={list.loadingMore || undefined} onClick={loadMore}>
              {list.loadingMore ? '加载中…' : list.moreError ? '重试加载更多' : '加载更多'}
            </Button>
          ) : (
            list.items.length > 0 && <Text className='stalls__end'>没有更多了</Text>
          )}
        </View>
      )}
    </Page>
  );
}
