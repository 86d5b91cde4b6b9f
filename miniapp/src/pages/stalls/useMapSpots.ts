import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { STALL_LIMITS, type StallSpotDto } from '@cityloop/shared';
import { toApiError } from '../../services/request';
import { listStallSpots } from '../../services/stalls';
import { stallMarkerKind } from '../../utils/stalls';
import type { ChosenPosition } from '../../utils/location';
import type { MapMarker } from '../../components/map-view';
import type { StallFilterValues } from './components/StallFilters';

/** The map's own read: every pin at once (one page of the largest size), in the map's coordinate system. */
export type MapSpotsState = { status: 'idle' } | { status: 'loading' } | { status: 'error'; message: string } | { status: 'ready'; items: StallSpotDto[]; from: ChosenPosition };

export function useMapSpots(active: boolean, mapFrom: ChosenPosition | null, filters: StallFilterValues, radiusMeters: number) {
  const [mapSpots, setMapSpots] = useState<MapSpotsState>({ status: 'idle' });
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const mapSeq = useRef(0);
  const { openNow, goods, kinds } = filters;

  const loadMapSpots = useCallback(() => {
    if (!active || !mapFrom) return;
    const seq = ++mapSeq.current;
    setMapSpots({ status: 'loading' });
    listStallSpots({ position: mapFrom, radiusMeters, openNow, goods, kinds, limit: STALL_LIMITS.maxPageSize }).then(
      (res) => {
        if (seq === mapSeq.current) setMapSpots({ status: 'ready', items: res.items, from: mapFrom });
      },
      (err: unknown) => {
        if (seq === mapSeq.current) setMapSpots({ status: 'error', message: toApiError(err).message });
      },
    );
  }, [active, mapFrom, radiusMeters, openNow, goods, kinds]);

  useEffect(() => {
    loadMapSpots();
  }, [loadMapSpots]);

  // A pin from an older answer must not stay selected.
  useEffect(() => {
    setSelectedId(null);
  }, [mapFrom, openNow, goods, kinds]);

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

  const selected = mapSpots.status === 'ready' && selectedId ? (mapSpots.items.find((s) => s.id === selectedId) ?? null) : null;

  /** Keeps 已关注 in step with the detail page. */
  const setFollowed = useCallback((id: string, followed: boolean) => {
    setMapSpots((prev) => (prev.status === 'ready' ? { ...prev, items: prev.items.map((s) => (s.id === id ? { ...s, followed } : s)) } : prev));
  }, []);

  return { mapSpots, markers, selected, setSelectedId, loadMapSpots, setFollowed };
}
