import { charCount, cutText, ERRORS, errorMessageZh, formatShanghai, isCalendarDay, isCalendarMonth, isErrorCode, isStorableInstant, isStorableText, toStorableText } from '@cityloop/shared';

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

describe('storable text and cutting', () => {
  it('refuses NUL and lone surrogates, keeps whole pairs', () => {
    expect(isStorableText('井盖缺失😀𠮷')).toBe(true);
    expect(isStorableText('a\u0000b')).toBe(false);
    expect(isStorableText('😀'[0])).toBe(false);
    expect(isStorableText(`x${'😀'[1]}`)).toBe(false);
    expect(toStorableText(`a\u0000b${'😀'[0]}😀`)).toBe('a\ufffdb\ufffd😀');
  });

  it('cuts at a grapheme boundary within a code-point budget, ellipsis included', () => {
    const note = '不予立案说明不予立案说明不予立案说明😀理由如上';
    expect(cutText(note, 20)).toBe('不予立案说明不予立案说明不予立案说明😀…');
    expect(cutText('短', 20)).toBe('短');
    // A family emoji is one grapheme of 7 code points: kept whole or dropped whole.
    const family = '👨‍👩‍👧‍👦';
    expect(cutText(`${'字'.repeat(15)}${family}尾`, 20)).toBe(`${'字'.repeat(15)}…`);
    expect(charCount(cutText('𠮷'.repeat(30), 10, ''))).toBe(10);
  });

  it('dates and months stay within 1970–9999', () => {
    expect(isCalendarMonth('2026-11')).toBe(true);
    expect(isCalendarMonth('0000-01')).toBe(false);
    expect(isCalendarDay('2024-02-29')).toBe(true);
    expect(isCalendarDay('0100-01-01')).toBe(false);
    expect(isStorableInstant(new Date('9999-12-31T23:00:00-05:00'))).toBe(false);
    expect(isStorableInstant(new Date(10_000_000_000_000_000))).toBe(false);
  });
});
