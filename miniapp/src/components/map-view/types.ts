import type { CoordSystem } from '@cityloop/shared';

export interface MapLatLng {
  lat: number;
  lng: number;
}

/**
 * How a pin looks. Stall states differ by shape and symbol as well as colour (open ✓ in a circle,
 * closed − in a square, suspended ✕ in a diamond), so they can be told apart without colour.
 * `self` is the chosen or current position; `default` any other point (e.g. a report).
 */
export type MapMarkerKind = 'open' | 'closed' | 'suspended' | 'self' | 'default';

export interface MapMarker {
  id: string;
  lat: number;
  lng: number;
  /** Read by screen readers and shown as the tooltip, e.g. "呈贡万达夜市，营业中". */
  title: string;
  kind?: MapMarkerKind;
  /** Drawn larger and on top, e.g. the pin whose card is open. */
  selected?: boolean;
}

export interface MapViewProps {
  /** In MAP_COORD_SYSTEM. Moving it recentres the map; in pickMode the map starts there. */
  center: MapLatLng;
  /** In MAP_COORD_SYSTEM: ask the BFF for points with coordSystem=MAP_COORD_SYSTEM. */
  markers?: MapMarker[];
  onMarkerTap?: (id: string) => void;
  /** A fixed pin in the middle; the user drags the map under it. */
  pickMode?: boolean;
  /** pickMode: the point under the pin after each move (drag or zoom) ends, in MAP_COORD_SYSTEM. */
  onCenterChange?: (center: MapLatLng) => void;
  /** CSS px; 240 by default. */
  height?: number;
  /** 0–18ish; 14 by default (a few streets). */
  zoom?: number;
  /** Zoom out (never in beyond `zoom`) so every marker shows whenever the set of points changes. */
  fitMarkers?: boolean;
  /** Names the map for screen readers, e.g. "附近摊点地图". */
  label?: string;
  id?: string;
  /** H5 only: called once when no map can be shown (no tile source or Leaflet failed to load), so the page can say so. */
  onUnavailable?: () => void;
}

export type { CoordSystem };
