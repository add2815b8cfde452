import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { GoogleApiError } from '../google/google-api-error.ts';
import { QuotaWaitError } from '../google/request-budget.ts';
import { installErrorHandler } from './error-handler.ts';
import type { HttpApp } from './http-app.ts';

async function answerTo(error: Error) {
  const app = Fastify({ logger: false });
  installErrorHandler(app as unknown as HttpApp);
  app.get('/', async () => {
    throw error;
  });
  const res = await app.inject('/');
  await app.close();
  return { status: res.statusCode, body: res.json(), retryAfter: res.headers['retry-after'] };
}

describe('Google failures as HTTP answers', () => {
  it("Google's per-user rate limit is a 429 to retry later, not a 5xx (found by the OpenAPI fuzz test)", async () => {
    for (const [status, reason] of [
      [403, 'rateLimitExceeded'],
      [403, 'userRateLimitExceeded'],
      [429, 'rateLimitExceeded'],
    ] as const) {
      const res = await answerTo(new GoogleApiError('rate_limited', status, reason, 'Rate Limit Exceeded'));
      expect([res.status, res.body.error.code, res.retryAfter]).toEqual([429, 'google_rate_limited', '30']);
      expect(res.body.error.message).toMatch(/try again in a minute/);
    }
  });

  it('a request our own quota budget held back is a 429 saying when there is room again', async () => {
    const res = await answerTo(new QuotaWaitError(12_500));
    expect([res.status, res.body.error.code, res.retryAfter]).toEqual([429, 'google_rate_limited', '13']);
  });

  it('a missing permission is 403 telling the student to reconnect and allow it, not a 502', async () => {
    const res = await answerTo(
      new GoogleApiError(
        'forbidden',
        403,
        'insufficientPermissions',
        'Request had insufficient authentication scopes.',
      ),
    );
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('google_permission_missing');
    expect(res.body.error.message).toMatch(/connect Google again and allow/);
  });

  it('a revoked grant asks to reconnect, a busy Google to retry, anything else is a 502 naming the reason', async () => {
    expect(
      (await answerTo(new GoogleApiError('auth', 401, 'authError', 'Invalid Credentials'))).body.error.code,
    ).toBe('google_reconnect_needed');
    const busy = await answerTo(new GoogleApiError('transient', 503, 'backendError', 'Backend Error'));
    expect([busy.status, busy.body.error.code, busy.retryAfter]).toEqual([503, 'google_unavailable', '30']);
    const other = await answerTo(new GoogleApiError('forbidden', 403, 'forbiddenForNonOrganizer', 'no'));
    expect([other.status, other.body.error]).toEqual([
      502,
      { code: 'google_error', message: 'Google refused the request (forbiddenForNonOrganizer).' },
    ]);
  });
});
