import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logging.ts';

function capture() {
  const lines: string[] = [];
  const logger = createLogger(
    { level: 'trace', format: 'json' },
    new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    }),
  );
  return { logger, text: () => lines.join('') };
}

describe('logging errors', () => {
  it("keeps an error's name, message, code and cause, and none of the request it carried", () => {
    const { logger, text } = capture();
    const inner = Object.assign(new Error('invalid_grant'), {
      config: { data: 'grant_type=refresh_token&refresh_token=1//SECRET-REFRESH' },
      response: { headers: { authorization: 'Bearer SECRET-ACCESS' } },
    });
    const outer = Object.assign(new Error('Google refused', { cause: inner }), {
      code: 'google_reconnect_needed',
      status: 409,
    });
    logger.error({ err: outer }, 'refresh failed');
    const line = JSON.parse(text());
    expect(text()).not.toContain('SECRET');
    expect(line.err).toMatchObject({
      type: 'Error',
      message: 'Google refused',
      errorCode: 'google_reconnect_needed',
      status: 409,
      cause: { message: 'invalid_grant' },
    });
  });

  it('redacts OAuth codes in URLs inside error messages', () => {
    const { logger, text } = capture();
    logger.warn({ err: new Error('GET /api/v1/auth/google/callback?code=4/SECRET&state=abc failed') }, 'x');
    expect(text()).not.toContain('SECRET');
    expect(text()).toContain('code=[Redacted]');
  });
});
