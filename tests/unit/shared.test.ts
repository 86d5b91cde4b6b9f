import { ERRORS, errorMessageZh, formatShanghai, isErrorCode } from '@cityloop/shared';

describe('shared error codes', () => {
  it('give every code a 4xx/5xx status and a Chinese message', () => {
    for (const [code, { status, zh }] of Object.entries(ERRORS)) {
      expect(code).toMatch(/^[A-Z][A-Z0-9_]+$/);
      expect(status).toBeGreaterThanOrEqual(400);
      expect(status).toBeLessThan(600);
      expect(zh).toMatch(/[\u4e00-\u9fff]/);
    }
  });

  it('fall back to the generic message for unknown codes', () => {
    expect(isErrorCode('TOKEN_EXPIRED')).toBe(true);
    expect(isErrorCode('toString')).toBe(false);
    expect(errorMessageZh('TOKEN_EXPIRED')).toBe('登录已过期，请重新登录');
    expect(errorMessageZh('SOMETHING_NEW')).toBe(ERRORS.INTERNAL.zh);
  });
});

describe('formatShanghai', () => {
  it('shows UTC instants in Asia/Shanghai, across the date line', () => {
    expect(formatShanghai('2026-11-21T16:30:00.000Z')).toBe('2026-11-22 00:30');
    expect(formatShanghai(new Date('2026-12-31T23:59:00Z'))).toBe('2027-01-01 07:59');
  });
});
