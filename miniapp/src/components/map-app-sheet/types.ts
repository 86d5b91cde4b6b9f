import type { MapPlace } from '../../utils/map-links';

export interface MapAppSheetProps {
  /** The place in GCJ-02, which all three apps draw in. */
  place: MapPlace;
  open: boolean;
  onClose: () => void;
}
