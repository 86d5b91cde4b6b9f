/** Request and field limits enforced by the BFF and mirrored by the mini-program's forms. */
export const LIMITS = {
  /** JSON bodies: enough for any form we have; photos travel as multipart, never inside JSON. */
  jsonBodyBytes: 64 * 1024,
  /** WeChat login codes are 32 characters; dev codes are `dev:<name>`. */
  wechatCodeMaxLength: 128,
  staffUsernameMaxLength: 64,
  staffPasswordMinLength: 12,
  staffPasswordMaxLength: 256,
  nicknameMaxLength: 32,
} as const;

/** A staff password is long enough at LIMITS.staffPasswordMinLength characters (code points, as people count them). */
export function staffPasswordTooShort(password: string): boolean {
  return Array.from(password).length < LIMITS.staffPasswordMinLength;
}

/** `dev:alice` style codes accepted only by the dev WeChat stand-in. */
export const DEV_WECHAT_CODE_PATTERN = /^dev:[A-Za-z0-9_-]{1,64}$/;

/**
 * Open reports shown around the pin (GET /reports/nearby without a category): every category within
 * `radiusMeters`, nearest first, at most `maxItems`. With a category the duplicate hint keeps its own
 * radius (the category's) and `REPORT_LIMITS.nearbyMax`.
 */
export const MAP_REPORT_LIMITS = { radiusMeters: 1000, maxItems: 50 } as const;

/**
 * Reverse-geocoded addresses are cached by the GCJ-02 point rounded to this many decimals (about 1 m),
 * so dragging the pin back and forth, or submitting where the pin was dropped, costs no more quota.
 */
export const GEOCODE_CACHE_DECIMALS = 5;
