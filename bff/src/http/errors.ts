import { ERRORS, type ErrorCode } from '@cityloop/shared';

/**
 * The one error type routes and use cases throw. The error middleware turns it into
 * `{ error: { code, message } }` with the status registered for the code in shared/.
 */
export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message?: string,
    readonly details?: unknown,
    options?: { cause?: unknown },
  ) {
    super(message ?? ERRORS[code].zh, options);
    this.name = 'AppError';
    this.status = ERRORS[code].status;
  }
}

export const notFound = (message = '内容不存在') => new AppError('NOT_FOUND', message);
