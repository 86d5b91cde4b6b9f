import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { distanceMeters, mayBeInChina, type LatLng } from '@cityloop/shared';
import { tencentSignature } from '../ports/geocoding/tencent-signature';
import { delayedReplies } from './delayed-replies';

/**
 * A local stand-in for Tencent Location Service's reverse geocoder (development and tests have no
 * internet), speaking its protocol over HTTP: `GET /ws/geocoder/v1/?location=lat,lng&key=…[&sig=…]`
 * answers `{ status, message, request_id, result }` with the same status codes (301 no key, 311 key
 * malformed, 190 unknown key, 111 bad signature, 306/310/365/366 bad location). Addresses come from a
 * small table of places in Kunming's Chenggong district (GCJ-02, placed by hand from street names:
 * plausible, not surveyed), the nearest within 2 km; elsewhere in Chenggong a district-level answer,
 * and anywhere else in China a generic 某某区 one. Never in production (main.ts refuses).
 */
export type GeocoderFailure = 'none' | 'http500' | 'not-json' | 'per-second-limit' | 'daily-quota' | 'no-result' | 'abroad';

export interface GeocoderFakeServer {
  url: string;
  /** Requests answered on the geocoder path (successful or not). */
  readonly calls: number;
  setFailure(mode: GeocoderFailure): void;
  setDelay(ms: number): void;
  close(): Promise<void>;
}

/** Tencent keys are six groups of five characters, e.g. OB4BZ-D4W3U-B7VVO-4PJWW-6TKDJ-WPB77. */
export const TENCENT_KEY_PATTERN = /^[A-Z0-9]{5}(-[A-Z0-9]{5}){5}$/;

interface Place {
  at: LatLng;
  road: string;
  number: string;
  town: string;
  landmark: string;
}

const CHENGGONG: LatLng = { lat: 24.8801, lng: 102.8277 };
const PLACES: Place[] = [
  { at: { lat: 24.858, lng: 102.849 }, road: '彩云中路', number: '1号', town: '吴家营街道', landmark: '呈贡区政务服务中心' },
  { at: { lat: 24.8428, lng: 102.8586 }, road: '联大街', number: '768号', town: '吴家营街道', landmark: '云南师范大学呈贡校区' },
  { at: { lat: 24.8344, lng: 102.8608 }, road: '景明南路', number: '2号', town: '吴家营街道', landmark: '云南大学呈贡校区东门' },
  { at: { lat: 24.8521, lng: 102.8474 }, road: '雨花路', number: '36号', town: '雨花街道', landmark: '新天地雨花毓秀' },
  { at: { lat: 24.8627, lng: 102.8677 }, road: '仕林街', number: '100号', town: '吴家营街道', landmark: '大学城仕林苑' },
  { at: { lat: 24.8229, lng: 102.8527 }, road: '欣惠路', number: '8号', town: '雨花街道', landmark: '大学城南地铁站' },
  { at: { lat: 24.8759, lng: 102.8569 }, road: '月华街', number: '59号', town: '龙城街道', landmark: '呈贡区人民医院' },
  { at: { lat: 24.863, lng: 102.8426 }, road: '春融街', number: '18号', town: '雨花街道', landmark: '翰林大观' },
  { at: { lat: 24.8938, lng: 102.8378 }, road: '古城路', number: '12号', town: '龙城街道', landmark: '古城社区' },
  { at: { lat: 24.9021, lng: 102.793 }, road: '斗南路', number: '88号', town: '斗南街道', landmark: '斗南花卉市场' },
];

const MESSAGES: Record<number, string> = {
  111: '签名验证失败',
  120: '此key每秒请求量已达到上限',
  121: '此key每日调用量已达到上限',
  190: '无效的KEY',
  301: '缺少必要字段key',
  306: '缺少参数',
  310: '请求参数信息有误',
  311: 'key格式错误',
  347: '查询无结果',
  365: '纬度不能超过±90',
  366: '经度不能超过±180',
};

const ref = (title: string, at: LatLng, from: LatLng) => ({ title, location: at, _distance: Math.round(distanceMeters(at, from) * 10) / 10, _dir_desc: '' });

