import { PAGE_LIMITS, type SortDirection } from '@cityloop/shared';
import { sql, type AnyColumn, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { AppError } from './errors';
import { boundedText, decimalParam } from './validate';

/**
 * The staff API's one paging and sorting convention: `?limit&cursor&sort=field:asc|desc` in, `{ items,
 * nextCursor }` out. Paging is keyset (the cursor holds the last row's sort value and id), so a deep
 * page costs what the first one does and rows written meanwhile neither repeat nor vanish.
 */
export const limitParam = (fallback: number = PAGE_LIMITS.default, max: number = PAGE_LIMITS.max) => decimalParam.pipe(z.number().int().min(1).max(max)).default(fallback);

export const cursorParam = boundedText(1, 500);

export interface Sort<F extends string> {
  field: F;
  direction: SortDirection;
}

/** `field:asc|desc` (the direction defaults to desc) among the list's fields; anything else is 400 SORT_INVALID. */
export function sortParam<F extends string>(spec: { fields: readonly F[]; default: string }) {
  const parse = (s: string): Sort<F> | null => {
    const [field, direction = 'desc', ...rest] = s.split(':');
    if (rest.length || !(spec.fields as readonly string[]).includes(field) || (direction !== 'asc' && direction !== 'desc')) return null;
    return { field: field as F, direction };
  };
  const fallback = parse(spec.default)!;
  return z
    .string()
    .refine((s) => parse(s) !== null, { message: `one of ${spec.fields.map((f) => `${f}:asc|desc`).join(', ')}`, params: { code: 'SORT_INVALID' } })
    .optional()
    .transform((s) => (s === undefined ? fallback : parse(s)!));
}

/** Cursors name the list and sort they came from, so one handed to another list or order is refused. */
export function encodeCursor(scope: string, sort: Sort<string>, value: string, id: string): string {
  return Buffer.from(JSON.stringify({ s: `${scope}:${sort.field}:${sort.direction}`, v: value, i: id })).toString('base64url');
}

export function decodeCursor(cursor: string, scope: string, sort: Sort<string>, isId: (id: string) => boolean, isValue: (v: string) => boolean): { value: string; id: string } {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { s?: unknown; v?: unknown; i?: unknown };
    if (parsed.s === `${scope}:${sort.field}:${sort.direction}` && typeof parsed.v === 'string' && typeof parsed.i === 'string' && isId(parsed.i) && isValue(parsed.v)) {
      return { value: parsed.v, id: parsed.i };
    }
  } catch {
    // fall through
  }
  throw new AppError('CURSOR_INVALID', 'cursor: not a cursor this list handed out with this sort');
}

/** A timestamptz as exact text (microseconds, UTC), for cursors. */
export const timestampText = (column: AnyColumn | SQL) => sql<string>`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
/** What `timestampText` writes, within the years we store. */
export const isTimestampText = (v: string) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/.test(v) && Number.isFinite(Date.parse(v)) && Number(v.slice(0, 4)) >= 1970;

/** Rows after the cursor in the list's order: `(sortColumn, id) < (value, id)` descending, `>` ascending. */
export function afterCursor(sortColumn: AnyColumn | SQL, idColumn: AnyColumn | SQL, direction: SortDirection, value: SQL, id: SQL): SQL {
  return direction === 'desc' ? sql`(${sortColumn}, ${idColumn}) < (${value}, ${id})` : sql`(${sortColumn}, ${idColumn}) > (${value}, ${id})`;
}

/** ORDER BY for a keyset list. */
export function keysetOrder(sortColumn: AnyColumn | SQL, idColumn: AnyColumn | SQL, direction: SortDirection): SQL[] {
  return direction === 'desc' ? [sql`${sortColumn} desc`, sql`${idColumn} desc`] : [sql`${sortColumn} asc`, sql`${idColumn} asc`];
}

/** The page and the cursor to the next one, from `limit + 1` rows. */
export function pageOf<R, T>(rows: R[], limit: number, present: (row: R) => T, cursorOf: (row: R) => string): { items: T[]; nextCursor: string | null } {
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { items: page.map(present), nextCursor: rows.length > limit && last ? cursorOf(last) : null };
}

/** Escapes LIKE's wildcards so user text matches literally. */
export const likePrefix = (text: string) => `${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
