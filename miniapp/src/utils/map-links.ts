/**
 * Links that hand a place over to a map app from H5 (weapp uses Taro.openLocation instead). All three
 * apps draw China in GCJ-02, so the point must already be in it: the type only accepts 'gcj02'.
 * Each link opens the app when it is installed (the vendors' URI pages do that) and a web map otherwise.
 * Pure functions, no Taro: tests/unit/map-links.test.ts covers them.
 */

export interface MapPlace {
  lat: number;
  lng: number;
  coordSystem: 'gcj02';
  name: string;
  address: string;
}

export type MapAppKey = 'tencent' | 'amap' | 'baidu';

export interface MapAppLink {
  key: MapAppKey;
  /** What the action sheet offers. */
  label: string;
  url: string;
}

/** Who is calling, as each vendor asks ("referer", "src"). */
const APP_NAME = 'cityloop';

/** Six decimals are about 0.1 m: enough, and no float noise such as 24.858000000000001 in the link. */
function coord(n: number): string {
  return String(Number(n.toFixed(6)));
}

function assertPoint(place: MapPlace): void {
  if (place.coordSystem !== 'gcj02') throw new Error('map app links need a GCJ-02 point');
  if (!Number.isFinite(place.lat) || !Number.isFinite(place.lng)) throw new Error('map app links need a finite point');
}

/** 腾讯地图 标注点: `marker=coord:<lat>,<lng>;title:<name>;addr:<addr>`; the `;` and `:` inside values are encoded. */
export function tencentMarkerUrl(place: MapPlace): string {
  assertPoint(place);
  const marker = `coord:${coord(place.lat)},${coord(place.lng)};title:${encodeURIComponent(place.name)};addr:${encodeURIComponent(place.address)}`;
  return `https://apis.map.qq.com/uri/v1/marker?marker=${marker}&referer=${APP_NAME}`;
}

/** 高德地图 标注: longitude first; `coordinate=gaode` says GCJ-02, `callnative=1` tries the app before the web page. */
export function amapMarkerUrl(place: MapPlace): string {
  assertPoint(place);
  return `https://uri.amap.com/marker?position=${coord(place.lng)},${coord(place.lat)}&name=${encodeURIComponent(place.name)}&src=${APP_NAME}&coordinate=gaode&callnative=1`;
}

/** 百度地图 标注: Baidu draws in BD-09, so `coord_type=gcj02` tells it to convert our point. */
export function baiduMarkerUrl(place: MapPlace): string {
  assertPoint(place);
  return `https://api.map.baidu.com/marker?location=${coord(place.lat)},${coord(place.lng)}&title=${encodeURIComponent(place.name)}&content=${encodeURIComponent(place.address)}&coord_type=gcj02&output=html&src=webapp.${APP_NAME}.h5`;
}

/** The three choices in the order most residents have the apps. */
export function mapAppLinks(place: MapPlace): MapAppLink[] {
  return [
    { key: 'tencent', label: '腾讯地图', url: tencentMarkerUrl(place) },
    { key: 'amap', label: '高德地图', url: amapMarkerUrl(place) },
    { key: 'baidu', label: '百度地图', url: baiduMarkerUrl(place) },
  ];
}
