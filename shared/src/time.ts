/** Storage is UTC; everything shown to people is Asia/Shanghai (UTC+8, no DST). */
export const DISPLAY_TIME_ZONE = 'Asia/Shanghai';

const SHANGHAI_OFFSET_MS = 8 * 60 * 60 * 1000;

/** Formats an instant as `YYYY-MM-DD HH:mm` in Asia/Shanghai without relying on the runtime's ICU data. */
export function formatShanghai(instant: Date | string): string {
  const date = typeof instant === 'string' ? new Date(instant) : instant;
  const shifted = new Date(date.getTime() + SHANGHAI_OFFSET_MS);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${shifted.getUTCFullYear()}-${pad(shifted.getUTCMonth() + 1)}-${pad(shifted.getUTCDate())} ${pad(shifted.getUTCHours())}:${pad(shifted.getUTCMinutes())}`;
}
