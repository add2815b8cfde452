import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  accessibilityProblems,
  describeInChromium,
  newContext,
  pageFailures,
} from '../test/support/browser.ts';
import { type PageApp, startPageApp } from '../test/support/page-app.ts';

// "Sign in to Canvas at <school>" on the page: Canvas OAuth2 with the developer key the
// embedded default's Canvas emulator brings, through the emulator's own consent page, in a
// real browser. Canvas's answer comes back to the callback, which returns to the page. Both
// tests are the one local user: the cancelled try comes first.
const SCREENSHOTS = join(import.meta.dirname, '..', '.artifacts', 'web');

describeInChromium('signing in to a school’s Canvas from the page', 'connects Canvas', (executablePath) => {
  let app: PageApp;

  beforeAll(async () => {
    app = await startPageApp(executablePath, SCREENSHOTS);
  }, 60_000);
  afterAll(async () => {
    await app?.close();
  });

  async function signedIn(): Promise<{ page: Page; headers: Record<string, string> }> {
    const context = await newContext(app.browser, { forAxe: true });
    const page = await context.newPage();
    await page.goto(`${app.base}/`);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.locator('#canvas-state').filter({ hasNotText: 'Checking' }).waitFor();
    const token = await page.evaluate('sessionStorage.getItem("canvascal.token")');
    return { page, headers: { authorization: `Bearer ${String(token)}` } };
  }
  const school = () => new URL(app.e2e.canvas.url).host;
  const connection = async (headers: Record<string, string>) =>
    (await app.e2e.http.inject({ url: '/api/v1/canvas/connection', headers })).json();

  it('Cancel at Canvas connects nothing, and says so in words', async () => {
    const { page, headers } = await signedIn();
    await page.getByRole('button', { name: `Sign in to Canvas at ${school()}` }).click();
    await page.waitForURL(new RegExp(`^${app.e2e.canvas.url}/login/oauth2/auth`));
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('heading', { name: 'Canvas was not connected' }).waitFor();
    expect(await page.locator('body').textContent()).toContain('You chose not to authorize CanvasCal');
    expect((await connection(headers)).status).toBe('not_connected');
    await page.context().close();
  });

  it('lists the schools with a developer key, and Authorize at Canvas connects with OAuth', async () => {
    const { page, headers } = await signedIn();
    const failures = pageFailures(page);
    const schools = await app.e2e.http.inject({ url: '/api/v1/auth/canvas/schools', headers });
    expect(schools.json()).toEqual({ schools: [{ baseUrl: app.e2e.canvas.url }] });
    const button = page.getByRole('button', { name: `Sign in to Canvas at ${school()}` });
    await button.waitFor();
    await page.locator('#canvas-card').screenshot({ path: join(SCREENSHOTS, 'canvas-sign-in-card.png') });
    expect(await accessibilityProblems(page)).toEqual([]);

    await button.click();
    await page.waitForURL(new RegExp(`^${app.e2e.canvas.url}/login/oauth2/auth`));
    await page.getByRole('button', { name: 'Authorize' }).click();
    // The callback says Canvas is connected, then takes the browser back to the page.
    await page.waitForURL(`${app.base}/`, { timeout: 15_000 });
    await page
      .locator('#canvas-state')
      .filter({ hasText: `Connected to ${app.e2e.canvas.url}` })
      .waitFor();
    expect(await button.isVisible()).toBe(false);
    expect(await connection(headers)).toMatchObject({ status: 'connected', authKind: 'oauth' });
    expect(await page.locator('#canvas-message').isHidden()).toBe(true);
    expect(failures).toEqual([]);
    await page.context().close();
  });
});
