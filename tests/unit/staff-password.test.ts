import { LIMITS, staffPasswordTooShort } from '@cityloop/shared';

describe('staffPasswordTooShort (the BFF and the console share it)', () => {
  it('counts characters, not UTF-16 units: emoji and CJK count once each', () => {
    expect(LIMITS.staffPasswordMinLength).toBe(12);
    expect(staffPasswordTooShort('a'.repeat(11))).toBe(true);
    expect(staffPasswordTooShort('a'.repeat(12))).toBe(false);
    // 8 characters but 13 UTF-16 units: a `length` check would have let it through.
    expect('短密码🙂🙂🙂🙂🙂'.length).toBe(13);
    expect(staffPasswordTooShort('短密码🙂🙂🙂🙂🙂')).toBe(true);
    expect(staffPasswordTooShort('城管工作台密码🙂🙂🙂🙂🙂')).toBe(false);
  });
});
