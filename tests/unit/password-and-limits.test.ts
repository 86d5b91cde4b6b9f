import { hashPassword, verifyPassword } from '../../bff/src/features/staff/password';
import { RateLimiter } from '../../bff/src/http/rate-limit';

describe('scrypt passwords', () => {
  it('verifies the right password only, with a fresh salt per hash', async () => {
    const a = await hashPassword('correct horse battery');
    const b = await hashPassword('correct horse battery');
    expect(a).not.toBe(b);
    await expect(verifyPassword('correct horse battery', a)).resolves.toBe(true);
    await expect(verifyPassword('correct horse batterz', a)).resolves.toBe(false);
    await expect(verifyPassword('anything', 'plaintext')).resolves.toBe(false);
  });
});

describe('RateLimiter', () => {
  it('allows `limit` hits per window per key and tells how long to wait', () => {
    let now = 1_000_000;
    const limiter = new RateLimiter(2, 60_000, () => now);
    expect([limiter.hit('a'), limiter.hit('a'), limiter.hit('b')]).toEqual([0, 0, 0]);
    expect(limiter.hit('a')).toBe(60);
    now += 30_000;
    expect(limiter.hit('a')).toBe(30);
    now += 30_000;
    expect(limiter.hit('a')).toBe(0);
  });
});
