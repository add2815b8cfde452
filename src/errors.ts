/**
 * One error type for every expected failure the HTTP API can answer. `code` is stable and
 * machine-readable; `message` tells a person what to fix and never carries secrets or
 * provider internals. Bugs are plain `Error`s and answer 500 with a generic message.
 */
export class AppError extends Error {
  override readonly name = 'AppError';

  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export const badRequest = (message: string, code = 'bad_request'): AppError =>
  new AppError(code, message, 400);
export const unauthorized = (message: string, code = 'unauthorized'): AppError =>
  new AppError(code, message, 401);
export const forbidden = (message: string, code = 'forbidden'): AppError => new AppError(code, message, 403);
export const notFound = (message: string, code = 'not_found'): AppError => new AppError(code, message, 404);
export const conflict = (message: string, code = 'conflict'): AppError => new AppError(code, message, 409);
export const unavailable = (message: string, code = 'unavailable'): AppError =>
  new AppError(code, message, 503);
