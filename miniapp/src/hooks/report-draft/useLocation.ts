import { useCallback } from 'react';
import { locateCurrent, pickPlace, positionIn, sameSpot, type ChosenPosition } from '../../utils/location';
import { MAP_COORD_SYSTEM } from '../../components/map-view';
import { reverseGeocode } from '../../services/map';
import { useSettledLoad } from '../useSettledLoad';
import { isEditable } from './reducer';
import type { DraftStore } from './store';
import { toast } from './usePhotos';

/** Where the problem is: GPS, a city, WeChat's picker or the pin on the map, and the address under it. */
export function useLocation(store: DraftStore, location: ChosenPosition | null) {
  /** `suggested` (from the map) fills the address unless the resident has typed their own. */
  const setLocation = useCallback((chosen: ChosenPosition, suggested?: string) => store.dispatch({ type: 'locationChosen', location: chosen, suggested }), [store]);

  /** The pin was moved on the map (H5 Leaflet, weapp <map>): a point in the map's coordinates. */
  const movePin = useCallback(
    (point: { lat: number; lng: number }) => {
      const current = store.get().draft.location;
      const next = { lat: point.lat, lng: point.lng, coordSystem: MAP_COORD_SYSTEM };
      if (current && sameSpot(positionIn(current, MAP_COORD_SYSTEM), next)) return; // the map recentring itself
      setLocation({ ...next, source: 'picked', label: '地图选点' });
    },
    [store, setLocation],
  );

  const startLocate = useCallback(
    (asked: boolean) => {
      const before = store.get();
      const seq = store.dispatch({ type: 'locateStarted' }).locateSeq;
      if (seq === before.locateSeq) return; // not editable now
      locateCurrent().then(
        (pos) => {
          const after = store.dispatch({ type: 'located', seq, location: pos });
          if (asked && after.draft.location === pos) toast('已定位到当前位置');
        },
        () => {
          if (seq !== store.get().locateSeq) return;
          store.dispatch({ type: 'locateFailed', seq });
          if (asked) toast('无法获取当前位置，请检查定位权限');
        },
      );
    },
    [store],
  );

  /** weapp: WeChat's map picker, which also names the place. */
  const adjustOnMap = useCallback(() => {
    if (!isEditable(store.get())) return;
    pickPlace(store.get().draft.location).then(
      ({ position, address }) => setLocation(position, address),
      () => undefined, // cancelled, or chooseLocation not authorised
    );
  }, [store, setLocation]);

  // The address under the pin, once per point: it is what the resident sees after 位置, and it makes
  // the typed 详细地址 optional.
  const point = location ? `${location.lat},${location.lng},${location.coordSystem}` : 'none';
  useSettledLoad(
    `${point}|${location?.address ? 'known' : ''}`,
    location && !location.address ? () => reverseGeocode(location) : null,
    {
      idle: () => store.dispatch({ type: 'addressLookup', state: 'idle' }),
      start: () => store.dispatch({ type: 'addressLookup', state: 'looking' }),
      done: (found) => {
        if (location) store.dispatch({ type: 'addressFound', at: location, address: found.address, street: found.street });
      },
      failed: () => store.dispatch({ type: 'addressLookup', state: 'failed' }),
    },
    300,
  );

  return { setLocation, movePin, startLocate, adjustOnMap };
}
