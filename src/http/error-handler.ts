import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { isDatabaseUnavailable } from '../db/unavailable.ts';
import { AppError } from '../errors.ts';
import { GoogleApiError } from '../google/google-api-error.ts';
import { QuotaWaitError } from '../google/request-budget.ts';
import type { HttpApp } from './http-app.ts';

export interface ErrorBody {
  error: { code: string; message: string };
}

/**
 * The one place an exception becomes an HTTP answer: `{"error":{"code","message"}}`.
 * Expected failures (AppError, validation, rate limits) say what to fix; anything else is
 * a bug, logged in full and answered with a generic 500 that leaks nothing.
 */
export function installErrorHandler(app: HttpApp): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const answer = (status: number, code: string, message: string) =>
      reply.status(status).send({ error: { code, message } });

    if (error instanceof AppError) {
      if (error.status >= 500) request.log.error({ err: error }, 'request failed');
      if (error.status === 503) reply.header('retry-after', '5');
      return answer(error.status, error.code, error.message);
    }
    if (error instanceof GoogleApiError) {
      // Provider details stay in the log; the user learns what happened and what to do.
      request.log.warn({ status: error.status, reason: error.reason }, 'Google refused a request');
      if (error.kind === 'auth')
        return answer(
          409,
          'google_reconnect_needed',
          "Google rejected CanvasCal's access; connect Google again.",
        );
      if (error.status === 403 && error.reason === 'insufficientPermissions')
        return answer(
          403,
          'google_permission_missing',
          'CanvasCal was not allowed to do this in your Google account; connect Google again and allow every permission it asks for.',
        );
      // This account's request volume (Google's per-user limits): the caller should slow down.
      if (error.kind === 'rate_limited') {
        // Our own budget knows when there is room again; Google does not say.
        const wait = error instanceof QuotaWaitError ? Math.max(1, Math.ceil(error.retryAfterMs / 1000)) : 30;
        reply.header('retry-after', String(wait));
        return answer(
          429,
          'google_rate_limited',
          'Google is limiting how often CanvasCal may ask for your account right now; try again in a minute.',
        );
      }
      if (error.retryable) {
        reply.header('retry-after', '30');
        return answer(
          503,
          'google_unavailable',
          'Google is busy or unavailable right now; try again in a minute.',
        );
      }
      return answer(502, 'google_error', `Google refused the request (${error.reason ?? error.status}).`);
    }
    if (hasZodFastifySchemaValidationErrors(error)) {
      const where = error.validationContext ?? 'request';
      const details = error.validation
        .slice(0, 5)
        .map((issue) => {
          const path = issue.instancePath.replace(/^\//, '').replace(/\//g, '.');
          return path ? `${where}.${path}: ${issue.message}` : `${where}: ${issue.message}`;
        })
        .join('; ');
      return answer(400, 'validation_failed', `Invalid ${where}: ${details}`);
    }
    if (isResponseSerializationError(error)) {
      request.log.error({ err: error }, 'response did not match its schema');
      return answer(500, 'internal', 'Something went wrong on our side; it has been logged.');
    }
    const status = error.statusCode ?? 500;
    if (status === 429) {
      return answer(429, 'rate_limited', error.message || 'Too many requests; slow down and retry later.');
    }
    if (status >= 400 && status < 500) {
      // Fastify's own client errors: bad JSON, wrong content type, body too large.
      const code = error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' ? 'unsupported_media_type' : 'bad_request';
      return answer(status, code, error.message);
    }
    if (isDatabaseUnavailable(error)) {
      request.log.error({ err: error }, 'database unavailable');
      reply.header('retry-after', '5');
      return answer(
        503,
        'database_unavailable',
        'The database cannot be reached right now; try again shortly.',
      );
    }
    request.log.error({ err: error }, 'unhandled error');
    return answer(500, 'internal', 'Something went wrong on our side; it has been logged.');
  });

  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({
      error: { code: 'not_found', message: `No route ${request.method} ${request.url.split('?')[0]}` },
    }),
  );
}

/**
 * Fastify's router refuses some URLs before any route or hook runs (a malformed percent
 * escape, a path parameter past `maxParamLength`), and by default answers in its own shape,
 * quoting the path. Fastify's `frameworkErrors` option: the same `{ error: { code, message } }`
 * as every other answer, and the path not repeated.
 */
export function answerFrameworkError(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  let answer: ErrorBody['error'] & { status: number };
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH')
    answer = {
      status: 414,
      code: 'uri_too_long',
      message: 'A path segment of this URL is too long; check the id in the path.',
    };
  else if (error.code === 'FST_ERR_BAD_URL')
    answer = {
      status: 400,
      code: 'bad_url',
      message: 'The URL has a malformed percent-escape (%XX); encode the path correctly.',
    };
  else {
    request.log.error({ err: error }, 'the router failed');
    answer = {
      status: 500,
      code: 'internal',
      message: 'Something went wrong on our side; it has been logged.',
    };
  }
  void reply.status(answer.status).send({ error: { code: answer.code, message: answer.message } });
}
