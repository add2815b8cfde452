import type { Logger } from 'pino';
import { isDatabaseUnavailable } from '../db/unavailable.ts';
import { AppError } from '../errors.ts';
import { GoogleApiError } from '../google/google-api-error.ts';

/**
 * The text of a tool error: what happened and what the student can do, never a stack trace,
 * a token or a provider's internals (those go to the log). Mirrors the HTTP error handler.
 */
export function toolErrorText(error: unknown, context: { publicUrl: string; logger: Logger }): string {
  if (error instanceof AppError) {
    if (error.status >= 500) context.logger.error({ err: error }, 'tool call failed');
    if (error.code === 'google_not_connected')
      return `Google is not connected: ${error.message} (the API is described at ${context.publicUrl}/docs), then ask again.`;
    if (error.code === 'canvas_not_connected')
      return `Canvas is not connected: ${error.message} (the API is described at ${context.publicUrl}/docs), then ask again.`;
    return error.message;
  }
  if (error instanceof GoogleApiError) {
    context.logger.warn({ status: error.status, reason: error.reason }, 'Google refused a tool call');
    if (error.kind === 'auth') return "Google rejected CanvasCal's access; connect Google again.";
    if (error.retryable) return 'Google is busy or unavailable right now; try again in a minute.';
    return `Google refused the request (${error.reason ?? error.status}).`;
  }
  if (isDatabaseUnavailable(error)) {
    context.logger.error({ err: error }, 'database unavailable during a tool call');
    return 'The database cannot be reached right now; try again shortly.';
  }
  context.logger.error({ err: error }, 'tool call failed unexpectedly');
  return 'Something went wrong inside CanvasCal; it has been logged. Try again, and report it if it keeps happening.';
}
