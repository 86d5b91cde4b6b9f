import { useCallback, useMemo, useRef } from 'react';
import Taro from '@tarojs/taro';
import { CoverView, Map, View } from '@tarojs/components';
import type { MapProps } from '@tarojs/components';
import type { CoordSystem } from '@cityloop/shared';
import type { MapLatLng, MapMarkerKind, MapViewProps } from './types';
import openPin from '../../assets/map-pin-open.png';
import closedPin from '../../assets/map-pin-closed.png';
import suspendedPin from '../../assets/map-pin-suspended.png';
import selfPin from '../../assets/map-pin-self.png';
import defaultPin from '../../assets/map-pin-default.png';
import './index.weapp.scss';

export type { MapLatLng, MapMarker, MapMarkerKind, MapViewProps } from './types';

/** WeChat's <map> draws Tencent's tiles in GCJ-02, as wx.getLocation and chooseLocation answer. */
export const MAP_COORD_SYSTEM: CoordSystem = 'gcj02';

/** Same shapes as the H5 pins (circle ✓, square −, diamond ✕), so states differ without colour. */
const ICONS: Record<MapMarkerKind, string> = { open: openPin, closed: closedPin, suspended: suspendedPin, self: selfPin, default: defaultPin };

const DEFAULT_ZOOM = 14;
const DEFAULT_HEIGHT = 240;
let seq = 0;

/**
 * The weapp map: Taro <Map> with `markers` as WeChat markers (ids mapped to numbers, which WeChat
 * requires) and, in pickMode, a fixed pin in a cover-view with the centre read after each move.
 */
export default function MapView(props: MapViewProps) {
  const { center, markers, pickMode, height = DEFAULT_HEIGHT, zoom = DEFAULT_ZOOM, label = '地图' } = props;
  // createMapContext needs the <map>'s id; a stable one per instance unless the page gives one.
  const mapId = useRef(props.id ?? `map-view-${(seq += 1)}`).current;
  const latest = useRef(props);
  latest.current = props;
  const lastEmitted = useRef<MapLatLng | null>(null);

  const wxMarkers = useMemo<MapProps.marker[]>(
    () =>
      (markers ?? []).map((m, index) => {
        const kind = m.kind ?? 'default';
        const small = kind === 'self';
        const size = small ? 22 : m.selected ? 40 : 30;
        return {
          id: index,
          latitude: m.lat,
          longitude: m.lng,
          iconPath: ICONS[kind],
          width: size,
          height: size,
          anchor: { x: 0.5, y: 0.5 },
          title: m.title,
          ariaLabel: m.title,
          zIndex: small ? 0 : m.selected ? 2 : 1,
          // The title as a callout on tap, for readers who cannot rely on the pin's shape alone.
          callout: small
            ? undefined
            : {
                content: m.title,
                color: '#1f2329',
                fontSize: 13,
                anchorX: 0,
                anchorY: 0,
                borderRadius: 6,
                borderWidth: 1,
                borderColor: '#e5e6eb',
                bgColor: '#ffffff',
                padding: 6,
                display: 'BYCLICK',
                textAlign: 'left',
              },
        } as MapProps.marker;
      }),
    [markers],
  );

  // Keyed by the points alone: selecting a pin must not refit the map under the finger.
  const pointsKey = (markers ?? []).map((m) => `${m.lat},${m.lng}`).join(';');
  const includePoints = useMemo<MapProps.point[] | undefined>(
    () => (props.fitMarkers && markers && markers.length > 1 ? markers.map((m) => ({ latitude: m.lat, longitude: m.lng })) : undefined),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [props.fitMarkers, pointsKey],
  );

  const onMarkerTap = useCallback((e: { detail: { markerId: number | string } }) => {
    const marker = (latest.current.markers ?? [])[Number(e.detail.markerId)];
    if (marker && marker.kind !== 'self') latest.current.onMarkerTap?.(marker.id);
  }, []);

  const onRegionChange = useCallback(
    (e: { type?: string; detail?: { type?: string } }) => {
      if (!latest.current.pickMode) return;
      // WeChat sends begin and end; only the end has a settled centre.
      if ((e.detail?.type ?? e.type) !== 'end') return;
      Taro.createMapContext(mapId)
        .getCenterLocation({})
        .then((res) => {
          const c = { lat: Number(res.latitude.toFixed(6)), lng: Number(res.longitude.toFixed(6)) };
          const last = lastEmitted.current;
          if (last && last.lat === c.lat && last.lng === c.lng) return;
          lastEmitted.current = c;
          latest.current.onCenterChange?.(c);
        })
        .catch(() => undefined);
    },
    [mapId],
  );

  return (
    <View className='map-view' style={{ height: `${height}px` }} ariaRole='region' ariaLabel={label}>
      <Map
        id={mapId}
        className='map-view__map'
        style={{ height: `${height}px` }}
        latitude={center.lat}
        longitude={center.lng}
        scale={zoom}
        showLocation
        markers={wxMarkers}
        includePoints={includePoints}
        onMarkerTap={onMarkerTap}
        onCalloutTap={onMarkerTap}
        onRegionChange={onRegionChange as MapProps['onRegionChange']}
        // Required by Taro's MapProps typing; a failed map leaves the page's list usable.
        onError={() => undefined}
      />
      {pickMode && (
        <CoverView className='map-view__pick-pin' ariaLabel='地图中心的图钉，拖动地图选择位置'>
          <CoverView className='map-view__pick-dot' />
        </CoverView>
      )}
    </View>
  );
}
