import { REPORT_LIMITS } from '@cityloop/shared';
import { AppError } from './errors';

/**
 * The request's `Idempotency-Key`: 1–100 visible ASCII characters, trimmed. Every route that takes
 * one reads it here, so the rule and its errors are the same everywhere.
 */
export function idempotencyKeyOf(ctx: { get(name: string): string }): string {
  const key = ctx.get('idempotency-key').trim();
  if (!key) throw new AppError('IDEMPOTENCY_KEY_REQUIRED', undefined, { header: 'Idempotency-Key' });
  if (key.length > REPORT_LIMITS.idempotencyKeyMaxLength || !/^[\x21-\x7e]+$/.test(key)) {
    throw new AppError('IDEMPOTENCY_KEY_INVALID', undefined, { header: 'Idempotency-Key', maxLength: REPORT_LIMITS.idempotencyKeyMaxLength, charset: 'visible ASCII' });
  }
  return key;
}
