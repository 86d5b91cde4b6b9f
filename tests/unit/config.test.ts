import { ConfigError, loadConfig } from '../../bff/src/config';

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('refuses to guess the mode: NODE_ENV unset is a refusal that names the key', () => {
    expect(problemsOf({ DATA_DIR: '/tmp/cityloop-x' })).toEqual([expect.stringMatching(/^NODE_ENV: must be set/)]);
  });

  it('boots in development with nothing else set: port 3000, embedded PGlite under DATA_DIR, dev WeChat', () => {
    const config = loadConfig({ NODE_ENV: 'development', DATA_DIR: '/tmp/cityloop-x' });
    expect(config.port).toBe(3000);
    expect(config.database).toEqual({ kind: 'pglite', dataDir: '/tmp/cityloop-x/pglite' });
    expect(config.wechat.mode).toBe('dev');
    expect(config.env).toBe('development');
  });

  it('reads the case system’s Open311 dialect: json, declared extensions, no fixed attributes, feed auto by default', () => {
    const dev = { NODE_ENV: 'development', DATA_DIR: '/tmp/cityloop-x' };
    expect(loadConfig(dev).caseSystem).toMatchObject({ format: 'json', extensions: 'declared', attributeValues: {}, updatesFeed: 'auto' });
    const city = loadConfig({ ...dev, CASE_SYSTEM_FORMAT: 'xml', CASE_SYSTEM_EXTENSIONS: 'never', CASE_SYSTEM_ATTRIBUTES: '{"channel":"cityloop"}', CASE_SYSTEM_UPDATES_FEED: 'off' });
    expect(city.caseSystem).toMatchObject({ format: 'xml', extensions: 'never', attributeValues: { channel: 'cityloop' }, updatesFeed: 'off' });
    for (const bad of ['{"channel":1}', '["cityloop"]', 'channel=cityloop']) {
      expect(problemsOf({ ...dev, CASE_SYSTEM_ATTRIBUTES: bad })).toEqual([expect.stringMatching(/^CASE_SYSTEM_ATTRIBUTES: must be a JSON object/)]);
    }
    expect(problemsOf({ ...dev, CASE_SYSTEM_FORMAT: 'soap' })).toEqual([expect.stringMatching(/^CASE_SYSTEM_FORMAT:/)]);
  });

  it('refuses a photo-link secret equal to the JWT secret', () => {
    expect(problemsOf({ NODE_ENV: 'development', JWT_SECRET: 's'.repeat(40), PHOTO_URL_SECRET: 's'.repeat(40) })).toEqual([expect.stringMatching(/^PHOTO_URL_SECRET: must differ from JWT_SECRET/)]);
  });

  it('reads the trusted proxy hop count and the separate login limits', () => {
    const config = loadConfig({ NODE_ENV: 'development', TRUST_PROXY: 'true', TRUST_PROXY_HOPS: '2', RATE_LIMIT_STAFF_LOGINS_PER_MINUTE: '5' });
    expect(config).toMatchObject({ trustProxy: true, trustProxyHops: 2, rateLimit: { writesPerMinute: 30, wechatLoginsPerMinute: 20, staffLoginsPerMinute: 5 } });
    expect(problemsOf({ NODE_ENV: 'development', TRUST_PROXY_HOPS: '0' })).toEqual([expect.stringMatching(/^TRUST_PROXY_HOPS:/)]);
  });

  it('selects the PostgreSQL server when DATABASE_URL is set, and splits CORS origins', () => {
    const config = loadConfig({ NODE_ENV: 'development', DATABASE_URL: 'postgres://u@127.0.0.1:5432/db', PORT: '8080', CORS_ORIGINS: 'https://a.example, https://b.example' });
    expect(config.database).toEqual({ kind: 'postgres', url: 'postgres://u@127.0.0.1:5432/db' });
    expect(config.port).toBe(8080);
    expect(config.corsOrigins).toEqual(['https://a.example', 'https://b.example']);
  });

  it('treats empty values as unset', () => {
    expect(loadConfig({ NODE_ENV: 'development', DATABASE_URL: '', PORT: '' }).database.kind).toBe('pglite');
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ JWT_SECRET: 'short' }, 'JWT_SECRET'],
    [{ WECHAT_TIMEOUT_MS: '5' }, 'WECHAT_TIMEOUT_MS'],
    [{ WECHAT_MODE: 'real' }, 'WECHAT_APPID'],
    [{ WECHAT_MODE: 'real', WECHAT_APPID: 'wx1234567890abcdef' }, 'WECHAT_SECRET'],
    [{ WECHAT_APPID: 'not-an-appid' }, 'WECHAT_APPID'],
  ])('names the bad key: %j → %s', (env, key) => {
    expect(problemsOf({ NODE_ENV: 'development', ...env }).some((p) => p.startsWith(`${key}:`))).toBe(true);
  });

  it('refuses production without secrets, without a real case system and with dev WeChat', () => {
    const problems = problemsOf({ NODE_ENV: 'production' });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^JWT_SECRET: is required in production/),
        expect.stringMatching(/^WECHAT_MODE: dev WeChat refuses/),
        expect.stringMatching(/^CASE_SYSTEM_URL: is required in production/),
        expect.stringMatching(/^CASE_WEBHOOK_SECRET: is required in production/),
        expect.stringMatching(/^TENCENT_MAP_KEY: is required in production/),
      ]),
    );
  });

  it('accepts a complete production configuration', () => {
    const config = loadConfig({
      NODE_ENV: 'production',
      JWT_SECRET: 'p'.repeat(40),
      WECHAT_MODE: 'real',
      WECHAT_APPID: 'wx1234567890abcdef',
      WECHAT_SECRET: '0123456789abcdef0123456789abcdef',
      DATABASE_URL: 'postgresql://cityloop@db:5432/cityloop',
      CASE_SYSTEM_URL: 'https://city.example/open311/v2',
      CASE_SYSTEM_API_KEY: 'case-system-api-key',
      CASE_WEBHOOK_SECRET: 'w'.repeat(32),
      PHOTO_URL_SECRET: 'x'.repeat(40),
      PUBLIC_BASE_URL: 'https://cityloop.example',
      TENCENT_MAP_KEY: 'OB4BZ-D4W3U-B7VVO-4PJWW-6TKDJ-WPB77',
    });
    expect(config.geocoder).toMatchObject({ kind: 'tencent', baseUrl: 'https://apis.map.qq.com', key: 'OB4BZ-D4W3U-B7VVO-4PJWW-6TKDJ-WPB77', timeoutMs: 3000 });
    expect(config.caseSystem).toMatchObject({ url: 'https://city.example/open311/v2', shareReporterIdentity: false });
    expect(config.wechat).toMatchObject({ mode: 'real', apiBase: 'https://api.weixin.qq.com', timeoutMs: 5000 });
    expect(config.jwt.secret).toBe('p'.repeat(40));
  });
});
