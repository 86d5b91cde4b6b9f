import { amapMarkerUrl, baiduMarkerUrl, mapAppLinks, tencentMarkerUrl, type MapPlace } from '../../miniapp/src/utils/map-links';
import { CITY_PRESETS, presetIn, presetsNearestFirst } from '../../miniapp/src/utils/city-presets';
import { distanceMeters } from '@cityloop/shared';
import { toWgs84 } from '../../bff/src/geo/coords';

const place: MapPlace = { lat: 24.8873, lng: 102.8285, coordSystem: 'gcj02', name: '呈贡万达夜市', address: '呈贡区; 彩云北路:1号 & 2号' };

function query(url: string): URLSearchParams {
  return new URL(url).searchParams;
}

describe('map app links (导航 in H5)', () => {
  test('Tencent: marker=coord:lat,lng;title;addr with the delimiters in values encoded, and a referer', () => {
    const url = tencentMarkerUrl(place);
    expect(url.startsWith('https://apis.map.qq.com/uri/v1/marker?marker=coord:24.8873,102.8285;title:')).toBe(true);
    // Exactly three fields in the raw link: the ";" and ":" inside the address stay encoded.
    const rawMarker = url.slice(url.indexOf('marker=') + 7, url.indexOf('&referer='));
    expect(rawMarker.split(';')).toEqual(['coord:24.8873,102.8285', `title:${encodeURIComponent(place.name)}`, `addr:${encodeURIComponent(place.address)}`]);
    expect(query(url).get('referer')).toBe('cityloop');
  });

  test('AMap: longitude first, GCJ-02 named as gaode, and callnative', () => {
    const q = query(amapMarkerUrl(place));
    expect(amapMarkerUrl(place).startsWith('https://uri.amap.com/marker?')).toBe(true);
    expect(q.get('position')).toBe('102.8285,24.8873');
    expect(q.get('name')).toBe('呈贡万达夜市');
    expect(q.get('coordinate')).toBe('gaode');
    expect(q.get('callnative')).toBe('1');
  });

  test('Baidu: latitude first with coord_type=gcj02 (Baidu converts to its BD-09), title, content and src', () => {
    const url = baiduMarkerUrl(place);
    const q = query(url);
    expect(url.startsWith('https://api.map.baidu.com/marker?')).toBe(true);
    expect(q.get('location')).toBe('24.8873,102.8285');
    expect(q.get('title')).toBe('呈贡万达夜市');
    expect(q.get('content')).toBe(place.address);
    expect(q.get('coord_type')).toBe('gcj02');
    expect(q.get('output')).toBe('html');
    expect(q.get('src')).toBe('webapp.cityloop.h5');
  });

  test('the address cannot add or override parameters', () => {
    const sneaky = { ...place, name: 'a&coordinate=wgs84', address: 'b&coord_type=bd09ll' };
    expect(query(amapMarkerUrl(sneaky)).getAll('coordinate')).toEqual(['gaode']);
    expect(query(baiduMarkerUrl(sneaky)).getAll('coord_type')).toEqual(['gcj02']);
    expect(query(baiduMarkerUrl(sneaky)).get('title')).toBe('a&coordinate=wgs84');
  });

  test('coordinates are written without float noise', () => {
    const q = query(amapMarkerUrl({ ...place, lat: 0.1 + 0.2, lng: 102.123456789 }));
    expect(q.get('position')).toBe('102.123457,0.3');
  });

  test('the three choices, in order, and a non-GCJ-02 or non-finite point is refused', () => {
    expect(mapAppLinks(place).map((l) => [l.key, l.label])).toEqual([
      ['tencent', '腾讯地图'],
      ['amap', '高德地图'],
      ['baidu', '百度地图'],
    ]);
    expect(() => mapAppLinks({ ...place, coordSystem: 'wgs84' as 'gcj02' })).toThrow('GCJ-02');
    expect(() => tencentMarkerUrl({ ...place, lat: Number.NaN })).toThrow('finite');
  });
});

describe('city presets', () => {
  const [kunming, hohhot] = CITY_PRESETS;

  test('the nearest first once a rough position is known; the given order without one', () => {
    expect(presetsNearestFirst(null).map((c) => c.key)).toEqual([kunming.key, hohhot.key]);
    // A resident in Hohhot's Xincheng district.
    expect(presetsNearestFirst({ lat: 40.84, lng: 111.73 }).map((c) => c.key)).toEqual([hohhot.key, kunming.key]);
    // Kunming's Guandu district, in WGS-84: the few hundred metres from GCJ-02 change nothing.
    expect(presetsNearestFirst({ lat: 24.97, lng: 102.74 }).map((c) => c.key)).toEqual([kunming.key, hohhot.key]);
  });

  test("each preset's WGS-84 point is what the BFF converts its GCJ-02 point to", () => {
    for (const c of CITY_PRESETS) {
      expect(distanceMeters(toWgs84({ lat: c.lat, lng: c.lng }, 'gcj02'), c.wgs84)).toBeLessThan(2);
      // China's offset is a few hundred metres: enough to put a pin on the wrong street.
      expect(distanceMeters(c, c.wgs84)).toBeGreaterThan(100);
    }
    expect(presetIn(kunming.key, 'gcj02')).toEqual({ lat: kunming.lat, lng: kunming.lng });
    expect(presetIn(kunming.key, 'wgs84')).toEqual(kunming.wgs84);
    expect(presetIn('nowhere', 'wgs84')).toBeNull();
  });
});
