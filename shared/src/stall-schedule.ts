/**
 * Stall-spot opening rules, evaluated in Asia/Shanghai (UTC+8, no daylight saving).
 *
 * A schedule is weekly windows, optionally limited to seasonal date ranges, with per-date exceptions.
 * A window whose close is not after its open crosses midnight (18:00–02:00 opens on the evening of
 * its day and closes at 02:00 the next morning); its day, for weekday, season and exception
 * purposes, is the day it opens. "24:00" closes at the end of the day.
 */

import { SHANGHAI_OFFSET_MS } from './time';

export interface TimeWindow {
  /** "HH:MM", 00:00–23:59 */
  open: string;
  /** "HH:MM", 00:00–24:00; at or before `open` means the next day */
  close: string;
}

/** ISO weekday: 1 = Monday … 7 = Sunday. */
export type Weekday = 1 | 2 | 3 | 4 | 5 | 6 | 7;

export interface WeeklyRule {
  days: Weekday[];
  windows: TimeWindow[];
}

export interface DateRange {
  /** "YYYY-MM-DD", inclusive */
  from: string;
  /** "YYYY-MM-DD", inclusive */
  to: string;
}

export interface ScheduleException {
  /** "YYYY-MM-DD" */
  date: string;
  /** Closed all day; otherwise `windows` replace the weekly ones for that date. */
  closed?: boolean;
  windows?: TimeWindow[];
  note?: string;
}

export interface StallSchedule {
  weekly: WeeklyRule[];
  /** When present, the weekly rules apply only on dates inside one of these ranges. */
  seasons?: DateRange[];
  exceptions?: ScheduleException[];
}

const DAY_MS = 86_400_000;
const MINUTES_PER_DAY = 1440;
/** A window that wraps past midnight for longer than this is almost surely typed backwards. */
const MAX_OVERNIGHT_MINUTES = 12 * 60;
export const WEEKDAY_ZH = ['', '周一', '周二', '周三', '周四', '周五', '周六', '周日'] as const;

const HM = /^([01]\d|2[0-3]):([0-5]\d)$|^24:00$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function parseHm(value: string): number | null {
  if (typeof value !== 'string' || !HM.test(value)) return null;
  const [h, m] = value.split(':').map(Number);
  return h * 60 + m;
}

/** Days since 1970-01-01 for a calendar date, or null when it is not a real date. */
export function parseDate(value: string): number | null {
  const m = typeof value === 'string' ? DATE.exec(value) : null;
  if (!m) return null;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  const back = new Date(ms);
  if (back.getUTCFullYear() !== Number(m[1]) || back.getUTCMonth() !== Number(m[2]) - 1 || back.getUTCDate() !== Number(m[3])) return null;
  return ms / DAY_MS;
}

const formatDay = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);
/** ISO weekday of a day number (1970-01-01 was a Thursday). */
const weekdayOf = (day: number) => ((((day + 3) % 7) + 7) % 7) + 1;

/** The Shanghai calendar day and minute-of-day of an instant. */
export function shanghaiClock(instant: Date): { day: number; minute: number; date: string; weekday: Weekday } {
  const local = instant.getTime() + SHANGHAI_OFFSET_MS;
  const day = Math.floor(local / DAY_MS);
  return { day, minute: Math.floor((local - day * DAY_MS) / 60_000), date: formatDay(day), weekday: weekdayOf(day) as Weekday };
}

/** The instant at which a Shanghai day + minute begins. */
function instantOf(day: number, minute: number): number {
  return day * DAY_MS + minute * 60_000 - SHANGHAI_OFFSET_MS;
}

/** [start, end) in minutes from the window's own day start; end may exceed 1440 for overnight windows. */
function windowSpan(w: TimeWindow): [number, number] {
  const open = parseHm(w.open)!;
  let close = parseHm(w.close)!;
  if (close <= open) close += MINUTES_PER_DAY;
  return [open, close];
}

