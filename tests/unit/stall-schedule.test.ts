import { bearingDegrees, directionZh, distanceMeters, openStateAt, parseScheduleText, stallOpenStatus, validateSchedule, windowsOnDate, type StallSchedule } from '@cityloop/shared';

/** Shanghai wall-clock time → instant (UTC+8). */
const sh = (local: string) => new Date(`${local}:00+08:00`);
const iso = (d: Date | null) => (d ? d.toISOString() : null);
const schedule = (text: string): StallSchedule => {
  const { schedule: parsed, problems } = parseScheduleText(text);
  if (!parsed) throw new Error(problems.join('; '));
  return parsed;
};

describe('openStateAt: weekly windows in Asia/Shanghai', () => {
  const daily = schedule('daily 06:00-20:00');
  it.each([
    ['2026-11-23 05:59', false, '2026-11-23 06:00'],
    ['2026-11-23 06:00', true, '2026-11-23 20:00'],
    ['2026-11-23 19:59', true, '2026-11-23 20:00'],
    ['2026-11-23 20:00', false, '2026-11-24 06:00'],
  ])('at %s open=%s, changes at %s', (at, open, changes) => {
    expect(openStateAt(daily, sh(at))).toEqual({ open, changesAt: sh(changes) });
  });

  it('reads the instant in Shanghai time, not UTC: 22:30Z Sunday is 06:30 Monday', () => {
    const weekdaysOnly = schedule('1-5 06:00-08:30');
    expect(openStateAt(weekdaysOnly, new Date('2026-11-22T22:30:00Z'))).toEqual({ open: true, changesAt: sh('2026-11-23 08:30') });
  });

  it('keeps an 18:00–02:00 night market open across midnight, on the day it opens', () => {
    const friday = schedule('5 18:00-02:00'); // 2026-11-27 is a Friday
    expect(openStateAt(friday, sh('2026-11-27 17:59'))).toEqual({ open: false, changesAt: sh('2026-11-27 18:00') });
    expect(openStateAt(friday, sh('2026-11-27 23:30'))).toEqual({ open: true, changesAt: sh('2026-11-28 02:00') });
    expect(openStateAt(friday, sh('2026-11-28 01:59'))).toEqual({ open: true, changesAt: sh('2026-11-28 02:00') });
    expect(openStateAt(friday, sh('2026-11-28 02:00'))).toEqual({ open: false, changesAt: sh('2026-12-04 18:00') });
    // Saturday night is not Friday night.
    expect(openStateAt(friday, sh('2026-11-29 01:00')).open).toBe(false);
  });

  it('treats touching windows, and 24:00 into 00:00, as one opening', () => {
    expect(openStateAt(schedule('daily 06:00-12:00,12:00-18:00'), sh('2026-11-23 11:00'))).toEqual({ open: true, changesAt: sh('2026-11-23 18:00') });
    expect(openStateAt(schedule('daily 00:00-24:00'), sh('2026-11-23 11:00'))).toEqual({ open: true, changesAt: null });
  });

  it('says when a closed schedule opens next, even days away', () => {
    expect(openStateAt(schedule('6,7 09:00-12:00'), sh('2026-11-23 10:00'))).toEqual({ open: false, changesAt: sh('2026-11-28 09:00') });
  });
});

