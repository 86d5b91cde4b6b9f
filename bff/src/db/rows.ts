/**
 * Row parsers for raw SQL. The drivers disagree on column types: PGlite answers bigint and numeric
 * as numbers, node-postgres as strings; timestamps come back as Date or text depending on the query.
 * A parser converts and checks each column, so the types a query declares are the ones it delivers.
 */

export type Column<T> = (value: unknown, name: string) => T;
export type RowParser<T> = (row: Record<string, unknown>) => T;

/** A row whose column does not match what the query declared: a programming error, not a user one. */
export class RowShapeError extends Error {
  constructor(column: string, expected: string, value: unknown) {
    super(`column ${column}: expected ${expected}, got ${value === null ? 'null' : typeof value}`);
    this.name = 'RowShapeError';
  }
}

/** A whole number that fits a JS number exactly (int, bigint, count, integral numeric). */
export const int: Column<number> = (v, name) => {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : typeof v === 'bigint' ? Number(v) : NaN;
  if (!Number.isSafeInteger(n)) throw new RowShapeError(name, 'a safe integer', v);
  return n;
};

/** A finite number (double precision, numeric). */
export const num: Column<number> = (v, name) => {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  if (!Number.isFinite(n)) throw new RowShapeError(name, 'a finite number', v);
  return n;
};

export const text: Column<string> = (v, name) => {
  if (typeof v !== 'string') throw new RowShapeError(name, 'text', v);
  return v;
};

export const bool: Column<boolean> = (v, name) => {
  if (typeof v === 'boolean') return v;
  // node-postgres leaves booleans from some expressions as 't'/'f' text.
  if (v === 't' || v === 'true') return true;
  if (v === 'f' || v === 'false') return false;
  throw new RowShapeError(name, 'a boolean', v);
};

/** A timestamp as a Date (drivers give Date for timestamptz columns, text for computed ones). */
export const date: Column<Date> = (v, name) => {
  const d = v instanceof Date ? v : typeof v === 'string' ? new Date(v) : null;
  if (!d || Number.isNaN(d.getTime())) throw new RowShapeError(name, 'a timestamp', v);
  return d;
};

/** jsonb: objects as they are; text when a driver did not parse it. */
export const json =
  <T = Record<string, unknown>>(): Column<T> =>
  (v, name) => {
    if (typeof v === 'string') {
      try {
        return JSON.parse(v) as T;
      } catch {
        throw new RowShapeError(name, 'json', v);
      }
    }
    if (v === null || typeof v !== 'object') throw new RowShapeError(name, 'json', v);
    return v as T;
  };

/** Text that must be one of the given values (a status, a kind). */
export const oneOf =
  <const T extends string>(values: readonly T[]): Column<T> =>
  (v, name) => {
    if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) throw new RowShapeError(name, `one of ${values.join(', ')}`, v);
    return v as T;
  };

/** Allows SQL null (and a missing column, which drivers never produce for a selected one). */
export const nullable =
  <T>(col: Column<T>): Column<T | null> =>
  (v, name) =>
    v === null || v === undefined ? null : col(v, name);

/** A parser for a row of the given columns; keys are the SQL column names, extra columns are ignored. */
export function row<S extends Record<string, Column<unknown>>>(shape: S): RowParser<{ [K in keyof S]: ReturnType<S[K]> }> {
  const entries = Object.entries(shape);
  return (r) => {
    const out: Record<string, unknown> = {};
    for (const [key, col] of entries) out[key] = col(r[key], key);
    return out as { [K in keyof S]: ReturnType<S[K]> };
  };
}
