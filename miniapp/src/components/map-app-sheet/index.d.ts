// Resolved per platform by Taro: index.h5.tsx (links to the map apps) or index.weapp.tsx (nothing:
// weapp hands over with Taro.openLocation). TypeScript reads this file.
import type { MapAppSheetProps } from './types';

export type { MapAppSheetProps } from './types';

export default function MapAppSheet(props: MapAppSheetProps): JSX.Element | null;
