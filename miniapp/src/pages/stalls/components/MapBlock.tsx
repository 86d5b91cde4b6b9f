import { Text, View } from '@tarojs/components';
import type { StallSpotDto } from '@cityloop/shared';
import MapView, { type MapMarker } from '../../../components/map-view';
import type { ChosenPosition } from '../../../utils/location';
import type { MapSpotsState } from '../useMapSpots';
import { ErrorRetry } from './ErrorRetry';
import { MapLegend } from './MapBits';
import { MapSpotCard, openDetail } from './StallCard';

/** The map view: the pins, the legend or a hint, and the card of the tapped pin. */
export function MapBlock({
  mapFrom,
  locating,
  height,
  mapSpots,
  markers,
  selected,
  onSelect,
  onRetry,
  onUnavailable,
}: {
  mapFrom: ChosenPosition | null;
  locating: boolean;
  height: number;
  mapSpots: MapSpotsState;
  markers: MapMarker[];
  selected: StallSpotDto | null;
  onSelect: (id: string | null) => void;
  onRetry: () => void;
  onUnavailable: () => void;
}) {
  return (
    <View className='stalls__map-block'>
      {!mapFrom && (
        <View className='card stalls__empty'>
          <Text className='card__text'>{locating ? '正在获取位置…' : '请选择城市或位置后查看地图。'}</Text>
        </View>
      )}
      {mapFrom && <MapView id='stalls-map' label='附近摊点地图' center={mapFrom} zoom={13} height={height} markers={markers} fitMarkers onMarkerTap={onSelect} onUnavailable={onUnavailable} />}
      {mapSpots.status === 'loading' && <Text className='stalls__hint'>正在加载地图上的摊点…</Text>}
      {mapSpots.status === 'error' && <ErrorRetry className='stalls__error stalls__check-error' message={mapSpots.message} onRetry={onRetry} />}
      {mapSpots.status === 'ready' && (
        <View>
          <MapLegend />
          {!selected && (
            <Text className='stalls__hint'>{mapSpots.items.length ? `地图上共 ${mapSpots.items.length} 个摊点，点击图标查看` : '附近没有符合条件的摊点，试试减少筛选条件或换个位置。'}</Text>
          )}
        </View>
      )}
      {selected && mapSpots.status === 'ready' && <MapSpotCard spot={selected} onOpen={() => openDetail(selected.id, mapSpots.from)} onClose={() => onSelect(null)} />}
    </View>
  );
}
