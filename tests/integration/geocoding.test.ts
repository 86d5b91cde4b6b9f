import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startGeocoderFakeServer, type GeocoderFakeServer } from '../../bff/src/dev/geocoder-fake-server';
import { fromWgs84, toWgs84 } from '../../bff/src/geo/coords';
import { AppError } from '../../bff/src/http/errors';
import { CachedGeocoder } from '../../bff/src/ports/geocoding/cached-geocoder';
import { TencentGeocoder, type TencentGeocoderOptions } from '../../bff/src/ports/geocoding/tencent-geocoder';
import { api, loginResident, startTestApp, TEST_TENCENT_MAP_KEY, TEST_TENCENT_MAP_SK, uniqueName, type TestApp } from '../support/test-app';

const KEY = 'OB4BZ-D4W3U-B7VVO-4PJWW-6TKDJ-WPB77';
const SK = 'SWvT26ypwq5Nwb5RvS8cLi6NSoH8HlJX';
/** 云南师范大学呈贡校区, in GCJ-02 as WeChat's map gives it. */
const NORMAL_UNIVERSITY = { lat: 24.8428, lng: 102.8586 };

/** The code an adapter call fails with, or 'ok'. */
const outcome = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (err: unknown) => (err instanceof AppError ? err.code : `unexpected: ${String(err)}`),
  );

