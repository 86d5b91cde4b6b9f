/**
 * Stable error codes shared by the BFF and the mini-program.
 * The BFF answers every failure as `{ "error": { "code", "message" } }`; clients switch on `code`,
 * never on `message`. Codes are part of the public API: add new ones, never rename.
 */
export const ERRORS = {
  VALIDATION_FAILED: { status: 400, zh: '提交的内容有误，请检查后重试' },
  MALFORMED_JSON: { status: 400, zh: '请求格式有误' },
  /** A list's cursor that this list (with this sort) did not hand out. */
  CURSOR_INVALID: { status: 400, zh: '翻页参数无效，请从第一页重新加载' },
  /** A sort field the list does not offer, or a direction other than asc / desc. */
  SORT_INVALID: { status: 400, zh: '不支持的排序方式' },
  /** Text with a NUL byte or a lone surrogate (half an emoji): nothing can store or show it. */
  TEXT_NOT_STORABLE: { status: 400, zh: '内容含有无法识别的字符（如空字符或残缺的表情），请删除后重试' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, zh: '不支持的内容类型' },
  PAYLOAD_TOO_LARGE: { status: 413, zh: '提交的内容太大' },
  UNAUTHENTICATED: { status: 401, zh: '请先登录' },
  TOKEN_EXPIRED: { status: 401, zh: '登录已过期，请重新登录' },
  TOKEN_INVALID: { status: 401, zh: '登录状态无效，请重新登录' },
  FORBIDDEN: { status: 403, zh: '没有权限进行此操作' },
  SECOND_STAFF_REQUIRED: { status: 403, zh: '此操作须由另一名工作人员确认（管审分离）' },
  USER_BLOCKED: { status: 403, zh: '账号已被限制使用' },
  ACCOUNT_HAS_BALANCE: { status: 409, zh: '您还有奖励余额未提现，请先提现，或确认放弃余额后再注销' },
  ACCOUNT_PAYOUT_IN_PROGRESS: { status: 409, zh: '您有提现正在处理中，处理完成后才能注销账号' },
  CONFIRMATION_REQUIRED: { status: 400, zh: '请确认后再操作' },
  NOT_FOUND: { status: 404, zh: '内容不存在' },
  METHOD_NOT_ALLOWED: { status: 405, zh: '不支持的操作' },
  RATE_LIMITED: { status: 429, zh: '操作太频繁，请稍后再试' },
  WECHAT_CODE_INVALID: { status: 401, zh: '微信登录失败，请重试' },
  WECHAT_RATE_LIMITED: { status: 429, zh: '微信登录太频繁，请稍后再试' },
  WECHAT_UNAVAILABLE: { status: 503, zh: '微信服务暂时不可用，请稍后再试' },
  STAFF_LOGIN_FAILED: { status: 401, zh: '用户名或密码错误' },
  STAFF_ACCOUNT_LOCKED: { status: 423, zh: '密码错误次数过多，账号已暂时锁定，请稍后再试或联系管理员解锁' },
  IMPORT_INVALID: { status: 422, zh: '导入文件有错误，未导入任何数据' },
  CONFLICT: { status: 409, zh: '内容已存在或已被修改' },
  PHOTO_UNSUPPORTED_TYPE: { status: 415, zh: '只支持 JPEG、PNG 或 WebP 格式的照片' },
  PHOTO_HEIC_UNSUPPORTED: { status: 415, zh: '暂不支持 HEIC 格式，请在相机设置中选择“兼容性最佳”后重拍' },
  PHOTO_INVALID: { status: 422, zh: '照片已损坏或无法识别，请换一张' },
  IDEMPOTENCY_KEY_REQUIRED: { status: 400, zh: '请求缺少幂等键' },
  IDEMPOTENCY_KEY_REUSED: { status: 409, zh: '该请求已用不同内容提交过' },
  /** An Idempotency-Key header longer than 100 characters or with characters other than visible ASCII. */
  IDEMPOTENCY_KEY_INVALID: { status: 400, zh: '请求的幂等键无效' },
  /** The same Idempotency-Key is being handled by a request still running; the first one's answer will stand. */
  IDEMPOTENT_REQUEST_IN_PROGRESS: { status: 409, zh: '请求正在处理，请稍后刷新' },
  WEBHOOK_SIGNATURE_INVALID: { status: 401, zh: '签名无效' },
  REWARD_CLAIM_INVALID: { status: 422, zh: '提现金额不符合规则' },
  INSUFFICIENT_BALANCE: { status: 409, zh: '余额不足' },
  REWARD_APPEAL_NOT_ALLOWED: { status: 409, zh: '此举报当前不能申诉' },
  REWARD_APPEAL_EXISTS: { status: 409, zh: '每条举报只能申诉一次' },
  REVIEW_ALREADY_DECIDED: { status: 409, zh: '已处理过，不能重复处理' },
  /** A manual payout batch asked for while no manual claim is waiting for one. */
  PAYOUT_NOTHING_TO_BATCH: { status: 409, zh: '没有待发放的提现申请' },
  /** Batch results naming claims that are not in the batch (details.claimIds lists them). */
  PAYOUT_CLAIMS_NOT_IN_BATCH: { status: 400, zh: '有提现申请不属于此批次' },
  /** A staff appeal against a rating that already has one. */
  RATING_APPEAL_EXISTS: { status: 409, zh: '此评价已有申诉' },
  /** "Is it fixed?" answered a second time. */
  FIXED_QUESTION_ALREADY_ANSWERED: { status: 409, zh: '已回答过此问题' },
  /** "Is it fixed?" answered before the question was asked. */
  FIXED_QUESTION_NOT_ASKED: { status: 409, zh: '尚未询问此问题' },
  /** A stall spot code that another spot has. */
  STALL_CODE_EXISTS: { status: 409, zh: '摊点编号已存在' },
  /** A staff username that is taken. */
  STAFF_USERNAME_TAKEN: { status: 409, zh: '用户名已被使用' },
  RATING_NOT_CLOSED: { status: 409, zh: '案件结案后才能评价' },
  RATING_ALREADY_SUBMITTED: { status: 409, zh: '您已评价过此案件' },
  RATING_WINDOW_PASSED: { status: 409, zh: '已超过评价期限' },
  RATING_COMMENT_REQUIRED: { status: 400, zh: '选择“不满意”或“非常不满意”时请写明原因' },
  REWORK_NOT_ALLOWED: { status: 409, zh: '此案件当前不能申请重办' },
  REWORK_ALREADY_REQUESTED: { status: 409, zh: '每个案件只能申请一次重办' },
  PAYOUT_UNAVAILABLE: { status: 503, zh: '支付服务暂时不可用，请稍后再试' },
  STALL_RADIUS_TOO_LARGE: { status: 400, zh: '搜索范围太大，请缩小到 20 公里以内' },
  PHOTO_QUEUE_FULL: { status: 503, zh: '照片处理繁忙，请稍后重试' },
  /** The reverse geocoder (Tencent) did not answer, refused our key, or is over its quota. */
  GEOCODER_UNAVAILABLE: { status: 503, zh: '暂时无法获取地址，请手动填写详细地址' },
  /** The point lies outside mainland China, Hong Kong, Macao and Taiwan: no address service there. */
  GEO_POINT_OUTSIDE_CHINA: { status: 422, zh: '该位置不在服务范围内，请在地图上重新选择' },
  /** The geocoder knows no address at the point (open water, wilderness). */
  GEO_ADDRESS_NOT_FOUND: { status: 422, zh: '没有找到这里的地址，请手动填写详细地址' },
  /** A report id that names no report the caller may see (我也遇到了). */
  REPORT_NOT_FOUND: { status: 404, zh: '举报不存在' },
  /** 我也遇到了 on one's own report: the reporter is told of every step anyway. */
  REPORT_FOLLOW_OWN: { status: 409, zh: '这是您自己的举报，处理进展会直接通知您' },
  /** 我也遇到了 on a report that is closed, refused or merged: nothing more will happen to it. */
  REPORT_NOT_OPEN: { status: 409, zh: '该问题已办结、不予立案或已合并，无法再关注；如问题仍在，请重新举报' },
  DATABASE_UNAVAILABLE: { status: 503, zh: '服务暂时不可用，请稍后再试' },
  INTERNAL: { status: 500, zh: '服务出错了，请稍后再试' },
} as const satisfies Record<string, { status: number; zh: string }>;

