import Redis from 'ioredis';
import { loadConfig, ConfigError } from '../../bff/src/config';
import { SharedRateLimiter } from '../../bff/src/http/rate-limit';

describe('shared limits', () => {
  it('still limit, per instance, while Redis is unreachable (the in-memory insurance limiter)', async () => {
    // Nothing listens on port 9: every Redis call fails at once, as when Redis is down.
    const down = new Redis('redis://127.0.0.1:9', { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
    down.on('error', () => undefined);
    try {
      const limiter = new SharedRateLimiter(down, 'h2test:rl:write', 3);
      const answers = [];
      for (let i = 0; i < 5; i += 1) answers.push(await limiter.hit('user-1'));
      expect(answers.slice(0, 3)).toEqual([0, 0, 0]);
      expect(answers[3]).toBeGreaterThanOrEqual(1);
      expect(answers[3]).toBeLessThanOrEqual(60);
      expect(await limiter.hit('user-2')).toBe(0);
    } finally {
      down.disconnect();
    }
  });

  it('REDIS_URL means several instances, so local photo storage is refused', () => {
    const base = { NODE_ENV: 'development', DATA_DIR: '/tmp/cityloop-x', REDIS_URL: 'redis://127.0.0.1:6379' };
    expect(() => loadConfig(base)).toThrow(ConfigError);
    expect(() => loadConfig(base)).toThrow(/PHOTO_STORAGE: must be s3 when REDIS_URL is set/);
    const s3 = { PHOTO_STORAGE: 's3', S3_ENDPOINT: 'http://127.0.0.1:9000', S3_BUCKET: 'photos', S3_ACCESS_KEY_ID: 'k', S3_SECRET_ACCESS_KEY: 's' };
    expect(loadConfig({ ...base, ...s3 }).redis).toEqual({ url: 'redis://127.0.0.1:6379', keyPrefix: 'cityloop:' });
    expect(loadConfig({ NODE_ENV: 'development', DATA_DIR: '/tmp/cityloop-x' }).redis).toBeNull();
  });
});
