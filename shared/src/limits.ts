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

/** `dev:alice` style codes accepted only by the dev WeChat stand-in. */
export const DEV_WECHAT_CODE_PATTERN = /^dev:[A-Za-z0-9_-]{1,64}$/;