function answerFor(here: LatLng, abroad: boolean) {
  if (abroad || !mayBeInChina(here)) {
    return {
      location: here,
      address: '',
      formatted_addresses: {},
      address_component: { nation: '蒙古', province: '', city: '', district: '', street: '', street_number: '' },
      ad_info: { nation_code: '496', nation: '蒙古', adcode: '', name: '蒙古' },
      address_reference: {},
    };
  }
  const nearest = PLACES.map((p) => ({ p, d: distanceMeters(p.at, here) })).sort((a, b) => a.d - b.d)[0];
  const inChenggong = distanceMeters(CHENGGONG, here) <= 20_000;
  const [province, city, district] = inChenggong ? ['云南省', '昆明市', '呈贡区'] : ['某某省', '某某市', '某某区'];
  const ad_info = { nation_code: '156', adcode: inChenggong ? '530114' : '000000', name: `中国,${province},${city},${district}`, nation: '中国', province, city, district, location: here };
  if (inChenggong && nearest.d <= 2000) {
    const { p } = nearest;
    return {
      location: here,
      address: `${province}${city}${district}${p.road}${p.number}`,
      formatted_addresses: { recommend: `${p.landmark}附近(${p.road})`, rough: `${p.landmark}附近` },
      address_component: { nation: '中国', province, city, district, street: p.road, street_number: `${p.road}${p.number}` },
      ad_info,
      address_reference: { town: ref(p.town, p.at, here), street: ref(p.road, p.at, here), landmark_l2: ref(p.landmark, p.at, here) },
    };
  }
  const town = inChenggong ? nearest.p.town : '某某街道';
  return {
    location: here,
    address: `${province}${city}${district}`,
    formatted_addresses: { recommend: `${district}${town}`, rough: district },
    address_component: { nation: '中国', province, city, district, street: '', street_number: '' },
    ad_info,
    address_reference: { town: ref(town, here, here) },
  };
}

export async function startGeocoderFakeServer(options: { key: string; secretKey?: string; port?: number }): Promise<GeocoderFakeServer> {
  let failure: GeocoderFailure = 'none';
  let delayMs = 0;
  let calls = 0;
  let requestSeq = 0;
  const replies = delayedReplies();

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    // Tencent accepts the path with or without its trailing slash; the signature covers the one sent.
    if (req.method !== 'GET' || (url.pathname !== '/ws/geocoder/v1/' && url.pathname !== '/ws/geocoder/v1')) return json(res, 404, { status: 404, message: 'not found' });
    const reply = () => {
      calls += 1;
      const status = (code: number) => json(res, 200, { status: code, message: MESSAGES[code] ?? 'error', request_id: `dev-${(requestSeq += 1)}` });
      if (failure === 'http500') return json(res, 500, { status: 500, message: 'internal error' });
      if (failure === 'not-json') {
        res.writeHead(200, { 'content-type': 'text/html' });
        return res.end('<html>gateway</html>');
      }
      const q = Object.fromEntries(url.searchParams);
      if (!q.key) return status(301);
      if (!TENCENT_KEY_PATTERN.test(q.key)) return status(311);
      if (q.key !== options.key) return status(190);
      if (options.secretKey && q.sig !== tencentSignature(url.pathname, q, options.secretKey)) return status(111);
      if (failure === 'per-second-limit') return status(120);
      if (failure === 'daily-quota') return status(121);
      if (!q.location) return status(306);
      const m = /^(-?\d{1,3}(?:\.\d+)?),(-?\d{1,3}(?:\.\d+)?)$/.exec(q.location);
      if (!m) return status(310);
      const here = { lat: Number(m[1]), lng: Number(m[2]) };
      if (Math.abs(here.lat) > 90) return status(365);
      if (Math.abs(here.lng) > 180) return status(366);
      if (failure === 'no-result') return status(347);
      return json(res, 200, { status: 0, message: 'query ok', request_id: `dev-${(requestSeq += 1)}`, result: answerFor(here, failure === 'abroad') });
    };
    replies.run(delayMs, reply);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get calls() {
      return calls;
    },
    setFailure: (mode) => (failure = mode),
    setDelay: (ms) => (delayMs = ms),
    close: () =>
      new Promise<void>((resolve) => {
        replies.cancelAll();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function json(res: http.ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}