describe('seasons and exceptions', () => {
  const fruit = schedule('season 2026-06-01..2026-09-30; daily 18:00-02:00');
  it('is closed the day before the season and opens on its first evening', () => {
    expect(openStateAt(fruit, sh('2026-05-31 19:00'))).toEqual({ open: false, changesAt: sh('2026-06-01 18:00') });
  });
  it('lets the last evening of the season run past midnight, then has nothing planned', () => {
    expect(openStateAt(fruit, sh('2026-10-01 01:00'))).toEqual({ open: true, changesAt: sh('2026-10-01 02:00') });
    expect(openStateAt(fruit, sh('2026-10-01 18:30'))).toEqual({ open: false, changesAt: null });
  });
  it('applies a closed day and replacement hours', () => {
    const market = schedule('daily 06:00-20:00; closed 2026-10-01; 2026-10-02 10:00-14:00');
    expect(openStateAt(market, sh('2026-10-01 12:00'))).toEqual({ open: false, changesAt: sh('2026-10-02 10:00') });
    expect(openStateAt(market, sh('2026-10-02 07:00'))).toEqual({ open: false, changesAt: sh('2026-10-02 10:00') });
    expect(openStateAt(market, sh('2026-10-02 13:00'))).toEqual({ open: true, changesAt: sh('2026-10-02 14:00') });
    expect(windowsOnDate(market, sh('2026-10-02 13:00'))).toEqual(['10:00–14:00']);
  });
  it('describes today with overnight windows marked 次日', () => {
    expect(windowsOnDate(schedule('daily 06:00-08:30,18:00-02:00'), sh('2026-11-23 12:00'))).toEqual(['06:00–08:30', '18:00–次日02:00']);
  });
});

describe('validateSchedule refuses what operators get wrong', () => {
  const problemsOf = (s: StallSchedule) => validateSchedule(s);
  it.each<[string, StallSchedule, RegExp]>([
    [
      'overlapping windows on one day',
      {
        weekly: [
          {
            days: [1],
            windows: [
              { open: '06:00', close: '10:00' },
              { open: '09:00', close: '12:00' },
            ],
          },
        ],
      },
      /overlaps/,
    ],
    [
      'overlapping rules for the same day',
      {
        weekly: [
          { days: [1, 2], windows: [{ open: '06:00', close: '10:00' }] },
          { days: [2], windows: [{ open: '08:00', close: '11:00' }] },
        ],
      },
      /周二 06:00–10:00 overlaps 周二 08:00–11:00/,
    ],
    [
      "an overnight window running into the next day's",
      {
        weekly: [
          { days: [1], windows: [{ open: '22:00', close: '03:00' }] },
          { days: [2], windows: [{ open: '02:00', close: '05:00' }] },
        ],
      },
      /overlaps/,
    ],
    [
      'Sunday night running into Monday morning',
      {
        weekly: [
          { days: [7], windows: [{ open: '22:00', close: '03:00' }] },
          { days: [1], windows: [{ open: '01:00', close: '05:00' }] },
        ],
      },
      /overlaps/,
    ],
    ['an inverted window', { weekly: [{ days: [1], windows: [{ open: '21:00', close: '18:00' }] }] }, /closes before it opens; did you mean 18:00–21:00/],
    ['a zero-length window', { weekly: [{ days: [1], windows: [{ open: '08:00', close: '08:00' }] }] }, /same time/],
    ['a malformed time', { weekly: [{ days: [1], windows: [{ open: '6:00', close: '25:00' }] }] }, /not a time of day/],
    ['a weekday out of range', { weekly: [{ days: [0, 8] as never, windows: [{ open: '06:00', close: '08:00' }] }] }, /1 \(Monday\)/],
    ['an inverted season', { weekly: [{ days: [1], windows: [{ open: '06:00', close: '08:00' }] }], seasons: [{ from: '2026-09-30', to: '2026-06-01' }] }, /ends \(2026-06-01\) before it starts/],
    ['an impossible date', { weekly: [{ days: [1], windows: [{ open: '06:00', close: '08:00' }] }], exceptions: [{ date: '2026-02-30', closed: true }] }, /not a date/],
  ])('%s', (_label, s, message) => {
    expect(problemsOf(s).join('\n')).toMatch(message);
  });

  it('accepts a valid mix, including a legitimate overnight window', () => {
    expect(validateSchedule(schedule('1-5 06:00-08:30,17:00-21:00; 6,7 18:00-02:00; season 2026-06-01..2026-09-30; closed 2026-10-01'))).toEqual([]);
  });

  it('parses the compact text form and reports unreadable clauses', () => {
    expect(schedule('1-3,5 06:00-08:30')).toEqual({ weekly: [{ days: [1, 2, 3, 5], windows: [{ open: '06:00', close: '08:30' }] }] });
    expect(parseScheduleText('mondays 6-8').problems[0]).toMatch(/cannot read/);
    expect(parseScheduleText('daily 21:00-18:00').problems[0]).toMatch(/closes before it opens/);
  });
});

