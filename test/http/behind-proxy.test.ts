import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CanvasCalApp } from '../../src/app.ts';
import { type EmulatedApp, startEmulatedApp } from '../support/emulated-app.ts';
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

describe("the cookies' Secure flag behind a proxy", () => {
  const SECRET = 'a-test-secret-that-is-long-enough-for-hs256!!';
  let e2e: EmulatedApp;
  beforeAll(async () => {
    e2e = await startEmulatedApp({ TRUST_PROXY: '10.0.0.0/8', AUTH_JWT_SECRET: SECRET });
  });
  afterAll(() => e2e.close());

  it('follows X-Forwarded-Proto from a listed proxy only', async () => {
    const token = await new SignJWT({ email: 'proxy@example.edu' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('5e1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f')
      .setAudience('authenticated')
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(new TextEncoder().encode(SECRET));
    const cookieFrom = async (remoteAddress: string) => {
      const res = await e2e.http.inject({
        url: '/api/v1/auth/google/url',
        remoteAddress,
        headers: { authorization: `Bearer ${token}`, 'x-forwarded-proto': 'https' },
      });
      expect(res.statusCode).toBe(200);
      return String(res.headers['set-cookie']);
    };
    expect(await cookieFrom('10.0.0.2')).toMatch(/; Secure/);
    expect(await cookieFrom('203.0.113.9')).not.toMatch(/Secure/);
  });
});
