/** Storage is UTC; everything shown to people is Asia/Shanghai (UTC+8, no DST). */
export const DISPLAY_TIME_ZONE = 'Asia/Shanghai';

/** Asia/Shanghai is UTC+8 all year (no daylight saving since 1991). */
export const SHANGHAI_OFFSET_MS = 8 * 60 * 60 * 1000;

/** Formats an instant as `YYYY-MM-DD HH:mm` in Asia/Shanghai without relying on the runtime's ICU data. */
export function formatShanghai(instant: Date | string): string {
  const date = typeof instant === 'string' ? new Date(instant) : instant;
  const shifted = new Date(date.getTime() + SHANGHAI_OFFSET_MS);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${shifted.getUTCFullYear()}-${pad(shifted.getUTCMonth() + 1)}-${pad(shifted.getUTCDate())} ${pad(shifted.getUTCHours())}:${pad(shifted.getUTCMinutes())}`;
}

/**
 * The years a date or instant may fall in. JavaScript dates reach ±275,760 years, but past 9999 an
 * instant serialises as "+010000-…", which PostgreSQL cannot read, and year 0 does not exist there;
 * nothing CityLoop records happened before 1970. Every date from outside is checked against this.
 */
export const CALENDAR_YEARS = { min: 1970, max: 9999 } as const;

/** Whether an instant is a real date within CALENDAR_YEARS (UTC). */
export function isStorableInstant(instant: Date): boolean {
  const year = instant.getUTCFullYear();
  return Number.isFinite(instant.getTime()) && year >= CALENDAR_YEARS.min && year <= CALENDAR_YEARS.max;
}

const inYears = (year: number) => year >= CALENDAR_YEARS.min && year <= CALENDAR_YEARS.max;

/** Whether a YYYY-MM string names a month within CALENDAR_YEARS. */
export function isCalendarMonth(month: string): boolean {
  return /^\d{4}-(0[1-9]|1[0-2])$/.test(month) && inYears(Number(month.slice(0, 4)));
}

/** Whether a YYYY-MM-DD string names a real calendar day (no 2023-02-29) within CALENDAR_YEARS. */
export function isCalendarDay(day: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return false;
  const [y, m, d] = day.split('-').map(Number);
  const date = new Date(Date.UTC(y, m - 1, d));
  return inYears(y) && date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

/** A Shanghai calendar day (YYYY-MM-DD) as the UTC instant it starts at. */
export function shanghaiDayStart(day: string): Date {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d) - SHANGHAI_OFFSET_MS);
}

/** The Shanghai calendar day (YYYY-MM-DD) an instant falls on. */
export function shanghaiDay(instant: Date): string {
  return new Date(instant.getTime() + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
}

/** Shanghai days `from`..`to` (both included, either optional) as a half-open [start, end) UTC range. */
export function shanghaiDayRange(from?: string, to?: string): { start?: Date; end?: Date } {
  return { start: from ? shanghaiDayStart(from) : undefined, end: to ? new Date(shanghaiDayStart(to).getTime() + 86_400_000) : undefined };
}