describe('Tencent reverse geocoding: the real adapter against the stand-in, over HTTP', () => {
  let fake: GeocoderFakeServer;
  const upstream: Parameters<NonNullable<TencentGeocoderOptions['onUpstreamError']>>[0][] = [];
  const adapter = (over: Partial<TencentGeocoderOptions> = {}) =>
    new TencentGeocoder({ baseUrl: fake.url, key: KEY, secretKey: SK, timeoutMs: 1000, onUpstreamError: (info) => upstream.push(info), ...over });

  beforeAll(async () => {
    fake = await startGeocoderFakeServer({ key: KEY, secretKey: SK });
  });
  afterAll(() => fake.close());
  afterEach(() => {
    fake.setFailure('none');
    fake.setDelay(0);
    upstream.length = 0;
  });

  it('answers a signed GCJ-02 request with the address, district, street (街道) and landmark', async () => {
    const answer = await adapter().reverse(NORMAL_UNIVERSITY, 'gcj02');
    expect(answer).toEqual({
      address: '云南省昆明市呈贡区云南师范大学呈贡校区附近(联大街)',
      province: '云南省',
      city: '昆明市',
      district: '呈贡区',
      street: '吴家营街道',
      landmark: '云南师范大学呈贡校区',
    });
  });

  it('converts WGS-84 to GCJ-02 first (the ~500 m shift in Kunming would name another place)', async () => {
    const wgs = toWgs84(NORMAL_UNIVERSITY, 'gcj02');
    expect(Math.abs(wgs.lng - NORMAL_UNIVERSITY.lng) + Math.abs(wgs.lat - NORMAL_UNIVERSITY.lat)).toBeGreaterThan(0.002);
    expect((await adapter().reverse(wgs, 'wgs84')).landmark).toBe('云南师范大学呈贡校区');
    // Elsewhere in China the stand-in gives a generic district answer.
    expect(await adapter().reverse({ lat: 31.23, lng: 121.47 }, 'wgs84')).toMatchObject({ address: '某某省某某市某某区某某街道', district: '某某区', street: '某某街道', landmark: '' });
  });

  it('is refused without the right SecretKey or key, and says so to the operator, not the resident', async () => {
    expect(await outcome(adapter({ secretKey: 'WrongSecretKey0000000000' }).reverse(NORMAL_UNIVERSITY, 'gcj02'))).toBe('GEOCODER_UNAVAILABLE');
    expect(await outcome(adapter({ secretKey: undefined }).reverse(NORMAL_UNIVERSITY, 'gcj02'))).toBe('GEOCODER_UNAVAILABLE');
    expect(await outcome(adapter({ key: 'AAAAA-BBBBB-CCCCC-DDDDD-EEEEE-FFFFF' }).reverse(NORMAL_UNIVERSITY, 'gcj02'))).toBe('GEOCODER_UNAVAILABLE');
    expect(await outcome(adapter({ key: 'not-a-key' }).reverse(NORMAL_UNIVERSITY, 'gcj02'))).toBe('GEOCODER_UNAVAILABLE');
    expect(upstream.map((u) => u.status)).toEqual([111, 111, 190, 311]);
    expect(JSON.stringify(upstream)).not.toContain(KEY);
  });

  it('maps quotas, outages, non-JSON, no result and abroad to their codes', async () => {
    const cases: [Parameters<GeocoderFakeServer['setFailure']>[0], string][] = [
      ['per-second-limit', 'GEOCODER_UNAVAILABLE'],
      ['daily-quota', 'GEOCODER_UNAVAILABLE'],
      ['http500', 'GEOCODER_UNAVAILABLE'],
      ['not-json', 'GEOCODER_UNAVAILABLE'],
      ['no-result', 'GEO_ADDRESS_NOT_FOUND'],
      ['abroad', 'GEO_POINT_OUTSIDE_CHINA'],
    ];
    for (const [mode, code] of cases) {
      fake.setFailure(mode);
      expect([mode, await outcome(adapter().reverse(NORMAL_UNIVERSITY, 'gcj02'))]).toEqual([mode, code]);
    }
    expect(upstream.map((u) => u.reason)).toEqual(['per-second limit', 'daily quota reached', 'http error', 'response is not JSON']);
    // A per-second limit is worth a retry a second later: the 503 says so.
    fake.setFailure('per-second-limit');
    const err = await adapter()
      .reverse(NORMAL_UNIVERSITY, 'gcj02')
      .catch((e: AppError) => e);
    expect((err as AppError).details).toEqual({ retryAfterSeconds: 1 });
  });

  it('gives up after its timeout', async () => {
    fake.setDelay(400);
    const started = performance.now();
    expect(await outcome(adapter({ timeoutMs: 100 }).reverse(NORMAL_UNIVERSITY, 'gcj02'))).toBe('GEOCODER_UNAVAILABLE');
    expect(performance.now() - started).toBeLessThan(390);
    expect(upstream[0].reason).toBe('timed out after 100 ms');
  });

  it('the stand-in speaks the protocol: 301 without a key, 310 / 365 for a bad location, both paths', async () => {
    const ask = async (query: string, p = '/ws/geocoder/v1/') => (await (await fetch(`${fake.url}${p}?${query}`)).json()) as { status: number; message: string };
    expect((await ask('location=24.8,102.8')).status).toBe(301);
    // Without a secret key configured the stand-in checks the key only.
    const open = await startGeocoderFakeServer({ key: KEY });
    try {
      const at = async (query: string, p = '/ws/geocoder/v1/') => (await (await fetch(`${open.url}${p}?${query}`)).json()) as { status: number; result?: { address: string } };
      expect((await at(`key=${KEY}&location=abc`)).status).toBe(310);
      expect((await at(`key=${KEY}&location=95,102`)).status).toBe(365);
      expect((await at(`key=${KEY}`)).status).toBe(306);
      expect((await at(`key=${KEY}&location=24.8428,102.8586`, '/ws/geocoder/v1')).result?.address).toContain('联大街');
    } finally {
      await open.close();
    }
  });

  describe('the cache in front of it', () => {
    let clock = 0;
    const cached = (maxEntries = 100) => new CachedGeocoder(adapter(), { maxEntries, ttlMs: 60_000, now: () => clock });

    it('answers the same ~1 m spot from memory, in either coordinate system, and shares a call in flight', async () => {
      const geo = cached();
      const before = fake.calls;
      await geo.reverse(NORMAL_UNIVERSITY, 'gcj02');
      await geo.reverse({ lat: NORMAL_UNIVERSITY.lat + 0.000002, lng: NORMAL_UNIVERSITY.lng - 0.000002 }, 'gcj02');
      await geo.reverse(toWgs84(NORMAL_UNIVERSITY, 'gcj02'), 'wgs84');
      expect(fake.calls - before).toBe(1);
      await Promise.all(Array.from({ length: 5 }, () => geo.reverse({ lat: 24.8521, lng: 102.8474 }, 'gcj02')));
      expect(fake.calls - before).toBe(2);
      // The four that joined the call in flight count as misses too; only one reached the service.
      expect(geo.stats).toEqual({ entries: 2, hits: 2, misses: 6 });
    });

    it('is bounded (least recently used goes first) and forgets after its TTL', async () => {
      const geo = cached(2);
      const a = { lat: 24.81, lng: 102.81 };
      const b = { lat: 24.82, lng: 102.82 };
      const c = { lat: 24.83, lng: 102.83 };
      await geo.reverse(a, 'gcj02');
      await geo.reverse(b, 'gcj02');
      await geo.reverse(a, 'gcj02'); // a is now the most recent
      await geo.reverse(c, 'gcj02'); // evicts b
      const before = fake.calls;
      await geo.reverse(a, 'gcj02');
      expect(fake.calls).toBe(before);
      await geo.reverse(b, 'gcj02');
      expect(fake.calls).toBe(before + 1);
      clock += 60_001;
      await geo.reverse(b, 'gcj02');
      expect(fake.calls).toBe(before + 2);
    });

    it('keeps lasting refusals (abroad), never outages', async () => {
      const geo = cached();
      fake.setFailure('http500');
      expect(await outcome(geo.reverse({ lat: 24.84, lng: 102.84 }, 'gcj02'))).toBe('GEOCODER_UNAVAILABLE');
      fake.setFailure('none');
      expect(await outcome(geo.reverse({ lat: 24.84, lng: 102.84 }, 'gcj02'))).toBe('ok');
      fake.setFailure('abroad');
      expect(await outcome(geo.reverse({ lat: 24.85, lng: 102.85 }, 'gcj02'))).toBe('GEO_POINT_OUTSIDE_CHINA');
      fake.setFailure('none');
      const before = fake.calls;
      expect(await outcome(geo.reverse({ lat: 24.85, lng: 102.85 }, 'gcj02'))).toBe('GEO_POINT_OUTSIDE_CHINA');
      expect(fake.calls).toBe(before);
    });
  });
});