/** Lists every problem with a schedule, in words an operator can act on; empty means valid. */
export function validateSchedule(schedule: StallSchedule): string[] {
  const problems: string[] = [];
  if (!schedule || !Array.isArray(schedule.weekly)) return ['weekly: must be a list of rules'];

  const checkWindows = (windows: TimeWindow[], where: string): boolean => {
    let ok = true;
    windows.forEach((w, i) => {
      const open = parseHm(w?.open);
      const close = parseHm(w?.close);
      if (open === null || open === MINUTES_PER_DAY) {
        problems.push(`${where}.windows[${i}].open: "${w?.open}" is not a time of day (HH:MM)`);
        ok = false;
      }
      if (close === null) {
        problems.push(`${where}.windows[${i}].close: "${w?.close}" is not a time of day (HH:MM, or 24:00)`);
        ok = false;
      }
      if (open === null || close === null) return;
      if (open === close) {
        problems.push(`${where}.windows[${i}]: opens and closes at the same time (${w.open})`);
        ok = false;
      } else if (close < open && close + MINUTES_PER_DAY - open > MAX_OVERNIGHT_MINUTES) {
        problems.push(`${where}.windows[${i}]: ${w.open}–${w.close} closes before it opens; did you mean ${w.close}–${w.open}?`);
        ok = false;
      }
    });
    return ok;
  };

  // Overlaps are checked on the weekly timeline (minutes from Monday 00:00), wrapping Sunday night into Monday.
  const WEEK = 7 * MINUTES_PER_DAY;
  const weekSpans: Array<{ id: number; start: number; end: number; label: string }> = [];
  schedule.weekly.forEach((rule, r) => {
    const where = `weekly[${r}]`;
    if (!Array.isArray(rule?.days) || rule.days.length === 0 || rule.days.some((d) => !Number.isInteger(d) || d < 1 || d > 7)) {
      problems.push(`${where}.days: list weekdays as 1 (Monday) … 7 (Sunday)`);
      return;
    }
    if (new Set(rule.days).size !== rule.days.length) problems.push(`${where}.days: a weekday is listed twice`);
    if (!Array.isArray(rule.windows) || rule.windows.length === 0) {
      problems.push(`${where}.windows: at least one opening window`);
      return;
    }
    if (!checkWindows(rule.windows, where)) return;
    for (const d of rule.days) {
      for (const w of rule.windows) {
        const [s, e] = windowSpan(w);
        weekSpans.push({ id: weekSpans.length, start: (d - 1) * MINUTES_PER_DAY + s, end: (d - 1) * MINUTES_PER_DAY + e, label: `${WEEKDAY_ZH[d]} ${w.open}–${w.close}` });
      }
    }
  });
  const spans = weekSpans.flatMap((s) => (s.end > WEEK ? [s, { ...s, start: s.start - WEEK, end: s.end - WEEK }] : [s]));
  spans.sort((a, b) => a.start - b.start);
  for (let i = 1; i < spans.length; i += 1) {
    if (spans[i].start < spans[i - 1].end && spans[i].id !== spans[i - 1].id) {
      problems.push(`weekly: ${spans[i - 1].label} overlaps ${spans[i].label}`);
    }
  }

  (schedule.seasons ?? []).forEach((range, i) => {
    const from = parseDate(range?.from);
    const to = parseDate(range?.to);
    if (from === null) problems.push(`seasons[${i}].from: "${range?.from}" is not a date (YYYY-MM-DD)`);
    if (to === null) problems.push(`seasons[${i}].to: "${range?.to}" is not a date (YYYY-MM-DD)`);
    if (from !== null && to !== null && to < from) problems.push(`seasons[${i}]: ends (${range.to}) before it starts (${range.from})`);
  });

  const seenDates = new Set<string>();
  (schedule.exceptions ?? []).forEach((ex, i) => {
    const where = `exceptions[${i}]`;
    if (parseDate(ex?.date) === null) problems.push(`${where}.date: "${ex?.date}" is not a date (YYYY-MM-DD)`);
    else if (seenDates.has(ex.date)) problems.push(`${where}.date: ${ex.date} has two exceptions`);
    else seenDates.add(ex.date);
    if (ex?.closed && ex.windows?.length) problems.push(`${where}: either closed or windows, not both`);
    if (!ex?.closed && !ex?.windows?.length) problems.push(`${where}: say closed: true or give windows`);
    if (ex?.windows?.length && checkWindows(ex.windows, where)) {
      const sorted = ex.windows.map(windowSpan).sort((a, b) => a[0] - b[0]);
      for (let k = 1; k < sorted.length; k += 1) if (sorted[k][0] < sorted[k - 1][1]) problems.push(`${where}.windows: windows overlap`);
    }
  });
  return problems;
}

