import { formatShanghai } from '@cityloop/shared';

/** Integer fen as ¥x.xx (¥-3.00 for a reversal). */
export function yuan(fen: number): string {
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(Math.trunc(fen));
  return `${sign}¥${Math.floor(abs / 100).toLocaleString('en-US')}.${String(abs % 100).padStart(2, '0')}`;
}

/** An ISO instant in Asia/Shanghai, `YYYY-MM-DD HH:mm`; "—" when absent. */
export function shTime(iso: string | null | undefined): string {
  return iso ? formatShanghai(iso) : '—';
}

/** A rate with one decimal, or "—" when its denominator is zero (never a made-up 100%). */
export function rate(value: number | null | undefined): string {
  return value === null || value === undefined ? '—' : `${value.toFixed(1)}%`;
}

/** Today's date in Asia/Shanghai, YYYY-MM-DD. */
export function shanghaiToday(): string {
  return formatShanghai(new Date()).slice(0, 10);
}

/** Yuan typed by a person ("12.5") to integer fen, or null when it is not a money amount. */
export function fenFromYuan(text: string): number | null {
  const m = /^\s*(\d{1,9})(?:\.(\d{1,2}))?\s*$/.exec(text);
  if (!m) return null;
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
}