describe('GET /api/v1/geo/reverse and GET /api/v1/map/config', () => {
  let t: TestApp;
  let token: string;
  beforeAll(async () => {
    t = await startTestApp({ rateLimit: { geocodesPerMinute: 6 } });
    token = (await loginResident(t.baseUrl, uniqueName('pin'))).token;
  });
  afterAll(() => t.close());
  afterEach(() => t.geocoderFake.setFailure('none'));

  const reverse = (query: string, as = token) => api(t.baseUrl, `/api/v1/geo/reverse?${query}`, { token: as });

  it('gives a resident the address under the pin; anyone else 401', async () => {
    const res = await reverse('lat=24.8428&lng=102.8586&coordSystem=gcj02');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ district: '呈贡区', street: '吴家营街道', landmark: '云南师范大学呈贡校区' });
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect((await api(t.baseUrl, '/api/v1/geo/reverse?lat=24.8428&lng=102.8586')).status).toBe(401);
  });

  it('refuses a point abroad without spending quota, bad input with 400, and an outage with 503', async () => {
    const before = t.geocoderFake.calls;
    const paris = await reverse('lat=48.85&lng=2.35&coordSystem=wgs84');
    expect([paris.status, paris.body.error.code, paris.body.error.message]).toEqual([422, 'GEO_POINT_OUTSIDE_CHINA', '该位置不在服务范围内，请在地图上重新选择']);
    expect(t.geocoderFake.calls).toBe(before);
    expect((await reverse('lat=95&lng=102')).body.error.code).toBe('VALIDATION_FAILED');
    expect((await reverse('lat=24.8&lng=102.8&coordSystem=bd09')).status).toBe(400);
    t.geocoderFake.setFailure('daily-quota');
    const down = await reverse('lat=24.8111&lng=102.8111');
    expect([down.status, down.body.error]).toEqual([503, { code: 'GEOCODER_UNAVAILABLE', message: '暂时无法获取地址，请手动填写详细地址' }]);
    // The operator learns why; neither the key nor the SecretKey is ever logged.
    const logs = t.logs.join('\n');
    expect(logs).toContain('daily quota reached');
    expect(logs).not.toContain(TEST_TENCENT_MAP_KEY);
    expect(logs).not.toContain(TEST_TENCENT_MAP_SK);
  });

  it('has its own per-resident budget (429 with Retry-After), apart from writes', async () => {
    const me = (await loginResident(t.baseUrl, uniqueName('dragger'))).token;
    const statuses: number[] = [];
    for (let i = 0; i < 7; i += 1) statuses.push((await reverse(`lat=24.85${i}&lng=102.85&coordSystem=gcj02`, me)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 429]);
    const limited = await reverse('lat=24.85&lng=102.85', me);
    expect(limited.body.error.code).toBe('RATE_LIMITED');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another resident is not affected.
    const other = (await loginResident(t.baseUrl, uniqueName('other'))).token;
    expect((await reverse('lat=24.85&lng=102.85', other)).status).toBe(200);
  });

  it('without a geocoder (GEOCODER=off) answers 503 GEOCODER_UNAVAILABLE', async () => {
    const off = await startTestApp({ geocoder: undefined });
    try {
      const me = (await loginResident(off.baseUrl, uniqueName('off'))).token;
      const res = await api(off.baseUrl, '/api/v1/geo/reverse?lat=24.8428&lng=102.8586', { token: me });
      expect([res.status, res.body.error.code]).toEqual([503, 'GEOCODER_UNAVAILABLE']);
    } finally {
      await off.close();
    }
  });

  it('tells anyone the H5 map’s tiles: none configured here', async () => {
    const res = await api(t.baseUrl, '/api/v1/map/config');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ tileUrl: null, labelUrl: null, tileSubdomains: '', tileAttribution: '', maxZoom: 18, coordSystem: 'wgs84' });
  });

  it('shares one tile source with the console: config.json and the console CSP name the tile and label origins', async () => {
    const consoleDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cityloop-console-'));
    fs.writeFileSync(path.join(consoleDir, 'index.html'), '<!doctype html><title>console</title>');
    const tiles = {
      url: 'https://t{s}.tianditu.gov.cn/vec_w/wmts?SERVICE=WMTS&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=k',
      labelUrl: 'https://labels.example.cn/cva/{z}/{x}/{y}.png',
      subdomains: '01234567',
      attribution: '天地图',
      maxZoom: 18,
      coordSystem: 'wgs84' as const,
    };
    const withTiles = await startTestApp({ mapTiles: tiles, consoleDir });
    try {
      const config = (await api(withTiles.baseUrl, '/api/v1/map/config')).body;
      expect(config).toEqual({ tileUrl: tiles.url, labelUrl: tiles.labelUrl, tileSubdomains: '01234567', tileAttribution: '天地图', maxZoom: 18, coordSystem: 'wgs84' });
      const consoleConfig = await api(withTiles.baseUrl, '/console/config.json');
      expect(consoleConfig.body).toMatchObject({ tileUrl: tiles.url, labelUrl: tiles.labelUrl, tileSubdomains: '01234567', tileAttribution: '天地图' });
      expect(consoleConfig.headers.get('content-security-policy')).toContain("img-src 'self' data: blob: https://*.tianditu.gov.cn https://labels.example.cn;");
    } finally {
      await withTiles.close();
      fs.rmSync(consoleDir, { recursive: true, force: true });
    }
  });
});

// The cache keys WGS-84 points by their GCJ-02 conversion: the round trip must not move a key.
describe('coordinate round trip used by the cache key', () => {
  it('GCJ-02 → WGS-84 → GCJ-02 stays within a centimetre in Kunming', () => {
    const back = fromWgs84(toWgs84(NORMAL_UNIVERSITY, 'gcj02'), 'gcj02');
    expect(Math.abs(back.lat - NORMAL_UNIVERSITY.lat)).toBeLessThan(1e-6);
    expect(Math.abs(back.lng - NORMAL_UNIVERSITY.lng)).toBeLessThan(1e-6);
  });
});
