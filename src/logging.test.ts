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

describe('secret-shaped text in a line', () => {
  const sealed = 'v2.k2026.7WfZBCI2BzNHctiO.fpALgHiwHg-w8BthXoGttOejGNW00MXsafIZKQnh98z';
  const secrets = [
    sealed,
    'v1.local1.AAAAAAAAAAAAAAAA.BBBBBBBBBBBBBBBBBBBBBB',
    'ya29.a0AfH6SMBsecret-access',
    '1//0gSECRETrefreshTOKEN-abc',
    '7~Q2x5mZcB8yTf4nLp9wRk3sVj6hGd1aEo',
    'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl',
  ];

  it('scrubs them from an error, its cause and its database detail and parameters, on every field', () => {
    const { logger, text } = capture();
    const driver = Object.assign(new Error(`value "${sealed}" is too long`), {
      detail: `Failing row contains (u1, https://canvas.school.edu, ${sealed}).`,
      parameters: ['u1', sealed],
    });
    const query = new Error(`Failed query: insert into "canvas_connections"\nparams: u1,${sealed}`, {
      cause: driver,
    });
    logger.error({ err: query }, 'save failed');
    logger.warn({ detail: `Bearer ${secrets[5]}`, note: secrets.join(' ') }, `refresh with ${secrets[3]}`);
    logger.info(`form: grant_type=refresh_token&refresh_token=${secrets[3]}&client_secret=s3cr3t`);
    const log = text();
    for (const secret of [...secrets, 's3cr3t']) expect(log, secret).not.toContain(secret);
    expect(log).toContain('params: [Redacted]');
    expect(log).toContain('is too long');
    expect(log).toContain('canvas_connections');
  });
});