describe('stallOpenStatus', () => {
  const spot = { schedule: schedule('daily 06:00-21:00'), status: 'active' as const, suspendedUntil: null };
  it('labels open and closed spots with the next change in Shanghai time', () => {
    expect(stallOpenStatus(spot, sh('2026-11-23 10:00'))).toEqual({ state: 'open', changesAt: sh('2026-11-23 21:00').toISOString(), label: '营业中 · 21:00 收摊' });
    expect(stallOpenStatus(spot, sh('2026-11-23 22:00')).label).toBe('已收摊 · 明天 06:00 开市');
  });
  it('lets a suspension override the schedule until it lapses', () => {
    const until = sh('2026-11-25 00:00');
    const suspended = { ...spot, status: 'suspended' as const, suspendedUntil: until };
    expect(stallOpenStatus(suspended, sh('2026-11-23 10:00'))).toMatchObject({ state: 'suspended', changesAt: iso(until) });
    expect(stallOpenStatus(suspended, sh('2026-11-25 10:00')).state).toBe('open');
    expect(stallOpenStatus({ ...suspended, suspendedUntil: null }, sh('2030-01-01 10:00')).label).toBe('暂停开放');
  });
});

describe('geo helpers', () => {
  it('measures distance and gives a Chinese walking direction', () => {
    const a = { lat: 24.85, lng: 102.85 };
    const north = { lat: 24.86, lng: 102.85 };
    expect(distanceMeters(a, north)).toBeCloseTo(1112, -1);
    expect(directionZh(bearingDegrees(a, north))).toBe('北');
    expect(directionZh(bearingDegrees(a, { lat: 24.84, lng: 102.86 }))).toBe('东南');
  });
});

describe('openHoursIndex: the superset PostgreSQL filters "open now" on', () => {
  const { minuteOfWeek, openHoursIndex, openStateAt, parseScheduleText, shanghaiDayNumber } = jest.requireActual('@cityloop/shared') as typeof import('@cityloop/shared');
  const inSpans = (spans: Array<[number, number]>, x: number) => spans.some(([s, e]) => s <= x && x < e);
  const schedules = [
    'daily 06:00-22:00',
    '1-5 06:00-08:30,17:00-21:00; 6,7 18:00-02:00',
    '7 22:00-02:00',
    'daily 00:00-24:00',
    'season 2026-06-01..2026-09-30; daily 18:00-01:00; closed 2026-07-01; 2026-10-02 10:00-14:00',
    '6 09:00-12:00; 2026-11-25 20:00-03:00; closed 2026-11-28',
  ].map((text) => parseScheduleText(text).schedule!);

  it('holds every instant at which the rules say open (every 13 minutes over a year)', () => {
    let open = 0;
    const misses: string[] = [];
    for (const schedule of schedules) {
      const index = openHoursIndex(schedule);
      for (let t = Date.parse('2026-01-01T00:00:00+08:00'); t < Date.parse('2027-01-01T00:00:00+08:00'); t += 13 * 60_000) {
        const at = new Date(t);
        if (!openStateAt(schedule, at, 2).open) continue;
        open += 1;
        const day = shanghaiDayNumber(at);
        const dayOk = !index.days || inSpans(index.days, day) || inSpans(index.days, day - 1);
        if (!inSpans(index.week, minuteOfWeek(at)) || !dayOk) misses.push(at.toISOString());
      }
    }
    expect(misses).toEqual([]);
    expect(open).toBeGreaterThan(5_000);
  });

  it('splits an overnight Sunday window at the end of the week', () => {
    expect(openHoursIndex(parseScheduleText('7 22:00-02:00').schedule!).week).toEqual([
      [0, 120],
      [6 * 1440 + 22 * 60, 7 * 1440],
    ]);
  });
});
