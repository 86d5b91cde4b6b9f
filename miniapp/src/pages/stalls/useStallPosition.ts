import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import Taro from '@tarojs/taro';
import { chooseOnMap, locateCurrent, presetsNearestFirst, type ChosenPosition } from '../../utils/location';
import type { LocateState } from './components/WhereCard';

/** Where the stall search is from: GPS on open, a city preset or a map pick, the newest choice winning. */
export function useStallPosition() {
  const [locate, setLocate] = useState<LocateState>('locating');
  const [position, setPosition] = useState<ChosenPosition | null>(null);
  const locateSeq = useRef(0);

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

  // The nearest preset first once the device (or a map pick) has said roughly where we are; choosing
  // a preset afterwards does not reorder them under the finger.
  const [rough, setRough] = useState<ChosenPosition | null>(null);
  useEffect(() => {
    if (position && position.source !== 'city') setRough(position);
  }, [position]);
  const presets = useMemo(() => presetsNearestFirst(rough), [rough]);

  return { locate, position, presets, startLocate, choosePosition, pickOnMap };
}
