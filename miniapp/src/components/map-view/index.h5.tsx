import { useEffect, useRef, useState } from 'react';
import type * as Leaflet from 'leaflet';
import type { CoordSystem, MapConfigDto } from '@cityloop/shared';
import { getMapConfig } from '../../services/map';
import type { MapLatLng, MapMarker, MapMarkerKind, MapViewProps } from './types';
import './index.h5.scss';

export type { MapLatLng, MapMarker, MapMarkerKind, MapViewProps } from './types';

/** TianDiTu's CGCS2000 agrees with WGS-84 to centimetres; the tile stand-in draws the same grid. */
export const MAP_COORD_SYSTEM: CoordSystem = 'wgs84';

type LeafletModule = typeof Leaflet;

let leafletPromise: Promise<LeafletModule> | null = null;
/** Leaflet (~40 KB gzip) and its CSS load with the first map, never with the first screen. */
function loadLeaflet(): Promise<LeafletModule> {
  leafletPromise ??= Promise.all([import(/* webpackChunkName: "leaflet" */ 'leaflet'), import(/* webpackChunkName: "leaflet" */ 'leaflet/dist/leaflet.css')]).then(
    ([mod]) => ((mod as unknown as { default?: LeafletModule }).default ?? mod) as LeafletModule,
    (err: unknown) => {
      leafletPromise = null;
      throw err;
    },
  );
  return leafletPromise;
}

/** The symbol inside each pin: stall states differ by it and by shape, not by colour alone. */
const GLYPHS: Record<MapMarkerKind, string> = { open: '✓', closed: '−', suspended: '✕', self: '', default: '' };

/** 44 CSS px: the tap target (WCAG 2.5.5, MIIT 适老化); the visible shape inside is smaller. */
const PIN_BOX = 44;

const DEFAULT_ZOOM = 14;
const DEFAULT_HEIGHT = 240;

type Status = 'loading' | 'ready' | 'unavailable';

function sameish(a: MapLatLng, b: MapLatLng): boolean {
  return Math.abs(a.lat - b.lat) < 1e-6 && Math.abs(a.lng - b.lng) < 1e-6;
}

function round6(p: MapLatLng): MapLatLng {
  return { lat: Number(p.lat.toFixed(6)), lng: Number(p.lng.toFixed(6)) };
}

function addTiles(L: LeafletModule, map: Leaflet.Map, config: MapConfigDto): void {
  const common = { maxZoom: config.maxZoom, subdomains: config.tileSubdomains || 'abc' };
  if (config.tileUrl) L.tileLayer(config.tileUrl, { ...common, attribution: config.tileAttribution }).addTo(map);
  // TianDiTu draws place names on a separate layer over the base map.
  if (config.labelUrl) L.tileLayer(config.labelUrl, common).addTo(map);
}

/**
 * The H5 map: Leaflet on the tile source from GET /api/v1/map/config, with pins for `markers`, large
 * Chinese-labelled zoom buttons and, in pickMode, a fixed pin over a draggable map.
 */
