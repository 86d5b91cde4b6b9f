import { claimExpectedBy, mayBeInChina, PAYOUT_CHANNEL_NAMES, REWARD_STATE_NAMES } from '@cityloop/shared';
import { ConfigError, loadConfig } from '../../bff/src/config';
import { caseAddress } from '../../bff/src/features/reports/case-delivery';
import { isHashedH5Asset } from '../../bff/src/http/h5-static';
import { tencentSignature } from '../../bff/src/ports/geocoding/tencent-signature';

describe('Tencent SN signature (签名校验)', () => {
  it('is md5(path ? sorted raw params SK), lowercase hex', () => {
    // Expected values computed independently (Python hashlib) from the documented rule.
    const sig = tencentSignature('/ws/geocoder/v1/', { location: '24.858000,102.849000', key: 'OB4BZ-D4W3U-B7VVO-4PJWW-6TKDJ-WPB77', get_poi: '0' }, 'SWvT26ypwq5Nwb5RvS8cLi6NSoH8HlJX');
    expect(sig).toBe('829221c8e9ba500f1ff9088e904f320c');
    // Values are never URL-encoded before hashing, UTF-8 included; the path is taken as given.
    expect(tencentSignature('/ws/geocoder/v1', { location: '31.2,121.4中文', key: 'K' }, 'SK')).toBe('ff5f30abe6278ae0a97e30c90af83542');
  });

  it('leaves an existing sig out of what it signs', () => {
    const params = { key: 'K', location: '1,2' };
    expect(tencentSignature('/p', { ...params, sig: 'old' }, 'S')).toBe(tencentSignature('/p', params, 'S'));
  });
});

describe('the China box', () => {
  it('holds Kunming, Urumqi, Harbin, Sanya and Taipei, not Tokyo or Paris', () => {
    for (const p of [
      { lat: 24.858, lng: 102.849 },
      { lat: 43.8, lng: 87.6 },
      { lat: 45.8, lng: 126.5 },
      { lat: 18.25, lng: 109.5 },
      { lat: 25.03, lng: 121.56 },
    ])
      expect(mayBeInChina(p)).toBe(true);
    expect(mayBeInChina({ lat: 35.68, lng: 139.76 })).toBe(false);
    expect(mayBeInChina({ lat: 48.85, lng: 2.35 })).toBe(false);
  });
});

describe('map tiles: one setting for the H5 map and the console', () => {
  const dev = (env: Record<string, string>) => loadConfig({ NODE_ENV: 'development', ...env }).mapTiles;

  it('builds TianDiTu web-mercator WMTS (roads and labels) from TIANDITU_KEY', () => {
    const key = '0123456789abcdef0123456789abcdef';
    const tiles = dev({ TIANDITU_KEY: key });
    expect(tiles.url).toBe(
      `https://t{s}.tianditu.gov.cn/vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=vec&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=${key}`,
    );
    expect(tiles.labelUrl).toBe(tiles.url!.replace(/vec/g, 'cva'));
    expect(tiles).toMatchObject({ subdomains: '01234567', attribution: '天地图', coordSystem: 'wgs84', maxZoom: 18 });
    // An attribution with the 审图号 replaces the bare name.
    expect(dev({ TIANDITU_KEY: key, MAP_TILE_ATTRIBUTION: '天地图 · 审图号 GS(2024)0650号' }).attribution).toBe('天地图 · 审图号 GS(2024)0650号');
  });

  it('prefers an explicit template, and reads CONSOLE_TILE_* as the older names', () => {
    expect(dev({ MAP_TILE_URL: 'https://tiles.example/{z}/{x}/{y}.png', TIANDITU_KEY: '0123456789abcdef0123456789abcdef' })).toMatchObject({
      url: 'https://tiles.example/{z}/{x}/{y}.png',
      labelUrl: null,
    });
    expect(dev({ CONSOLE_TILE_URL: 'https://old.example/{z}/{x}/{y}.png', CONSOLE_TILE_SUBDOMAINS: 'abc' })).toMatchObject({ url: 'https://old.example/{z}/{x}/{y}.png', subdomains: 'abc' });
    expect(() => dev({ CONSOLE_TILE_URL: 'https://a.example/{z}/{x}/{y}.png', MAP_TILE_URL: 'https://b.example/{z}/{x}/{y}.png' })).toThrow(/older name of MAP_TILE_URL/);
    expect(() => dev({ MAP_TILE_LABEL_URL: 'https://a.example/{z}/{x}.png' })).toThrow(ConfigError);
    expect(() => dev({ TIANDITU_KEY: 'not-a-key' })).toThrow(/TIANDITU_KEY/);
    expect(dev({}).url).toBeNull();
  });
});

