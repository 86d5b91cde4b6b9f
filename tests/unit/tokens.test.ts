import jwt from 'jsonwebtoken';
import { TokenService } from '../../bff/src/features/auth/tokens';
import { AppError } from '../../bff/src/http/errors';

const SECRET = 'unit-secret-unit-secret-unit-secret-!!';

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppError) return err.code;
    throw err;
  }
  return 'none';
}

describe('TokenService', () => {
  const tokens = new TokenService(SECRET, 120);

  it('round-trips subject, audience and role', () => {
    expect(tokens.verify(tokens.issue('user-1', 'resident'), 'resident')).toEqual({ sub: 'user-1', aud: 'resident', role: undefined });
    expect(tokens.verify(tokens.issue('staff-1', 'staff', 'admin'), 'staff')).toEqual({ sub: 'staff-1', aud: 'staff', role: 'admin' });
  });

  it('refuses the other audience, expired, alg none, HS512 and garbage', () => {
    expect(codeOf(() => tokens.verify(tokens.issue('u', 'resident'), 'staff'))).toBe('TOKEN_INVALID');
    const expired = jwt.sign({}, SECRET, { subject: 'u', audience: 'resident', issuer: 'cityloop-bff', expiresIn: -1 });
    expect(codeOf(() => tokens.verify(expired, 'resident'))).toBe('TOKEN_EXPIRED');
    const none = jwt.sign({}, '', { algorithm: 'none', subject: 'u', audience: 'resident', issuer: 'cityloop-bff' });
    expect(codeOf(() => tokens.verify(none, 'resident'))).toBe('TOKEN_INVALID');
    const hs512 = jwt.sign({}, SECRET, { algorithm: 'HS512', subject: 'u', audience: 'resident', issuer: 'cityloop-bff' });
    expect(codeOf(() => tokens.verify(hs512, 'resident'))).toBe('TOKEN_INVALID');
    expect(codeOf(() => tokens.verify('a.b.c', 'resident'))).toBe('TOKEN_INVALID');
  });

  it('refuses a correctly signed token without exp, or with an audience array', () => {
    const noExp = jwt.sign({}, SECRET, { subject: 'u', audience: 'staff', issuer: 'cityloop-bff' });
    expect(codeOf(() => tokens.verify(noExp, 'staff'))).toBe('TOKEN_INVALID');
    const audArray = jwt.sign({}, SECRET, { subject: 'u', audience: ['resident', 'staff'], issuer: 'cityloop-bff', expiresIn: 60 });
    expect(codeOf(() => tokens.verify(audArray, 'staff'))).toBe('TOKEN_INVALID');
  });

  describe('once verified', () => {
    afterEach(() => jest.useRealTimers());

    it('still expires at exp, keeps the audience and hands out copies', () => {
      jest.useFakeTimers({ now: new Date('2026-12-02T08:00:00Z') });
      const short = new TokenService(SECRET, 60);
      const token = short.issue('user-2', 'resident');
      const first = short.verify(token, 'resident');
      first.sub = 'someone-else';
      expect(short.verify(token, 'resident')).toEqual({ sub: 'user-2', aud: 'resident', role: undefined });
      expect(codeOf(() => short.verify(token, 'staff'))).toBe('TOKEN_INVALID');
      jest.setSystemTime(new Date('2026-12-02T08:00:59.999Z'));
      expect(short.verify(token, 'resident').sub).toBe('user-2');
      jest.setSystemTime(new Date('2026-12-02T08:01:00Z'));
      expect(codeOf(() => short.verify(token, 'resident'))).toBe('TOKEN_EXPIRED');
      expect(codeOf(() => short.verify(token, 'resident'))).toBe('TOKEN_EXPIRED');
    });

    it('never takes a token another key signed, however often it is shown', () => {
      const other = new TokenService('another-secret-another-secret-another', 60).issue('user-3', 'resident');
      for (let i = 0; i < 3; i += 1) expect(codeOf(() => tokens.verify(other, 'resident'))).toBe('TOKEN_INVALID');
    });
  });
});
