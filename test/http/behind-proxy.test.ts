import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CanvasCalApp } from '../../src/app.ts';
import { startTestApp } from '../support/test-app.ts';

// Behind a proxy every visitor may look local, so the password-less local sign-in must not
// exist at all there; and proxy headers are believed from the configured proxies only.
let app: CanvasCalApp;
let close: () => Promise<void>;
beforeAll(async () => {
  ({ app, close } = await startTestApp({ TRUST_PROXY: '10.0.0.0/8', RATE_LIMIT_PER_MINUTE: '2' }));
});
afterAll(() => close());

/** An unauthenticated call, which counts against the caller's address in the rate limit. */
const anonymous = async (remoteAddress: string, headers: Record<string, string> = {}) =>
  (await app.http?.inject({ url: '/api/v1/me', remoteAddress, headers }))?.statusCode;

describe('behind a proxy', () => {
  it('has no local sign-in, whatever address the request claims', async () => {
    const res = await app.http?.inject({
      method: 'POST',
      url: '/api/v1/auth/local/login',
      payload: { email: 'victim@example.edu' },
      headers: { 'x-forwarded-for': '127.0.0.1' },
    });
    expect(res?.statusCode).toBe(404);
  });

  it("ignores an untrusted peer's X-Forwarded-For: it cannot buy itself a fresh rate-limit budget", async () => {
    const codes = [];
    for (const forwarded of ['198.51.100.1', '198.51.100.2', '198.51.100.3'])
      codes.push(await anonymous('203.0.113.9', { 'x-forwarded-for': forwarded }));
    expect(codes).toEqual([401, 401, 429]);
  });

  it("believes a trusted proxy's X-Forwarded-For, and never True-Client-IP or CF-Connecting-IP", async () => {
    // Two visitors behind the proxy have budgets of their own.
    expect(await anonymous('10.0.0.2', { 'x-forwarded-for': '198.51.100.20' })).toBe(401);
    expect(await anonymous('10.0.0.2', { 'x-forwarded-for': '198.51.100.21' })).toBe(401);
    expect(await anonymous('10.0.0.2', { 'x-forwarded-for': '198.51.100.21' })).toBe(401);
    // One visitor renaming itself in vendor headers stays one visitor.
    const codes = [];
    for (const claimed of ['192.0.2.1', '192.0.2.2', '192.0.2.3'])
      codes.push(
        await anonymous('10.0.0.2', {
          'x-forwarded-for': '198.51.100.30',
          'true-client-ip': claimed,
          'cf-connecting-ip': claimed,
        }),
      );
    expect(codes).toEqual([401, 401, 429]);
  });
});
