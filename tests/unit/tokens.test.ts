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
});
