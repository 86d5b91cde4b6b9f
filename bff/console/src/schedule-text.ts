import { WEEKDAY_ZH, type StallSchedule, type TimeWindow, type Weekday } from '@cityloop/shared';

/** The inverse of shared's parseScheduleText: a schedule in the compact text form used in CSV files. */
export function scheduleToText(s: StallSchedule): string {
  const days = (list: Weekday[]) => {
    const sorted = [...list].sort();
    if (sorted.length === 7) return 'daily';
    const runs: string[] = [];
    for (let i = 0; i < sorted.length;) {
      let j = i;
      while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j += 1;
      runs.push(j - i >= 2 ? `${sorted[i]}-${sorted[j]}` : sorted.slice(i, j + 1).join(','));
      i = j + 1;
    }
    return runs.join(',');
  };
  const windows = (ws: TimeWindow[]) => ws.map((w) => `${w.open}-${w.close}`).join(',');
  return [
    ...s.weekly.map((r) => `${days(r.days)} ${windows(r.windows)}`),
    ...(s.seasons ?? []).map((r) => `season ${r.from}..${r.to}`),
    ...(s.exceptions ?? []).map((e) => (e.closed ? `closed ${e.date}` : `${e.date} ${windows(e.windows ?? [])}`)),
  ].join('; ');
}

/** One line per weekday (周一 … 周日) with its windows, "休息" when none; a window past midnight says 次日. */
export function readableWeek(s: StallSchedule): { day: string; hours: string }[] {
  return ([1, 2, 3, 4, 5, 6, 7] as Weekday[]).map((d) => {
    const ws = s.weekly.filter((r) => r.days.includes(d)).flatMap((r) => r.windows);
    return { day: WEEKDAY_ZH[d], hours: ws.length ? ws.map((w) => `${w.open}–${w.close <= w.open ? '次日' : ''}${w.close}`).join('，') : '休息' };
  });
}
