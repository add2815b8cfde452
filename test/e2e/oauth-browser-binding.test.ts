import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_STUDENT_EMAIL } from '../../emulators/google/demo-seed.ts';
import { type EmulatedApp, startEmulatedApp } from '../support/emulated-app.ts';

// Deployed (Supabase sign-in), the browser callbacks finish only in the browser that asked for
// the consent URL: a consent link forwarded to someone else must not put their Google or
// Canvas account into the sender's CanvasCal.

const SECRET = 'a-supabase-jwt-secret-of-at-least-32-characters';
let e2e: EmulatedApp;
let headers: Record<string, string>;

const bearerFor = async (sub: string) =>
  `Bearer ${await new SignJWT({ email: `${sub.slice(0, 8)}@example.edu` })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setAudience('authenticated')
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode(SECRET))}`;

beforeAll(async () => {
  e2e = await startEmulatedApp({ AUTH_JWT_SECRET: SECRET });
  headers = { authorization: await bearerFor('6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f') };
  expect((await e2e.http.inject({ url: '/api/v1/me', headers })).statusCode).toBe(200);
});
afterAll(() => e2e.close());

async function start(provider: 'google' | 'canvas') {
  const url =
    provider === 'google'
      ? '/api/v1/auth/google/url'
      : `/api/v1/auth/canvas/url?baseUrl=${encodeURIComponent(e2e.canvas.url)}`;
  const res = await e2e.http.inject({ url, headers });
  expect(res.statusCode).toBe(200);
  const cookie = String(res.headers['set-cookie']).split(';')[0] ?? '';
  expect(String(res.headers['set-cookie'])).toMatch(
    new RegExp(`Path=/api/v1/auth/${provider}/callback; Max-Age=600; HttpOnly; SameSite=Lax`),
  );
  const redirect = new URL(
    provider === 'google'
      ? e2e.google.approveConsent(res.json().url, { email: DEMO_STUDENT_EMAIL })
      : e2e.canvas.control.approveConsent(res.json().url),
  );
  return { callback: redirect.pathname + redirect.search, cookie, redirect };
}

describe.each(['google', 'canvas'] as const)('the %s callback, deployed', (provider) => {
  const status = async () =>
    (
      await e2e.http.inject({
        url: provider === 'google' ? '/api/v1/auth/google' : '/api/v1/canvas/connection',
        headers,
      })
    ).json().status;

  it('refuses another browser, tells it how the starting app can finish, and connects nothing', async () => {
    const { callback, redirect } = await start(provider);
    const elsewhere = await e2e.http.inject({ url: callback });
    expect(elsewhere.statusCode).toBe(400);
    expect(elsewhere.body).toContain('not started in this browser');
    expect(elsewhere.body).toContain(`POST /api/v1/auth/${provider}/token`);
    expect(await status()).not.toBe('connected');
    // The app that started it can still finish with the user's token.
    const finished = await e2e.http.inject({
      method: 'POST',
      url: `/api/v1/auth/${provider}/token`,
      headers,
      payload: { code: redirect.searchParams.get('code'), state: redirect.searchParams.get('state') },
    });
    expect(finished.statusCode).toBe(200);
    expect(await status()).toBe('connected');
  });

  it('finishes in the browser that asked for the URL, and forgets the binding', async () => {
    const { callback, cookie } = await start(provider);
    const res = await e2e.http.inject({ url: callback, headers: { cookie } });
    expect(res.statusCode).toBe(200);
    expect(String(res.headers['set-cookie'])).toMatch(/Max-Age=0/);
    expect(await status()).toBe('connected');
  });
});