/** Windows that open on a given Shanghai day, as [start, end) minutes from that day's start. */
function spansOpeningOn(schedule: StallSchedule, day: number): Array<[number, number]> {
  const date = formatDay(day);
  const exception = schedule.exceptions?.find((e) => e.date === date);
  if (exception) return exception.closed ? [] : (exception.windows ?? []).map(windowSpan).sort((a, b) => a[0] - b[0]);
  if (schedule.seasons?.length && !schedule.seasons.some((s) => parseDate(s.from)! <= day && day <= parseDate(s.to)!)) return [];
  const weekday = weekdayOf(day) as Weekday;
  return schedule.weekly
    .filter((r) => r.days.includes(weekday))
    .flatMap((r) => r.windows.map(windowSpan))
    .sort((a, b) => a[0] - b[0]);
}

export interface OpenState {
  open: boolean;
  /** When it closes (if open) or next opens (if closed); null when nothing changes within the horizon. */
  changesAt: Date | null;
}

/**
 * Whether the schedule is open at an instant, and when that next changes. Touching or overlapping
 * windows (including an overnight window running into the next day's) count as one opening.
 */
export function openStateAt(schedule: StallSchedule, instant: Date, horizonDays = 400): OpenState {
  const t = instant.getTime();
  const { day: today } = shanghaiClock(instant);
  let current: [number, number] | null = null;
  const settle = (span: [number, number]): OpenState | null => {
    if (span[1] <= t) return null;
    if (span[0] <= t) return { open: true, changesAt: new Date(span[1]) };
    return { open: false, changesAt: new Date(span[0]) };
  };
  for (let day = today - 1; day <= today + horizonDays; day += 1) {
    for (const [s, e] of spansOpeningOn(schedule, day)) {
      const span: [number, number] = [instantOf(day, s), instantOf(day, e)];
      if (current && span[0] <= current[1]) {
        current[1] = Math.max(current[1], span[1]);
        continue;
      }
      if (current) {
        const state = settle(current);
        if (state) return state;
      }
      current = span;
    }
  }
  if (current) {
    // An opening still running at the horizon's end (e.g. 00:00–24:00 daily) has no known close.
    const horizonEnd = instantOf(today + horizonDays + 1, 0);
    const state = settle(current);
    if (state?.open && current[1] >= horizonEnd) return { open: true, changesAt: null };
    if (state) return state;
  }
  return { open: false, changesAt: null };
}

