// Types for `import MapView from '../components/map-view'`. Taro resolves the import to
// index.h5.tsx or index.weapp.tsx per platform (its MultiPlatformPlugin), so weapp never bundles
// Leaflet; TypeScript reads this file. Both implementations are typed against ./types.
import type { CoordSystem } from '@cityloop/shared';
import type { MapViewProps } from './types';

export type { MapLatLng, MapMarker, MapMarkerKind, MapViewProps } from './types';

/** The system the map draws in: 'wgs84' on H5 (TianDiTu tiles), 'gcj02' on weapp (WeChat's map). */
export declare const MAP_COORD_SYSTEM: CoordSystem;

export default function MapView(props: MapViewProps): JSX.Element | null;
