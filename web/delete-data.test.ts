import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DEMO_STUDENT_EMAIL } from '../emulators/google/demo-seed.ts';
import {
  accessibilityProblems,
  describeInChromium,
  freePort,
  launchChromium,
  newContext,
  pageFailures,
  tabUntil,
} from '../test/support/browser.ts';
import { type EmulatedApp, startEmulatedApp } from '../test/support/emulated-app.ts';
import { rowsMentioning } from '../test/support/rows-about-user.ts';

// "Delete my data" in a real browser (Debian's Chromium, playwright-core) against the embedded
// default on a real port. The student signs in on the page; Google, the demo Canvas and a sync
// are done through the API with the page's own token (the newcomer story is web-page.test.ts's).
// The tests share that one local student and run in order: look and cancel, an error, delete.
const SCREENSHOTS = join(import.meta.dirname, '..', '.artifacts', 'web');

describeInChromium('deleting my data on the web page', 'asks, deletes and signs out', (executablePath) => {
  let e2e: EmulatedApp;
  let browser: Browser;
  let base: string;
  let page: Page;
  let failures: string[];
  let userId: string;
  let appCalendarId: string;

  // Expressions, not functions: this file is type-checked without the DOM's types.
  const focusedId = () => page.evaluate<string>("document.activeElement?.id ?? ''");
  const dialogOpen = () => page.evaluate<boolean>("document.getElementById('delete-data-dialog').open");
  const pageToken = () => page.evaluate<string | null>("sessionStorage.getItem('canvascal.token')");
  const shoot = (name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });

  beforeAll(async () => {
    const port = await freePort();
    e2e = await startEmulatedApp(
      { HOST: '127.0.0.1', PORT: String(port) },
      { retryBaseMs: { canvas: 1, job: 1 } },
    );
    if (!(await e2e.app.listen())) throw new Error('the app did not listen');
    base = `http://127.0.0.1:${port}`;
    browser = await launchChromium(executablePath);
    await mkdir(SCREENSHOTS, { recursive: true });

    page = await (await newContext(browser, { forAxe: true })).newPage();
    failures = pageFailures(page);
    await page.goto(`${base}/`);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.locator('#google-state').filter({ hasText: 'Not connected' }).waitFor();
    const token = await pageToken();
    const headers = { authorization: `Bearer ${token}` };
    userId = (await e2e.http.inject({ url: '/api/v1/me', headers })).json().id;
    await e2e.connectGoogle(headers);
    await e2e.http.inject({ method: 'POST', url: '/api/v1/canvas/connection/demo', headers });
    expect((await e2e.run(headers, '/api/v1/sync/canvas')).status).toBe('succeeded');
    const calendar = [...e2e.google.state.calendars.values()].find(
      (c) => c.owner === DEMO_STUDENT_EMAIL && c.summary === 'CanvasCal' && !c.deleted,
    );
    if (!calendar) throw new Error('the sync made no CanvasCal calendar');
    appCalendarId = calendar.id;
    await page.reload();
    await page.locator('#google-state').filter({ hasText: 'Connected' }).waitFor();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await e2e?.close();
  });

  it('opens by keyboard, says what goes and what stays, passes axe, and Escape keeps everything', async () => {
    await tabUntil(page, "el.id === 'delete-data-open'");
    await page.keyboard.press('Enter');
    await expect.poll(dialogOpen).toBe(true);
    // Focus starts on the safe choice.
    expect(await focusedId()).toBe('delete-data-cancel');
    const said = await page.locator('#delete-data-dialog').textContent();
    expect(said).toContain('Deleted:');
    expect(said).toContain('Kept:');
    expect(said).toContain('“CanvasCal Study” calendar');
    expect(await page.getByLabel('Also remove the CanvasCal calendars from my Google').isChecked()).toBe(
      false,
    );
    expect(await accessibilityProblems(page)).toEqual([]);
    await shoot('desktop-delete-dialog');

    await page.keyboard.press('Escape');
    await expect.poll(dialogOpen).toBe(false);
    expect(await focusedId()).toBe('delete-data-open');
    expect(await rowsMentioning(e2e.app.db, userId)).toMatchObject({ users: 1, google_connections: 1 });

    // A phone's width: the dialog fits, its buttons reachable.
    await page.setViewportSize({ width: 375, height: 812 });
    await page.getByRole('button', { name: 'Delete my data…' }).click();
    await expect.poll(dialogOpen).toBe(true);
    const box = await page.locator('#delete-data-dialog').boundingBox();
    expect(box && box.x >= 0 && box.x + box.width <= 375).toBe(true);
    expect(await accessibilityProblems(page)).toEqual([]);
    await shoot('phone-delete-dialog');
    await page.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(dialogOpen).toBe(false);
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it("shows the API's message in the dialog when the delete fails, and deletes nothing", async () => {
    // The service answering an error of its own (its database out, say), as the API words it.
    const message = 'The database cannot be reached right now; try again shortly.';
    await page.route('**/api/v1/me', (route) =>
      route.request().method() === 'DELETE'
        ? route.fulfill({
            status: 503,
            contentType: 'application/json',
            body: JSON.stringify({ error: { code: 'database_unavailable', message } }),
          })
        : route.fallback(),
    );
    await page.getByRole('button', { name: 'Delete my data…' }).click();
    await page.locator('#delete-data-confirm').click();
    await page.locator('#delete-data-error').filter({ hasText: message }).waitFor();
    expect(await dialogOpen()).toBe(true);
    expect(await page.locator('#delete-data-confirm').isEnabled()).toBe(true);
    expect(await page.locator('#connect').isVisible()).toBe(true);
    await page.unroute('**/api/v1/me');
    await page.keyboard.press('Escape');
    await expect.poll(dialogOpen).toBe(false);
    expect(await rowsMentioning(e2e.app.db, userId)).toMatchObject({ users: 1 });
  });

  it('deletes by keyboard with the calendars, says so in words, and returns to signed out', async () => {
    await tabUntil(page, "el.id === 'delete-data-open'");
    await page.keyboard.press('Enter');
    await expect.poll(dialogOpen).toBe(true);
    await tabUntil(page, "el.id === 'delete-data-calendars'");
    await page.keyboard.press('Space');
    expect(await page.locator('#delete-data-calendars').isChecked()).toBe(true);
    await tabUntil(page, "el.id === 'delete-data-confirm'");
    await page.keyboard.press('Enter');

    const result = page.locator('#delete-data-result');
    await result.filter({ hasText: 'Your CanvasCal data is deleted' }).waitFor();
    expect(await dialogOpen()).toBe(false);
    const words = await result.textContent();
    expect(words).toContain('Nothing about you is left in CanvasCal, and you are signed out.');
    expect(words).toContain('CanvasCal no longer has access to your Google account.');
    expect(words).toContain('Removed 1 CanvasCal calendar from your Google Calendar.');
    expect(await focusedId()).toBe('delete-data-result');
    // Signed out: only the sign-in is left, and nothing of the student is.
    expect(await page.locator('#sign-in').isVisible()).toBe(true);
    for (const id of ['#connect', '#sync', '#week', '#delete-data', '#sign-out'])
      expect(await page.locator(id).isHidden(), id).toBe(true);
    expect(await pageToken()).toBeNull();
    expect(await rowsMentioning(e2e.app.db, userId)).toEqual({});
    expect(e2e.google.state.calendars.get(appCalendarId)?.deleted).toBe(true);
    expect(await accessibilityProblems(page)).toEqual([]);
    await shoot('desktop-delete-result');

    // Signing in again starts afresh, and the old result goes away.
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.locator('#google-state').filter({ hasText: 'Not connected' }).waitFor();
    expect(await result.isHidden()).toBe(true);
    expect(await page.locator('#error').isHidden()).toBe(true);
    // The one 5xx is the answer the error test made up.
    expect(failures.filter((f) => f !== `503 ${base}/api/v1/me`)).toEqual([]);
  });
});
