import { lazy } from 'react';

/** Leaflet loads only when a page shows a map, so the console's first screen stays light. */
export const MapView = lazy(() => import('./MapView'));
