import { LIMITS, staffPasswordTooShort } from '@cityloop/shared';

/** What a new staff password must be, as the BFF checks it (LIMITS.staffPasswordMinLength, in characters). */
export const PASSWORD_LENGTH_HINT = `至少 ${LIMITS.staffPasswordMinLength} 个字符`;

/** The form rules for a new password: required, and long enough counted as the BFF counts. */
export function newPasswordRules(required: string, tooShort: string) {
  return [{ required: true, message: required }, { validator: (_: unknown, value?: string) => (!value || !staffPasswordTooShort(value) ? Promise.resolve() : Promise.reject(new Error(tooShort))) }];
}
