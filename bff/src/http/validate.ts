import { charCount, COORD_SYSTEMS, isCalendarDay, isCalendarMonth, isErrorCode, isStorableInstant, isStorableText, type CoordSystem, type ErrorCode } from '@cityloop/shared';
import { z } from 'zod';
import { AppError } from './errors';

/**
 * Parses untrusted input with a zod schema; failures become VALIDATION_FAILED with field paths, or
 * the more specific code a check names in its params (TEXT_NOT_STORABLE), so clients can tell them apart.
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues;
  const fields = issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
  const codes = issues.map((issue): ErrorCode | undefined => (issue.code === 'custom' && isErrorCode(issue.params?.code) ? issue.params.code : undefined));
  const specific = codes.findIndex(Boolean);
  const first = fields[Math.max(specific, 0)];
  throw new AppError(codes[specific] ?? 'VALIDATION_FAILED', first ? `${first.path || 'body'}: ${first.message}` : 'invalid input', { fields });
}

/** The keys of a code table (e.g. STALL_GOODS) as a zod enum tuple. */
export const keysOf = <T extends Record<string, unknown>>(o: T) => Object.keys(o) as [keyof T & string, ...(keyof T & string)[]];

/** Query strings arrive as text; numbers must be plain decimals (no "", "1e3" or "0x10"). */
export const decimalParam = z
  .string()
  .trim()
  .regex(/^-?\d+(\.\d+)?$/, 'must be a number')
  .transform(Number);
export const latParam = decimalParam.pipe(z.number().min(-90).max(90));
export const lngParam = decimalParam.pipe(z.number().min(-180).max(180));
/** Every API field with coordinates names its system; the mini-program's is GCJ-02. */
export const coordSystemSchema = z.enum(COORD_SYSTEMS as [CoordSystem, ...CoordSystem[]]);
export const coordSystemParam = coordSystemSchema.default('gcj02');

/**
 * Every free-text field of every route, body or query: text PostgreSQL can store (no NUL, no lone
 * surrogate, refused as TEXT_NOT_STORABLE), trimmed unless `trim: false` (passwords), with its length
 * counted in characters (code points), as residents count them, not UTF-16 units.
 */
export const boundedText = (min: number, max: number, options: { trim?: boolean } = {}) => {
  const storable = z.string().refine(isStorableText, { message: 'contains a NUL byte or a broken character (lone surrogate)', params: { code: 'TEXT_NOT_STORABLE' }, abort: true });
  return (options.trim === false ? storable : storable.trim()).refine((s) => charCount(s) >= min, `at least ${min} characters`).refine((s) => charCount(s) <= max, `at most ${max} characters`);
};

/** An ISO 8601 instant with an offset, within the years PostgreSQL and we can hold (see CALENDAR_YEARS). */
export const instantSchema = z.iso.datetime({ offset: true }).refine((s) => isStorableInstant(new Date(s)), 'must be a date between 1970 and 9999');
/** A calendar month YYYY-MM within CALENDAR_YEARS. */
export const monthParam = z.string().refine(isCalendarMonth, 'must be a month YYYY-MM between 1970 and 9999');
/** A calendar day YYYY-MM-DD within CALENDAR_YEARS. */
export const dayParam = z.string().refine(isCalendarDay, 'must be a calendar day YYYY-MM-DD between 1970 and 9999');

/** A canonical UUID. Ids from the URL are checked with it before they reach a uuid column, where a malformed one would be a database error. */
export const isUuid = (s: string): boolean => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);