export type ErrorCode = keyof typeof ERRORS;

export interface ApiErrorBody {
  error: { code: ErrorCode; message: string; details?: unknown };
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(ERRORS, value);
}

/** The Chinese message a resident should see for a code; unknown codes fall back to the generic one. */
export function errorMessageZh(code: unknown): string {
  return isErrorCode(code) ? ERRORS[code].zh : ERRORS.INTERNAL.zh;
}

/**
 * Codes whose `message` is written for developers (which field, which cursor, which signature), in
 * English. For every other code the BFF's message is Chinese text fit for the person using the app,
 * often more specific than the code's own (a claim's limits, why a rework is refused).
 */
export const DEVELOPER_MESSAGE_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'VALIDATION_FAILED',
  'MALFORMED_JSON',
  'TEXT_NOT_STORABLE',
  'CURSOR_INVALID',
  'SORT_INVALID',
  'METHOD_NOT_ALLOWED',
  'WEBHOOK_SIGNATURE_INVALID',
  'INTERNAL',
]);

/** What to show a resident for an error answer: the server's message unless the code's messages are for developers. */
export function userMessageZh(code: unknown, message: string | null | undefined): string {
  return isErrorCode(code) && message && !DEVELOPER_MESSAGE_CODES.has(code) ? message : errorMessageZh(code);
}