/** Today's opening windows as text, e.g. ["06:00–08:30", "18:00–次日02:00"]; exceptions and seasons applied. */
export function windowsOnDate(schedule: StallSchedule, instant: Date): string[] {
  const { day } = shanghaiClock(instant);
  const hm = (m: number) => `${String(Math.floor(m / 60) % 24).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
  return spansOpeningOn(schedule, day).map(([s, e]) => `${hm(s)}–${e > MINUTES_PER_DAY ? '次日' : ''}${e === MINUTES_PER_DAY ? '24:00' : hm(e)}`);
}

/**
 * A compact text form used in CSV imports and seed data, one clause per ";":
 *   "1-5 06:00-08:30,17:00-21:00"   weekdays 1..7 (ranges or lists, or "daily") with windows
 *   "season 2026-06-01..2026-09-30" limits the weekly rules to that date range
 *   "closed 2026-10-01"             closed all day
 *   "2026-10-02 10:00-14:00"        replaces that day's windows
 */
export function parseScheduleText(text: string): { schedule?: StallSchedule; problems: string[] } {
  const schedule: StallSchedule = { weekly: [] };
  const problems: string[] = [];
  const clauses = String(text ?? '')
    .split(';')
    .map((c) => c.trim())
    .filter(Boolean);
  if (clauses.length === 0) return { problems: ['schedule: empty'] };
  const parseWindows = (list: string, clause: string): TimeWindow[] | null => {
    const windows = list.split(',').map((w) => {
      const m = /^(\d{2}:\d{2})-(\d{2}:\d{2})$/.exec(w.trim());
      return m ? { open: m[1], close: m[2] } : null;
    });
    if (windows.some((w) => w === null)) {
      problems.push(`schedule: "${clause}" has a window that is not HH:MM-HH:MM`);
      return null;
    }
    return windows as TimeWindow[];
  };
  for (const clause of clauses) {
    let m: RegExpExecArray | null;
    if ((m = /^season\s+(\S+)\.\.(\S+)$/i.exec(clause))) {
      (schedule.seasons ??= []).push({ from: m[1], to: m[2] });
    } else if ((m = /^closed\s+(\S+)$/i.exec(clause))) {
      (schedule.exceptions ??= []).push({ date: m[1], closed: true });
    } else if ((m = /^(\d{4}-\d{2}-\d{2})\s+(.+)$/.exec(clause))) {
      const windows = parseWindows(m[2], clause);
      if (windows) (schedule.exceptions ??= []).push({ date: m[1], windows });
    } else if ((m = /^(daily|[1-7](?:[-,][1-7])*)\s+(.+)$/i.exec(clause))) {
      const days = parseDays(m[1]);
      const windows = parseWindows(m[2], clause);
      if (!days) problems.push(`schedule: "${m[1]}" is not a weekday list like 1-5 or 6,7`);
      else if (windows) schedule.weekly.push({ days, windows });
    } else {
      problems.push(`schedule: cannot read "${clause}"`);
    }
  }
  if (problems.length) return { problems };
  const invalid = validateSchedule(schedule);
  return invalid.length ? { problems: invalid.map((p) => `schedule: ${p}`) } : { schedule, problems: [] };
}

function parseDays(spec: string): Weekday[] | null {
  if (spec.toLowerCase() === 'daily') return [1, 2, 3, 4, 5, 6, 7];
  const days = new Set<number>();
  for (const part of spec.split(',')) {
    const [a, b] = part.split('-').map(Number);
    if (b === undefined) days.add(a);
    else if (a > b) return null;
    else for (let d = a; d <= b; d += 1) days.add(d);
  }
  return [...days].sort() as Weekday[];
}

/** Minutes from Monday 00:00 (Shanghai) of an instant, 0 … 10079. */
export function minuteOfWeek(instant: Date): number {
  const { weekday, minute } = shanghaiClock(instant);
  return (weekday - 1) * MINUTES_PER_DAY + minute;
}

/** A Shanghai day number (days since 1970-01-01) of an instant. */
export function shanghaiDayNumber(instant: Date): number {
  return shanghaiClock(instant).day;
}

/**
 * A superset of when a schedule can be open, in two parts an index can hold, so "open now" is
 * filtered by PostgreSQL and only confirmed by `openStateAt`:
 * - `week`: minutes of the week (Monday 00:00 = 0) covered by any weekly window or any exception's
 *   windows (on that exception's weekday), overnight windows split at Sunday midnight;
 * - `days`: day numbers on which a window may open: the seasons plus the exception dates that have
 *   windows, or null (every day) when there are no seasons.
 * A schedule open at instant t has minuteOfWeek(t) in `week`, and the day its current window opened
 * (today or yesterday) in `days`. The converse need not hold (seasons, closed dates), hence the check.
 */
export function openHoursIndex(schedule: StallSchedule): { week: Array<[number, number]>; days: Array<[number, number]> | null } {
  const WEEK = 7 * MINUTES_PER_DAY;
  const week: Array<[number, number]> = [];
  const addWindows = (weekday: number, windows: TimeWindow[]) => {
    for (const w of windows) {
      const [s, e] = windowSpan(w);
      const start = (weekday - 1) * MINUTES_PER_DAY + s;
      const end = (weekday - 1) * MINUTES_PER_DAY + e;
      if (end <= WEEK) week.push([start, end]);
      else week.push([start, WEEK], [0, end - WEEK]);
    }
  };
  for (const rule of schedule.weekly) for (const d of rule.days) addWindows(d, rule.windows);
  const openExceptions = (schedule.exceptions ?? []).filter((ex) => !ex.closed && ex.windows?.length);
  for (const ex of openExceptions) addWindows(weekdayOf(parseDate(ex.date)!), ex.windows!);
  let days: Array<[number, number]> | null = null;
  if (schedule.seasons?.length) {
    days = [
      ...schedule.seasons.map((s): [number, number] => [parseDate(s.from)!, parseDate(s.to)! + 1]),
      ...openExceptions.map((ex): [number, number] => [parseDate(ex.date)!, parseDate(ex.date)! + 1]),
    ];
  }
  return { week: mergeSpans(week), days: days && mergeSpans(days) };
}

function mergeSpans(spans: Array<[number, number]>): Array<[number, number]> {
  const sorted = [...spans].sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [];
  for (const [s, e] of sorted) {
    const last = merged[merged.length - 1];
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else merged.push([s, e]);
  }
  return merged;
}

/** `openHoursIndex` as PostgreSQL literals: one int4range per week span; days as an int4multirange, `{(,)}` for any day. */
export function openHoursLiterals(schedule: StallSchedule): { weeks: string[]; days: string } {
  const { week, days } = openHoursIndex(schedule);
  return { weeks: week.map(([s, e]) => `[${s},${e})`), days: days ? `{${days.map(([s, e]) => `[${s},${e})`).join(',')}}` : '{(,)}' };
}
