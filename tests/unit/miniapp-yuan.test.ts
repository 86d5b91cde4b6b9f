import { fenToYuanInput, parseYuanToFen, signedYuan } from '../../miniapp/src/utils/rewards';

describe('parseYuanToFen (提现 amounts typed in yuan)', () => {
  test.each([
    ['12', 1200],
    ['12.5', 1250],
    ['12.50', 1250],
    ['0.30', 30],
    ['.5', 50],
    ['7.', 700],
    ['¥8', 800],
    ['￥ 8.01', 801],
    ['  0.01 ', 1],
    ['0.1', 10],
    ['999999999.99', 99999999999],
  ])('%j is %i fen', (input, fen) => {
    expect(parseYuanToFen(input)).toEqual({ ok: true, fen });
  });

  test('float sums never leak in: 0.29 is 29 fen exactly', () => {
    // 0.29 * 100 is 28.999999999999996 in floating point.
    expect(parseYuanToFen('0.29')).toEqual({ ok: true, fen: 29 });
    expect(parseYuanToFen('1.15')).toEqual({ ok: true, fen: 115 });
  });

  test('empty, malformed, negative and over-precise input is refused with a reason', () => {
    expect(parseYuanToFen('')).toEqual({ ok: false, message: '请输入提现金额' });
    expect(parseYuanToFen(' ¥ ')).toEqual({ ok: false, message: '请输入提现金额' });
    for (const bad of ['.', 'abc', '-5', '1,000', '1e3', '12.3.4', '1234567890']) {
      expect(parseYuanToFen(bad)).toEqual({ ok: false, message: '请输入正确的金额，如 12.50' });
    }
    expect(parseYuanToFen('1.234')).toEqual({ ok: false, message: '金额最多保留两位小数' });
  });

  test('fen back to the input box and to a signed change', () => {
    expect(fenToYuanInput(1230)).toBe('12.30');
    expect(signedYuan(200)).toBe('+¥2.00');
    expect(signedYuan(-200)).toBe('-¥2.00');
    expect(signedYuan(0)).toBe('¥0.00');
  });
});
