import type { Logger } from 'pino';
import { AppError } from '../errors.ts';
import type { Metrics } from '../metrics.ts';
import { type JobHandler, PermanentJobError, RateLimitedJobError } from '../queue/queue.ts';

/**
 * A handler that logs each try of a job: success with its duration, failure with its cause
 * (an error's name, code or kind, and message; never a payload beyond its ids) and whether
 * the queue may try again (error level only when an operator should look: not for a job that
 * waits for the student to reconnect). Durations also go to `canvascal_job_duration_seconds`.
 */
export function loggedJob<P>(
  name: string,
  handler: JobHandler<P>,
  deps: { logger: Logger; metrics?: Pick<Metrics, 'jobDuration'> | undefined; attempts?: number },
): JobHandler<P> {
  return async (payload, context) => {
    const started = performance.now();
    const fields = { job: name, jobId: context.id, attempt: context.attempt, ...idsOf(payload) };
    const seconds = () => (performance.now() - started) / 1000;
    try {
      const result = await handler(payload, context);
      const duration = seconds();
      deps.metrics?.jobDuration.observe({ name, outcome: 'completed' }, duration);
      deps.logger.info({ ...fields, durationMs: Math.round(duration * 1000) }, 'job succeeded');
      return result;
    } catch (error) {
      const duration = seconds();
      const final =
        error instanceof PermanentJobError ||
        (!(error instanceof RateLimitedJobError) &&
          deps.attempts !== undefined &&
          context.attempt >= deps.attempts);
      deps.metrics?.jobDuration.observe({ name, outcome: final ? 'failed' : 'retried' }, duration);
      const line = {
        ...fields,
        durationMs: Math.round(duration * 1000),
        willRetry: !final,
        cause: causeOf(error),
      };
      // A job that stopped because the student must act (reconnect, grant a permission) is
      // the student's to fix and was logged where it was found; an operator's alert is for the rest.
      const studentMustAct =
        error instanceof PermanentJobError && error.cause instanceof AppError && error.cause.status < 500;
      if (final && !studentMustAct) deps.logger.error(line, 'job failed');
      else if (final) deps.logger.warn(line, 'job failed; it waits for the student (see the cause)');
      else deps.logger.warn(line, 'job failed; it will be retried');
      throw error;
    }
  };
}

function idsOf(payload: unknown): Record<string, string> {
  if (typeof payload !== 'object' || payload === null) return {};
  const ids: Record<string, string> = {};
  for (const key of ['userId', 'runId', 'calendarId']) {
    const value = (payload as Record<string, unknown>)[key];
    if (typeof value === 'string') ids[key] = value;
  }
  return ids;
}

/** What went wrong, in fields an operator can search for; the chain of causes, two deep. */
export function causeOf(error: unknown, depth = 0): Record<string, unknown> {
  if (!(error instanceof Error)) return { message: String(error) };
  const fields = error as Error & { code?: unknown; kind?: unknown; reason?: unknown; status?: unknown };
  return {
    name: error.name,
    message: error.message,
    ...(typeof fields.code === 'string' ? { code: fields.code } : {}),
    ...(typeof fields.kind === 'string' ? { kind: fields.kind } : {}),
    ...(typeof fields.reason === 'string' ? { reason: fields.reason } : {}),
    ...(typeof fields.status === 'number' ? { status: fields.status } : {}),
    ...(error.cause !== undefined && depth < 2 ? { cause: causeOf(error.cause, depth + 1) } : {}),
  };
}