export default function MapView(props: MapViewProps) {
  const { center, markers, pickMode, height = DEFAULT_HEIGHT, zoom = DEFAULT_ZOOM, label = '地图', id } = props;
  const box = useRef<HTMLDivElement>(null);
  const leaflet = useRef<{ L: LeafletModule; map: Leaflet.Map; pins: Leaflet.LayerGroup } | null>(null);
  const [status, setStatus] = useState<Status>('loading');
  // Handlers change on every render of the parent; the map's listeners read the latest ones.
  const latest = useRef(props);
  latest.current = props;
  const lastEmitted = useRef<MapLatLng | null>(null);
  const lastFit = useRef('');
  const drawn = useRef<{ key: string; pins: Map<string, Leaflet.Marker> }>({ key: '', pins: new Map() });

  useEffect(() => {
    let cancelled = false;
    Promise.all([loadLeaflet(), getMapConfig()]).then(
      ([L, config]) => {
        if (cancelled || !box.current) return;
        if (!config) {
          setStatus('unavailable');
          latest.current.onUnavailable?.();
          return;
        }
        const start = latest.current.center;
        const map = L.map(box.current, {
          center: [start.lat, start.lng],
          zoom,
          maxZoom: config.maxZoom,
          minZoom: 3,
          zoomControl: false,
          attributionControl: true,
          // Leaflet's arrow-key panning focuses the map on every mousedown and restores only the
          // window's scroll, but Taro's H5 pages scroll in their own element: the page jumped under
          // the finger and a tap on a pin missed it. Pins and zoom buttons stay keyboard-reachable.
          keyboard: false,
        });
        map.attributionControl.setPrefix('Leaflet');
        L.control.zoom({ position: 'bottomright', zoomInTitle: '放大', zoomOutTitle: '缩小' }).addTo(map);
        addTiles(L, map, config);
        const pins = L.layerGroup().addTo(map);
        map.on('moveend', () => {
          if (!latest.current.pickMode) return;
          const c = round6(map.getCenter());
          if (lastEmitted.current && sameish(lastEmitted.current, c)) return;
          lastEmitted.current = c;
          latest.current.onCenterChange?.(c);
        });
        leaflet.current = { L, map, pins };
        setStatus('ready');
      },
      () => {
        if (cancelled) return;
        setStatus('unavailable');
        latest.current.onUnavailable?.();
      },
    );
    return () => {
      cancelled = true;
      leaflet.current?.map.remove();
      leaflet.current = null;
    };
    // The map is built once; later center/zoom/markers changes are applied by the effects below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  // A new centre from the parent (a preset city, relocation) moves the map; the same point does not.
  const { lat, lng } = center;
  useEffect(() => {
    const m = leaflet.current?.map;
    if (!m || status !== 'ready') return;
    if (sameish(round6(m.getCenter()), round6({ lat, lng }))) return;
    m.setView([lat, lng], m.getZoom(), { animate: false });
  }, [lat, lng, status]);

  // The container can change size (a list/map switch, rotation, browser zoom): re-measure.
  useEffect(() => {
    const m = leaflet.current?.map;
    if (!m || !box.current || typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(() => m.invalidateSize({ pan: false }));
    observer.observe(box.current);
    return () => observer.disconnect();
  }, [status]);

  useEffect(() => {
    const current = leaflet.current;
    if (!current || status !== 'ready') return;
    const { L, pins } = current;
    const list = markers ?? [];
    // Selection alone restyles the pins in place, so the pin a keyboard user pressed keeps focus.
    const shapeKey = list.map((m) => `${m.id}|${m.lat}|${m.lng}|${m.kind ?? ''}|${m.title}`).join(';');
    if (shapeKey === drawn.current.key) {
      list.forEach((m) => {
        const pin = drawn.current.pins.get(m.id);
        if (!pin) return;
        pin.getElement()?.classList.toggle('map-pin--selected', Boolean(m.selected));
        if (m.kind !== 'self') pin.setZIndexOffset(m.selected ? 1000 : 0);
      });
      return;
    }
    pins.clearLayers();
    drawn.current = { key: shapeKey, pins: new Map() };
    list.forEach((marker: MapMarker) => {
      const kind: MapMarkerKind = marker.kind ?? 'default';
      const interactive = kind !== 'self';
      const icon = L.divIcon({
        className: `map-pin map-pin--${kind}${marker.selected ? ' map-pin--selected' : ''}`,
        html: `<span class="map-pin__shape" aria-hidden="true"><span class="map-pin__glyph">${GLYPHS[kind]}</span></span>`,
        iconSize: [PIN_BOX, PIN_BOX],
        iconAnchor: [PIN_BOX / 2, PIN_BOX / 2],
      });
      const pin = L.marker([marker.lat, marker.lng], {
        icon,
        title: marker.title,
        interactive,
        keyboard: interactive,
        riseOnHover: true,
        zIndexOffset: kind === 'self' ? -1000 : marker.selected ? 1000 : 0,
      });
      if (interactive) {
        const tap = () => latest.current.onMarkerTap?.(marker.id);
        pin.on('click', tap);
        // Leaflet makes pins focusable buttons but only clicks open them; Enter and Space do here.
        pin.on('keypress', (e: Leaflet.LeafletKeyboardEvent) => {
          const key = e.originalEvent.key;
          if (key === 'Enter' || key === ' ') {
            e.originalEvent.preventDefault();
            tap();
          }
        });
      }
      pin.addTo(pins);
      drawn.current.pins.set(marker.id, pin);
      const el = pin.getElement();
      if (el) {
        el.setAttribute('aria-label', marker.title);
        el.setAttribute('data-marker-id', marker.id);
        if (!interactive) el.setAttribute('aria-hidden', 'true');
      }
    });
    const points = list.map((m) => [m.lat, m.lng] as [number, number]);
    // Only a new set of points refits: selecting a pin must not move the map under the finger.
    const fitKey = points.join(';');
    if (latest.current.fitMarkers && points.length > 1 && fitKey !== lastFit.current) {
      lastFit.current = fitKey;
      current.map.fitBounds(L.latLngBounds(points), { padding: [PIN_BOX / 2, PIN_BOX / 2], maxZoom: zoom, animate: false });
    }
  }, [markers, status, zoom]);

  return (
    <div className='map-view' id={id} style={{ height: `${height}px` }}>
      <div ref={box} className='map-view__canvas' role='region' aria-label={label} />
      {status === 'ready' && pickMode && (
        <>
          <span className='map-view__pick-pin' aria-hidden='true' />
          <span className='map-view__pick-hint'>拖动地图，让图钉对准位置</span>
        </>
      )}
      {status === 'loading' && <span className='map-view__note'>地图加载中…</span>}
      {status === 'unavailable' && <span className='map-view__note'>暂时无法显示地图</span>}
    </div>
  );
}
