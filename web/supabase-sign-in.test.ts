import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  accessibilityProblems,
  describeInChromium,
  freePort,
  launchChromium,
  newContext as newBrowserContext,
} from '../test/support/browser.ts';
import { type EmulatedApp, startEmulatedApp } from '../test/support/emulated-app.ts';
import { type SupabaseAuthStub, startSupabaseAuthStub } from '../test/support/supabase-auth-stub.ts';

// The deployed sign-in in a real browser: the page loads supabase-js from this service,
// signs in against a stand-in for Supabase Auth on another origin, and calls the API with
// the access token Supabase issued, which the API verifies as it does in production.
const SECRET = 'a-test-supabase-jwt-secret-of-at-least-32-chars';
const ANON_KEY = 'sb_publishable_test-anon-key';
const STUDENT = { email: 'ada@school.example.edu', password: 'correct horse battery' };
// The stand-in's clock and token lifetime; the refresh test moves them, then puts them back.
let stubAheadMs = 0;
let tokenLifetimeSeconds = 3600;

describeInChromium('Supabase sign-in in a real browser', 'signs in with Supabase', (executablePath) => {
  let stub: SupabaseAuthStub;
  let e2e: EmulatedApp;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    stub = await startSupabaseAuthStub({
      secret: SECRET,
      anonKey: ANON_KEY,
      users: [STUDENT],
      now: () => Date.now() + stubAheadMs,
      expiresInSeconds: () => tokenLifetimeSeconds,
    });
    const port = await freePort();
    e2e = await startEmulatedApp({
      HOST: '127.0.0.1',
      PORT: String(port),
      SUPABASE_URL: stub.url,
      SUPABASE_ANON_KEY: ANON_KEY,
      AUTH_JWT_SECRET: SECRET,
      AUTH_JWT_ISSUER: stub.issuer,
    });
    if (!(await e2e.app.listen())) throw new Error('the app did not listen');
    base = `http://127.0.0.1:${port}`;
    browser = await launchChromium(executablePath);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await e2e?.close();
    await stub?.close();
  });

  /** `forAxe` lifts the page's CSP so axe-core can be injected; the sign-in itself runs under it. */
  const newContext = (forAxe = false) => newBrowserContext(browser, { forAxe });

  it("signs in with email and password, calls the API with Supabase's access token, and signs out", async () => {
    const context = await newContext();
    const page = await context.newPage();
    const failures: string[] = [];
    page.on('pageerror', (error) => failures.push(error.message));
    const bearers: string[] = [];
    page.on('request', (request) => {
      if (new URL(request.url()).pathname.startsWith('/api/v1/'))
        bearers.push(request.headers().authorization ?? '(none)');
    });

    await page.goto(`${base}/`);
    await page.getByLabel('Password').waitFor();
    // The embedded default's one-click sign-in is not offered.
    expect(await page.locator('#sign-in-local').isVisible()).toBe(false);

    await page.getByLabel('Email').fill(STUDENT.email);
    await page.getByLabel('Password').fill(STUDENT.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page
      .locator('#signed-in-as')
      .filter({ hasText: `Signed in as ${STUDENT.email}.` })
      .waitFor();
    await page.locator('#google-state').filter({ hasNotText: 'Checking' }).waitFor();

    const signIns = stub.requests.filter((r) => r.path === '/auth/v1/token');
    expect(signIns).toHaveLength(1);
    expect(signIns[0]).toMatchObject({
      method: 'POST',
      query: { grant_type: 'password' },
      apikey: ANON_KEY,
      body: { email: STUDENT.email, password: STUDENT.password },
    });
    expect(stub.issued).toHaveLength(1);
    // Every API call carried the token Supabase issued, and the API accepted it (/me answered).
    expect(bearers.length).toBeGreaterThan(0);
    expect(new Set(bearers)).toEqual(new Set([`Bearer ${stub.issued[0]}`]));
    expect(await page.locator('#error').isHidden()).toBe(true);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Password').waitFor();
    expect(stub.requests.filter((r) => r.path === '/auth/v1/logout')).toHaveLength(1);
    expect(await page.locator('#connect').isHidden()).toBe(true);
    expect(await page.evaluate('sessionStorage.getItem("canvascal.token")')).toBeNull();
    expect(failures).toEqual([]);
    await context.close();
  }, 90_000);

  it('lets supabase-js refresh the session before it expires, and sends the new access token', async () => {
    // supabase-js checks every 30 s and renews a session with under 4 checks (120 s) left.
    // 150 s tokens and 60 s on the page's clock bring that check without a wait (one falls
    // in any 30 s); the stand-in's clock moves 50 s too (the API allows 60 s of skew), so
    // the new token has over 120 s left on the page's clock and is not renewed at once.
    tokenLifetimeSeconds = 150;
    const context = await newContext();
    const page = await context.newPage();
    try {
      await page.goto(`${base}/`);
      await page.getByLabel('Email').fill(STUDENT.email);
      await page.getByLabel('Password').fill(STUDENT.password);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.locator('#signed-in-as').filter({ hasText: STUDENT.email }).waitFor();
      const before = stub.issued.length;
      expect(await page.evaluate('sessionStorage.getItem("canvascal.token")')).toBe(stub.issued.at(-1));

      stubAheadMs = 50_000;
      await context.clock.runFor(60_000);
      await expect.poll(() => stub.issued.length).toBe(before + 1);
      expect(stub.requests.filter((r) => r.query.grant_type === 'refresh_token')).toHaveLength(1);
      await expect
        .poll(() => page.evaluate('sessionStorage.getItem("canvascal.token")'))
        .toBe(stub.issued.at(-1));

      const bearers: string[] = [];
      page.on('request', (request) => {
        if (new URL(request.url()).pathname.startsWith('/api/v1/'))
          bearers.push(request.headers().authorization ?? '(none)');
      });
      await page.getByRole('button', { name: 'Sync now' }).click();
      await expect.poll(() => bearers.length).toBeGreaterThan(0);
      expect(new Set(bearers)).toEqual(new Set([`Bearer ${stub.issued.at(-1)}`]));
      expect(await page.locator('#signed-in-as').isVisible()).toBe(true);
    } finally {
      await context.close();
      stubAheadMs = 0;
      tokenLifetimeSeconds = 3600;
    }
  }, 90_000);

  it("shows Supabase's own message for a wrong password, and calls no API", async () => {
    const context = await newContext(true);
    const page = await context.newPage();
    const apiCalls: string[] = [];
    page.on('request', (request) => {
      if (new URL(request.url()).pathname.startsWith('/api/v1/')) apiCalls.push(request.url());
    });
    await page.goto(`${base}/`);
    await page.getByLabel('Password').waitFor();
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.getByLabel('Email').fill(STUDENT.email);
    await page.getByLabel('Password').fill('wrong password');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect.poll(() => page.locator('#error').textContent()).toBe('Invalid login credentials');
    expect(await page.locator('#sign-in').isVisible()).toBe(true);
    expect(apiCalls).toEqual([]);
    expect(await accessibilityProblems(page)).toEqual([]);
    await context.close();
  }, 60_000);

  it('emails a sign-in link that comes back to this page', async () => {
    const context = await newContext();
    const page = await context.newPage();
    await page.goto(`${base}/`);
    await page.getByLabel('Email').fill(STUDENT.email);
    await page.getByRole('button', { name: 'Email me a sign-in link' }).click();
    await page.locator('#sign-in-status').filter({ hasText: 'We emailed a sign-in link' }).waitFor();
    const links = stub.requests.filter((r) => r.path === '/auth/v1/otp');
    expect(links).toHaveLength(1);
    expect(links[0]?.body).toMatchObject({ email: STUDENT.email, create_user: false });
    expect(links[0]?.query.redirect_to).toBe(`${base}/`);
    await context.close();
  }, 60_000);
});
