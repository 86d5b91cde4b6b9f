import type { MapAppSheetProps } from './types';

/** weapp opens WeChat's own map with Taro.openLocation, so there is no sheet to show. */
export default function MapAppSheet(_props: MapAppSheetProps) {
  return null;
}
