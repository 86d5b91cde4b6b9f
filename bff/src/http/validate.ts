import { COORD_SYSTEMS, type CoordSystem } from '@cityloop/shared';
import { z } from 'zod';
import { AppError } from './errors';

/** Parses untrusted input with a zod schema; failures become VALIDATION_FAILED with field paths. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const fields = result.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
  const first = fields[0];
  throw new AppError(
    'VALIDATION_FAILED',
    first ? `${first.path || 'body'}: ${first.message}` : 'invalid input',
    { fields },
  );
}

/** The keys of a code table (e.g. STALL_GOODS) as a zod enum tuple. */
export const keysOf = <T extends Record<string, unknown>>(o: T) => Object.keys(o) as [keyof T & string, ...(keyof T & string)[]];

/** Query strings arrive as text; numbers must be plain decimals (no "", "1e3" or "0x10"). */
export const decimalParam = z.string().trim().regex(/^-?\d+(\.\d+)?$/, 'must be a number').transform(Number);
export const latParam = decimalParam.pipe(z.number().min(-90).max(90));
export const lngParam = decimalParam.pipe(z.number().min(-180).max(180));
/** Every API field with coordinates names its system; the mini-program's is GCJ-02. */
export const coordSystemSchema = z.enum(COORD_SYSTEMS as [CoordSystem, ...CoordSystem[]]);
export const coordSystemParam = coordSystemSchema.default('gcj02');

/** Trimmed text whose length is counted in characters (code points), as residents count them, not UTF-16 units. */
export const boundedText = (min: number, max: number) =>
  z
    .string()
    .trim()
    .refine((s) => Array.from(s).length >= min, `at least ${min} characters`)
    .refine((s) => Array.from(s).length <= max, `at most ${max} characters`);

/** A canonical UUID. Ids from the URL are checked with it before they reach a uuid column, where a malformed one would be a database error. */
export const isUuid = (s: string): boolean => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);
