import { useCallback, useEffect, useMemo, useState } from 'react';
import Taro, { useReachBottom } from '@tarojs/taro';
import { Text, View } from '@tarojs/components';
import type { StallSpotDto } from '@cityloop/shared';
import { getMapConfig } from '../../services/map';
import { STALL_FOLLOW_EVENT, listStallSpots } from '../../services/stalls';
import { positionIn } from '../../utils/location';
import { MAP_COORD_SYSTEM } from '../../components/map-view';
import { Page } from '../../components/page';
import { usePagedList } from '../../hooks/usePagedList';
import { CheckCard } from './components/CheckCard';
import { MapBlock } from './components/MapBlock';
import { ViewSwitch, type ViewMode } from './components/MapBits';
import { openDetail } from './components/StallCard';
import { StallFilters, type StallFilterValues } from './components/StallFilters';
import { StallList } from './components/StallList';
import { WhereCard } from './components/WhereCard';
import { useMapSpots } from './useMapSpots';
import { useStallPosition } from './useStallPosition';
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

export default function StallsPage() {
  const { locate, position, presets, startLocate, choosePosition, pickOnMap } = useStallPosition();
  const [filters, setFilters] = useState<StallFilterValues>({ openNow: false, goods: [], kinds: [] });
  const [mode, setMode] = useState<ViewMode>('list');
  // weapp always has WeChat's map; H5 only when the BFF names a tile source.
  const [mapAvailable, setMapAvailable] = useState(IS_WEAPP);
  const height = useMemo(mapHeight, []);

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

  const fetchPage = useMemo(
    () => (position ? (cursor: string | null) => listStallSpots({ position, radiusMeters: LIST_RADIUS_M, ...filters, limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) }) : null),
    [position, filters],
  );
  const { list, reload, loadMore, patch } = usePagedList<StallSpotDto>(fetchPage);
  useEffect(() => {
    reload().catch(() => undefined);
  }, [fetchPage, reload]);
  useReachBottom(
    useCallback(() => {
      if (mode === 'list') loadMore();
    }, [mode, loadMore]),
  );

  // The map asks in its own coordinate system (WGS-84 on H5's tiles, GCJ-02 in WeChat).
  const mapFrom = useMemo(() => (position ? positionIn(position, MAP_COORD_SYSTEM) : null), [position]);
  const map = useMapSpots(mode === 'map', mapFrom, filters, LIST_RADIUS_M);
  const { setFollowed } = map;

  // Keeps "已关注" on the cards in step with the detail page.
  useEffect(() => {
    const onFollow = (id: string, followed: boolean) => {
      patch((ready) => ({ ...ready, items: ready.items.map((s) => (s.id === id ? { ...s, followed } : s)) }));
      setFollowed(id, followed);
    };
    Taro.eventCenter.on(STALL_FOLLOW_EVENT, onFollow);
    return () => {
      Taro.eventCenter.off(STALL_FOLLOW_EVENT, onFollow);
    };
  }, [patch, setFollowed]);

  return (
    <Page block='stalls'>
      <View className='hero stalls__hero'>
        <Text className='hero__title'>附近合法摊点</Text>
        <Text className='hero__text'>查找允许摆摊的地点、开放时间和经营范围</Text>
      </View>

      <WhereCard position={position} locate={locate} presets={presets} onChoose={choosePosition} onPick={pickOnMap} onLocate={() => startLocate(true)} />

      {mapAvailable && <ViewSwitch mode={mode} onChange={setMode} />}

      {mode === 'map' && mapAvailable && (
        <MapBlock
          mapFrom={mapFrom}
          locating={locate === 'locating'}
          height={height}
          mapSpots={map.mapSpots}
          markers={map.markers}
          selected={map.selected}
          onSelect={map.setSelectedId}
          onRetry={map.loadMapSpots}
          onUnavailable={() => {
            setMapAvailable(false);
            setMode('list');
          }}
        />
      )}

      <CheckCard position={position} />

      <StallFilters value={filters} onChange={setFilters} />

      {mode === 'list' && (
        <StallList list={list} radiusMeters={LIST_RADIUS_M} locating={locate === 'locating'} onRetry={() => void reload()} onMore={loadMore} onOpen={(spot) => openDetail(spot.id, position)} />
      )}
    </Page>
  );
}
