import { csvCell, csvLine, DEVELOPER_MESSAGE_CODES, isEarlierSameProblem, parseCsv, userMessageZh, type DuplicateCandidate } from '@cityloop/shared';
import { bool, date, int, json, nullable, num, oneOf, row, RowShapeError, text } from '../../bff/src/db/rows';

describe('row parsers', () => {
  it('read bigint and count as numbers whether the driver gives numbers or text', () => {
    const parse = row({ amount_fen: int, n: int });
    expect(parse({ amount_fen: '123456789012', n: 3 })).toEqual({ amount_fen: 123456789012, n: 3 });
    expect(parse({ amount_fen: -500, n: '0' })).toEqual({ amount_fen: -500, n: 0 });
  });

  it('refuse what is not the declared type, naming the column', () => {
    expect(() => row({ amount_fen: int })({ amount_fen: '1.5' })).toThrow('column amount_fen: expected a safe integer');
    expect(() => int('9007199254740993', 'big')).toThrow(RowShapeError);
    expect(() => int(null, 'n')).toThrow('got null');
    expect(() => text(5, 'name')).toThrow('column name: expected text');
    expect(() => num('', 'lat')).toThrow(RowShapeError);
    expect(() => num('NaN', 'lat')).toThrow(RowShapeError);
    expect(() => bool('yes', 'own')).toThrow(RowShapeError);
    expect(() => date('not a time', 'at')).toThrow(RowShapeError);
    expect(() => oneOf(['open', 'done'] as const)('closed', 'status')).toThrow('one of open, done');
    expect(() => json()('{', 'data')).toThrow(RowShapeError);
  });

  it('convert timestamps, numerics, booleans and json as drivers send them', () => {
    const at = new Date('2026-03-01T02:00:00.000Z');
    expect(date(at, 'at')).toBe(at);
    expect(date('2026-03-01 10:00:00+08', 'at').toISOString()).toBe('2026-03-01T02:00:00.000Z');
    expect(num('24.8801', 'lat')).toBe(24.8801);
    expect([bool(true, 'x'), bool('t', 'x'), bool('f', 'x')]).toEqual([true, true, false]);
    expect(json<{ a: number }>()('{"a":1}', 'data')).toEqual({ a: 1 });
    expect(json()({ a: 1 }, 'data')).toEqual({ a: 1 });
  });

  it('let nullable columns be null and nothing else slip through', () => {
    const parse = row({ taken_at: nullable(date), reason: nullable(text) });
    expect(parse({ taken_at: null, reason: null })).toEqual({ taken_at: null, reason: null });
    expect(() => parse({ taken_at: 5, reason: null })).toThrow(RowShapeError);
  });

  it('keep only the declared columns', () => {
    expect(row({ id: text })({ id: 'a', secret: 'b' })).toEqual({ id: 'a' });
  });
});

describe('csvCell', () => {
  it('guards text a spreadsheet would run as a formula', () => {
    for (const formula of ['=SUM(A1)', '+1', '@cmd', '\tx', '\rx', '-A1', '-', '-1+1', '- 5']) expect(csvCell(formula).replace(/^"|"$/g, '')).toMatch(/^'/);
  });

  it('leaves negative numbers alone, as numbers or as text', () => {
    expect([csvCell(-5), csvCell('-5'), csvCell('-0.5'), csvCell(-200)]).toEqual(['-5', '-5', '-0.5', '-200']);
  });

  it('quotes commas, quotes and line breaks, and writes nothing for null', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect([csvCell(null), csvCell(undefined)]).toEqual(['', '']);
  });

  it('writes lines the parser reads back to the same cells', () => {
    const cells = ['id-1', '张三, 李四', 'say "hi"', '-5', '=1+1'];
    expect(parseCsv(csvLine(cells)).rows[0].cells).toEqual(['id-1', '张三, 李四', 'say "hi"', '-5', "'=1+1"]);
  });
});

describe('isEarlierSameProblem', () => {
  const report = { category: 'road_damage', createdAt: new Date('2026-03-10T12:00:00Z') };
  const rules = { dedupeWindowHours: 72, photoHashMaxDistance: 6, radiusMeters: 50 };
  const hoursBefore = (h: number) => new Date(report.createdAt.getTime() - h * 3_600_000);
  const candidate = (over: Partial<DuplicateCandidate> = {}): DuplicateCandidate => ({
    category: 'road_damage',
    status: 'accepted',
    createdAt: hoursBefore(5),
    metersAway: 20,
    photoHashDistance: null,
    ...over,
  });

  it('finds an earlier report of the same category close by within the window', () => {
    expect(isEarlierSameProblem(report, [candidate()], rules)).toBe(true);
    expect(isEarlierSameProblem(report, [], rules)).toBe(false);
  });

  it('counts another category only with a near-identical photo', () => {
    expect(isEarlierSameProblem(report, [candidate({ category: 'litter' })], rules)).toBe(false);
    expect(isEarlierSameProblem(report, [candidate({ category: 'litter', photoHashDistance: 6 })], rules)).toBe(true);
    expect(isEarlierSameProblem(report, [candidate({ category: 'litter', photoHashDistance: 7 })], rules)).toBe(false);
  });

  it('ignores reports refused or merged, later ones, far ones and ones before the window', () => {
    for (const c of [
      candidate({ status: 'rejected' }),
      candidate({ status: 'duplicate' }),
      candidate({ createdAt: report.createdAt }),
      candidate({ createdAt: hoursBefore(-1) }),
      candidate({ metersAway: 50.5 }),
      candidate({ createdAt: hoursBefore(72.01) }),
    ]) {
      expect([c, isEarlierSameProblem(report, [c], rules)]).toEqual([c, false]);
    }
    expect(isEarlierSameProblem(report, [candidate({ createdAt: hoursBefore(72), metersAway: 50, status: 'closed' })], rules)).toBe(true);
  });
});

describe('userMessageZh', () => {
  it('shows the server message except for codes whose messages are for developers', () => {
    expect(userMessageZh('REWARD_CLAIM_INVALID', '单次提现不少于 ¥1.00')).toBe('单次提现不少于 ¥1.00');
    expect(userMessageZh('VALIDATION_FAILED', 'amountFen: must be positive')).toBe('提交的内容有误，请检查后重试');
    expect(userMessageZh('RATING_WINDOW_PASSED', null)).toBe('已超过评价期限');
    expect(userMessageZh('NO_SUCH_CODE', 'whatever')).toBe('服务出错了，请稍后再试');
    expect(DEVELOPER_MESSAGE_CODES.has('INTERNAL')).toBe(true);
  });
});