describe('geocoder configuration', () => {
  it('uses the stand-in outside production, Tencent in production (a key required), off on request', () => {
    expect(loadConfig({ NODE_ENV: 'development' }).geocoder).toMatchObject({ kind: 'dev', timeoutMs: 3000, cacheSize: 10_000 });
    expect(loadConfig({ NODE_ENV: 'development', GEOCODER: 'off' }).geocoder).toEqual({ kind: 'off' });
    expect(
      loadConfig({ NODE_ENV: 'development', GEOCODER: 'tencent', TENCENT_MAP_KEY: 'OB4BZ-D4W3U-B7VVO-4PJWW-6TKDJ-WPB77', TENCENT_MAP_SK: 'SWvT26ypwq5Nwb5RvS8cLi6NSoH8HlJX' }).geocoder,
    ).toMatchObject({
      kind: 'tencent',
      baseUrl: 'https://apis.map.qq.com',
      secretKey: 'SWvT26ypwq5Nwb5RvS8cLi6NSoH8HlJX',
    });
    expect(() => loadConfig({ NODE_ENV: 'development', GEOCODER: 'tencent' })).toThrow(/TENCENT_MAP_KEY: is required when GEOCODER=tencent/);
    expect(() => loadConfig({ NODE_ENV: 'development', TENCENT_MAP_KEY: 'lowercase-key' })).toThrow(/TENCENT_MAP_KEY/);
    expect(() => loadConfig({ NODE_ENV: 'production', GEOCODER: 'dev' })).toThrow(/GEOCODER: the dev geocoder refuses/);
    expect(loadConfig({ NODE_ENV: 'development', RATE_LIMIT_GEOCODE_PER_MINUTE: '12' }).rateLimit.geocodesPerMinute).toBe(12);
  });
});

describe('claims: channel and expected date', () => {
  it('counts working days (Mon–Fri) in Shanghai and ends at 23:59:59 there', () => {
    // Wednesday 2026-12-02 10:00 Shanghai + 5 working days = Wednesday 2026-12-09.
    expect(claimExpectedBy(new Date('2026-12-02T02:00:00Z'), 5).toISOString()).toBe('2026-12-09T15:59:59.000Z');
    // Friday 23:30 Shanghai (still Friday there, Friday 15:30 UTC) + 1 = Monday.
    expect(claimExpectedBy(new Date('2026-12-04T15:30:00Z'), 1).toISOString()).toBe('2026-12-07T15:59:59.000Z');
    // Friday 16:30 UTC is already Saturday in Shanghai: + 1 working day = Monday as well.
    expect(claimExpectedBy(new Date('2026-12-04T16:30:00Z'), 1).toISOString()).toBe('2026-12-07T15:59:59.000Z');
    // 0: the end of the day of the claim.
    expect(claimExpectedBy(new Date('2026-12-05T04:00:00Z'), 0).toISOString()).toBe('2026-12-05T15:59:59.000Z');
  });

  it('names the channel, and says 已入账 for credit and 已发放 only for payouts', () => {
    expect(PAYOUT_CHANNEL_NAMES).toEqual({ wechatpay: '微信零钱', manual: '线下发放（工作人员核对后转账）' });
    expect(REWARD_STATE_NAMES).toEqual({ pending: '奖励待定', accrued: '奖励已入账', held: '奖励待审核', none: '无奖励', reversed: '奖励已扣回' });
  });
});

describe('the address sent to the case system', () => {
  it('is the geocoded one with the typed detail beside it, or whichever exists', () => {
    expect(caseAddress({ address: '学校东门对面', geocodedAddress: '云南省昆明市呈贡区联大街768号' })).toBe('云南省昆明市呈贡区联大街768号（市民描述：学校东门对面）');
    expect(caseAddress({ address: '云南省昆明市呈贡区联大街768号', geocodedAddress: '云南省昆明市呈贡区联大街768号' })).toBe('云南省昆明市呈贡区联大街768号');
    expect(caseAddress({ address: '测试路 8 号', geocodedAddress: null })).toBe('测试路 8 号');
    expect(caseAddress({ address: '', geocodedAddress: null })).toBe('');
  });
});

describe('H5 cache rule', () => {
  it('caches hashed js/, css/ and static/ files for a year, nothing else', () => {
    expect(isHashedH5Asset('js/app.1a2b3c4d.js')).toBe(true);
    expect(isHashedH5Asset('js/app.1a2b3c4d.js.br')).toBe(true);
    expect(isHashedH5Asset('css/app.0123456789abcdef0123.css.gz')).toBe(true);
    expect(isHashedH5Asset('static/images/pin.1a2b3c4d.png')).toBe(true);
    expect(isHashedH5Asset('index.html')).toBe(false);
    expect(isHashedH5Asset('js/app.js')).toBe(false);
    expect(isHashedH5Asset('favicon.1a2b3c4d.ico')).toBe(false);
    expect(isHashedH5Asset('manifest.json')).toBe(false);
  });
});
