import type { z } from 'zod';
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
