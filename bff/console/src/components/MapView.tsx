import L from 'leaflet';
import 'leaflet/dist/leaflet.css';
import 'leaflet.markercluster';
import 'leaflet.markercluster/dist/MarkerCluster.css';
import 'leaflet.markercluster/dist/MarkerCluster.Default.css';
import { useEffect, useRef } from 'react';

export interface MapPoint {
  id: string;
  lat: number;
  lng: number;
  label: string;
  color?: string;
}

interface TileConfig {
  tileUrl: string | null;
  tileAttribution: string;
  tileSubdomains: string;
}

let configPromise: Promise<TileConfig> | null = null;
/** The tile source the BFF was configured with (CONSOLE_TILE_URL), read once from /console/config.json. */
function tileConfig(): Promise<TileConfig> {
  configPromise ??= fetch('/console/config.json')
    .then((r) => r.json() as Promise<TileConfig>)
    .catch(() => ({ tileUrl: null, tileAttribution: '', tileSubdomains: '' }));
  return configPromise;
}

/**
 * A Leaflet map on the configured tiles, with clustered circle markers. Coordinates are WGS-84
 * (TianDiTu's CGCS2000 agrees with it to centimetres). `onPick` makes a click choose a point.
 */
export function MapView(props: {
  points: MapPoint[];
  onSelect?: (id: string) => void;
  onPick?: (lat: number, lng: number) => void;
  picked?: { lat: number; lng: number } | null;
  height?: number;
  id?: string;
  center?: { lat: number; lng: number; zoom: number };
}) {
  const box = useRef<HTMLDivElement>(null);
  const map = useRef<L.Map | null>(null);
  const cluster = useRef<L.MarkerClusterGroup | null>(null);
  const pickMarker = useRef<L.CircleMarker | null>(null);
  const handlers = useRef(props);
  handlers.current = props;

  useEffect(() => {
    if (!box.current) return;
    const start = handlers.current.center;
    const m = L.map(box.current, { center: start ? [start.lat, start.lng] : [30.0, 110.0], zoom: start?.zoom ?? 4, minZoom: 3, maxZoom: 18, attributionControl: true });
    map.current = m;
    m.attributionControl.setPrefix('Leaflet');
    cluster.current = L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 50 });
    m.addLayer(cluster.current);
    m.on('click', (e: L.LeafletMouseEvent) => handlers.current.onPick?.(Number(e.latlng.lat.toFixed(6)), Number(e.latlng.lng.toFixed(6))));
    let cancelled = false;
    void tileConfig().then((c) => {
      if (cancelled || !c.tileUrl) return;
      L.tileLayer(c.tileUrl, { maxZoom: 18, attribution: c.tileAttribution, subdomains: c.tileSubdomains || 'abc' }).addTo(m);
    });
    return () => {
      cancelled = true;
      m.remove();
      map.current = null;
    };
  }, []);

  useEffect(() => {
    const group = cluster.current;
    const m = map.current;
    if (!group || !m) return;
    group.clearLayers();
    const markers = props.points.map((p) =>
      L.circleMarker([p.lat, p.lng], { radius: 7, color: '#fff', weight: 2, fillColor: p.color ?? '#1d5fbf', fillOpacity: 0.9 })
        .bindTooltip(p.label)
        .on('click', () => handlers.current.onSelect?.(p.id)),
    );
    group.addLayers(markers);
    if (markers.length && !handlers.current.center) m.fitBounds(L.latLngBounds(props.points.map((p) => [p.lat, p.lng] as [number, number])).pad(0.2), { maxZoom: 15 });
  }, [props.points]);

  useEffect(() => {
    const m = map.current;
    if (!m) return;
    pickMarker.current?.remove();
    pickMarker.current = props.picked ? L.circleMarker([props.picked.lat, props.picked.lng], { radius: 9, color: '#cf1322', weight: 3, fillOpacity: 0.3 }).addTo(m) : null;
  }, [props.picked]);

  return <div ref={box} id={props.id} className='map-box' style={props.height ? { height: props.height } : undefined} />;
}

export default MapView;
