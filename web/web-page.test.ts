import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DEMO_STUDENT_EMAIL } from '../emulators/google/demo-seed.ts';
import { SYNC_JOB_ATTEMPTS } from '../src/jobs/canvas-sync-jobs.ts';
import {
  accessibilityProblems,
  describeInChromium,
  freePort,
  launchChromium,
  newContext as newBrowserContext,
  pageFailures,
  tabUntil,
} from '../test/support/browser.ts';
import { type EmulatedApp, startEmulatedApp } from '../test/support/emulated-app.ts';

// The newcomer's story in a real browser: Debian's Chromium, driven by playwright-core,
// against the embedded default with both emulators on a real port. Without a Chromium the
// suite skips and says how to get one; in CI (REQUIRE_SERVICES=1) it must run.
const SCREENSHOTS = join(import.meta.dirname, '..', '.artifacts', 'web');

describeInChromium('the web page in a real browser', 'runs the newcomer story', (executablePath) => {
  let e2e: EmulatedApp;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    const port = await freePort();
    // The port is fixed before start so PUBLIC_URL, and the Google redirect URI, match it.
    // Canvas retries at once, so an outage ends in a failed run within the test.
    // Push notifications from Google wait out their window for the whole suite: the plan test
    // waits for the repair each edit asks for, and a push-driven repair arriving at a moment
    // that depends on the machine's speed would be a second, unannounced change to the week
    // (push follows have their own tests under test/live).
    e2e = await startEmulatedApp(
      // The test reads the plan through the API as the student, beside the page's own polling:
      // ten times the default budget of requests a minute keeps those reads from using it up.
      {
        HOST: '127.0.0.1',
        PORT: String(port),
        PUSH_DEBOUNCE_MS: '600000',
        RATE_LIMIT_PER_MINUTE: '3000',
      },
      { retryBaseMs: { canvas: 1, job: 1 } },
    );
    const address = await e2e.app.listen();
    if (!address) throw new Error('the app did not listen');
    base = `http://127.0.0.1:${port}`;
    browser = await launchChromium(executablePath);
    await mkdir(SCREENSHOTS, { recursive: true });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await e2e?.close();
  });

  /** A browser context whose pages tell the time by this process's clock, ready for axe-core. */
  const newContext = () => newBrowserContext(browser, { forAxe: true });

  async function shoot(page: Page, name: string) {
    await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
  }

  it('signs in, connects Google through the consent page and the demo Canvas, syncs, and shows the week', async () => {
    const context = await newContext();
    const page = await context.newPage();
    // An API error the page expects (availability before Google is connected) is shown
    // in words; only an unexpected 5xx counts as a failure here.
    const failures = pageFailures(page);

    await page.goto(`${base}/`);
    await expect.poll(() => page.title()).toBe('CanvasCal');
    await shoot(page, 'desktop-1-sign-in');
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.locator('#google-state').filter({ hasText: 'Not connected' }).waitFor();

    // Google: the emulator's consent page is a form, approved as the demo student.
    await page.getByRole('button', { name: 'Connect Google', exact: true }).click();
    await page.waitForURL(/\/o\/oauth2\/v2\/auth/);
    await page.getByLabel('Account').fill(DEMO_STUDENT_EMAIL);
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL(`${base}/`, { timeout: 15_000 });
    await page.locator('#google-state').filter({ hasText: 'Connected' }).waitFor();
    await expect.poll(() => page.locator('#google-scopes li.granted').count()).toBeGreaterThanOrEqual(3);
    expect(await page.locator('#google-scopes').textContent()).toContain('see when you are busy');

    await page.getByRole('button', { name: 'Connect the demo student' }).click();
    await page.locator('#canvas-state').filter({ hasText: 'Connected to http://127.0.0.1' }).waitFor();
    await shoot(page, 'desktop-2-connected');

    // After the first sync the week moves to the zone Canvas gave (UTC → America/Chicago) and
    // reloads: FullCalendar asks for the old days in the new zone, today's days there, and
    // the reload, at once. The first of those is held until the calendar has drawn a later
    // one, so it answers last, as it did by chance under load (see the list check below).
    const weekFetches: Request[] = [];
    let releaseFirst = () => {};
    const firstReleased = new Promise<void>((resolve) => {
      releaseFirst = resolve;
    });
    await page.route('**/api/v1/deadlines?*', async (route) => {
      weekFetches.push(route.request());
      if (weekFetches.length === 1) await firstReleased;
      await route.fallback();
    });
    await page.getByRole('button', { name: 'Sync now' }).click();
    await page.locator('#sync-progress').filter({ hasText: 'Sync finished.' }).waitFor({ timeout: 30_000 });
    await page
      .locator('#sync-result')
      .filter({ hasText: /Last sync .*created/ })
      .waitFor();

    // The week: every deadline the API lists for the days shown is on the calendar.
    // The token lives in this tab's sessionStorage only, never in a cookie.
    expect(await page.evaluate('sessionStorage.getItem("canvascal.token")')).toBeTruthy();
    expect((await context.cookies()).filter((c) => c.value.includes('.'))).toEqual([]);
    await page.locator('.fc-event.ev-deadline').first().waitFor({ timeout: 15_000 });
    expect(weekFetches.length).toBeGreaterThan(1);
    const stale = weekFetches[0];
    if (!stale) throw new Error('no week fetch after the sync');
    releaseFirst();
    await (await stale.response())?.finished();
    // A task in the page after the old answer has been read, so its words would be written by now.
    await page.evaluate('new Promise((resolve) => setTimeout(() => setTimeout(resolve, 0), 0))');
    await page.unroute('**/api/v1/deadlines?*');
    // Every deadline drawn on the calendar is in the list beside it and nothing else is: the
    // list is written only by the calendar's latest fetch. (With an older fetch answering
    // last, the list showed another range's deadlines: late Friday evenings and 31 December
    // in Chicago, when the UTC date the week first showed was not Chicago's.)
    await expect.poll(() => page.locator('#week-deadlines li').count()).toBeGreaterThan(0);
    await expect
      .poll(
        async () =>
          (await page.locator('#week-deadlines li').count()) ===
          (await page.locator('.fc-event.ev-deadline').count()),
      )
      .toBe(true);
    const titles = await page.locator('.fc-event.ev-deadline').allTextContents();
    const listed = await page.locator('#week-deadlines li').allTextContents();
    expect(titles.every((t) => t.includes('Due: '))).toBe(true);
    for (const title of titles) {
      const name = title.split('Due: ')[1] ?? '';
      expect(listed.some((line) => line.includes(name.trim()))).toBe(true);
    }
    // Busy time from the demo student's calendars, shaded and labelled.
    await expect.poll(() => page.locator('.fc-bg-event.bg-busy').count()).toBeGreaterThan(0);
    expect(await page.locator('.fc-bg-event.bg-busy').first().textContent()).toContain('Busy');
    expect(await page.locator('#shortfalls li').count()).toBeGreaterThan(0);
    await shoot(page, 'desktop-3-week');
    expect(await accessibilityProblems(page)).toEqual([]);

    // Phone width: the day view, still usable.
    await page.setViewportSize({ width: 375, height: 812 });
    await page.locator('.fc-timeGridDay-view').waitFor();
    await shoot(page, 'phone-week');
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.emulateMedia({ colorScheme: 'dark' });
    await shoot(page, 'phone-week-dark');
    await page.locator('#week-title').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SCREENSHOTS, 'phone-week-dark-screen.png') });
    expect(await accessibilityProblems(page)).toEqual([]);

    expect(await page.locator('#error').isHidden()).toBe(true);
    expect(failures).toEqual([]);
    await context.close();
  }, 90_000);

  /** Signs in by keyboard alone; connects Google and Canvas when an earlier test has not. */
  async function signedIn(page: Page) {
    await page.goto(`${base}/`);
    await page.keyboard.press('Tab');
    await expect.poll(() => page.evaluate('document.activeElement?.id')).toBe('sign-in-local');
    await page.keyboard.press('Enter');
    await page.locator('#google-state').filter({ hasNotText: 'Checking' }).waitFor();
    if ((await page.locator('#google-state').textContent()) !== 'Connected') {
      // Connect or Reconnect, whichever the card offers ("Disconnect Google" sits beside it).
      await page.locator('#google-connect').click();
      await page.getByRole('button', { name: 'Allow' }).click();
      await page.waitForURL(`${base}/`, { timeout: 15_000 });
      await page.locator('#google-state').filter({ hasText: 'Connected' }).waitFor();
    }
    if (await page.getByRole('button', { name: 'Connect the demo student' }).isVisible())
      await page.getByRole('button', { name: 'Connect the demo student' }).click();
    await page.locator('#canvas-state').filter({ hasText: 'Connected' }).waitFor();
    const token = await page.evaluate('sessionStorage.getItem("canvascal.token")');
    return { authorization: `Bearer ${String(token)}` };
  }

  it('shades a calendar it cannot read as unknown and says which one', async () => {
    const context = await newContext();
    const page = await context.newPage();
    const headers = await signedIn(page);
    // The student counts a calendar that then disappears from their Google account.
    const job = e2e.google.addCalendar(DEMO_STUDENT_EMAIL, { summary: 'Evening job' });
    const put = await e2e.http.inject({
      method: 'PUT',
      url: '/api/v1/settings/calendars',
      headers,
      payload: { preferredCalendars: ['primary', job] },
    });
    expect(put.statusCode).toBe(200);
    e2e.google.userDeleteCalendar(job);

    await page.reload();
    await page.locator('.fc-bg-event.bg-unknown').first().waitFor({ timeout: 15_000 });
    expect(await page.locator('.fc-bg-event.bg-unknown').first().textContent()).toContain('Unknown');
    await expect.poll(() => page.locator('#availability-notes').textContent()).toContain(job);
    // Unknown time is never free, so no study session is planned in it.
    expect(await page.locator('.fc-event.ev-study').count()).toBe(0);
    await shoot(page, 'desktop-4-unknown');
    await e2e.http.inject({
      method: 'PUT',
      url: '/api/v1/settings/calendars',
      headers,
      payload: { preferredCalendars: ['primary'] },
    });
    await context.close();
  }, 90_000);

  it('shows what happened when Canvas is down for every try of a sync', async () => {
    const context = await newContext();
    const page = await context.newPage();
    await signedIn(page);
    // Each read tries five times, and the job tries SYNC_JOB_ATTEMPTS times.
    e2e.canvas.control.failNext('/api/v1/courses', 503, 5 * SYNC_JOB_ATTEMPTS);
    await page.getByRole('button', { name: 'Sync now' }).click();
    await page.locator('#sync-progress').filter({ hasText: 'Sync failed.' }).waitFor({ timeout: 60_000 });
    await expect.poll(() => page.locator('#error').textContent()).toMatch(/Canvas/);
    expect(await page.locator('#sync-result').textContent()).toMatch(/Last sync failed .*Canvas/);
    await shoot(page, 'desktop-6-canvas-down');
    e2e.canvas.control.clearFaults();
    await context.close();
  }, 90_000);

  it('shows a revoked Google grant as "Reconnect needed", and its button reconnects', async () => {
    const context = await newContext();
    const page = await context.newPage();
    await signedIn(page);
    // The page's own first look at the week is done before Google forgets the grant: the
    // sync is what meets the dead grant.
    await page.waitForLoadState('networkidle');
    e2e.google.revokeGrants(DEMO_STUDENT_EMAIL);
    e2e.google.expireAccessTokens();

    await page.getByRole('button', { name: 'Sync now' }).click();
    await page
      .locator('#sync-progress')
      .filter({ hasText: /^Sync failed\./ })
      .waitFor({ timeout: 30_000 });
    await page.locator('#google-state').filter({ hasText: 'Reconnect needed' }).waitFor();
    expect(await page.locator('#google-message').textContent()).not.toBe('');
    await shoot(page, 'desktop-5-reconnect-needed');

    await page.getByRole('button', { name: 'Reconnect Google' }).click();
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL(`${base}/`, { timeout: 15_000 });
    await page.locator('#google-state').filter({ hasText: 'Connected' }).waitFor();
    expect(await page.getByRole('button', { name: 'Reconnect Google' }).isVisible()).toBe(false);
    await context.close();
  }, 90_000);

  it('a sync refused because CanvasCal already knows the grant is dead says why, and the card offers the button', async () => {
    const context = await newContext();
    const page = await context.newPage();
    const headers = await signedIn(page);
    await page.waitForLoadState('networkidle');
    e2e.google.revokeGrants(DEMO_STUDENT_EMAIL);
    e2e.google.expireAccessTokens();
    // Something else reaches Google first (here the availability API, as another tab would)
    // and learns the grant is gone; the card on this page still says "Connected".
    const week = await e2e.http.inject({
      url: `/api/v1/availability?from=${encodeURIComponent(new Date().toISOString())}&to=${encodeURIComponent(new Date(Date.now() + 86_400_000).toISOString())}`,
      headers,
    });
    expect(week.statusCode).toBe(409);
    expect(await page.locator('#google-state').textContent()).toBe('Connected');

    await page.getByRole('button', { name: 'Sync now' }).click();
    await page
      .locator('#sync-progress')
      .filter({ hasText: /^Sync not started\./ })
      .waitFor({ timeout: 30_000 });
    // The message follows once the cards are drawn again.
    await expect.poll(() => page.locator('#error').textContent()).toMatch(/Google/);
    await page.locator('#google-state').filter({ hasText: 'Reconnect needed' }).waitFor();
    expect(await page.getByRole('button', { name: 'Reconnect Google' }).isVisible()).toBe(true);

    await page.getByRole('button', { name: 'Reconnect Google' }).click();
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL(`${base}/`, { timeout: 15_000 });
    await page.locator('#google-state').filter({ hasText: 'Connected' }).waitFor();
    await context.close();
  }, 90_000);

  it("sets a deadline's study time from the list, and hands it back to the planner's estimate", async () => {
    const context = await newContext();
    const page = await context.newPage();
    const headers = await signedIn(page);
    const puts: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'PUT' && request.url().includes('/effort'))
        puts.push(request.postData() ?? '');
    });
    // The demo student's deadlines are there once a sync has read them.
    if ((await page.locator('#week-deadlines form.effort').count()) === 0) {
      await page.getByRole('button', { name: 'Sync now' }).click();
      await page.locator('#sync-progress').filter({ hasText: 'Sync finished.' }).waitFor({ timeout: 30_000 });
      // A fresh page loads the week once, so no reload after the sync redraws the list mid-edit.
      await page.reload();
    }
    const editor = page.locator('#week-deadlines form.effort').first();
    await editor.waitFor({ timeout: 15_000 });
    const input = editor.getByRole('spinbutton');
    const id = await input.getAttribute('id');
    await input.fill('2.5');
    await editor.getByRole('button', { name: 'Save' }).click();
    // The week reloads with the new value in the same deadline's field.
    await expect.poll(() => page.locator(`#${id}`).inputValue()).toBe('2.5');
    expect(puts).toEqual(['{"effortMinutes":150}']);
    const efforts = async () => {
      const now = Date.now();
      const answer = await e2e.http.inject({
        method: 'GET',
        url: `/api/v1/deadlines?from=${new Date(now - 86_400_000).toISOString()}&to=${new Date(now + 30 * 86_400_000).toISOString()}`,
        headers,
      });
      return (answer.json().deadlines as Array<{ effortMinutes: number | null }>).map((d) => d.effortMinutes);
    };
    expect(await efforts()).toContain(150);
    await shoot(page, 'desktop-7-effort');
    expect(await accessibilityProblems(page)).toEqual([]);

    await page.locator(`#${id}`).locator('..').getByRole('button', { name: 'Use the estimate' }).click();
    await expect.poll(() => page.locator(`#${id}`).inputValue()).toBe('');
    expect(puts).toEqual(['{"effortMinutes":150}', '{"effortMinutes":null}']);
    expect(await efforts()).not.toContain(150);
    expect(await page.locator('#error').isHidden()).toBe(true);
    await context.close();
  }, 90_000);
  it('turns automatic planning on and shows the sessions written to Google, with the last repair', async () => {
    const context = await newContext();
    const page = await context.newPage();
    const failures = pageFailures(page);
    const headers = await signedIn(page);
    await page.getByRole('button', { name: 'Sync now' }).click();
    await page.locator('#sync-progress').filter({ hasText: 'Sync finished.' }).waitFor({ timeout: 60_000 });
    // Off: what the planner would suggest, dashed, and no "Re-plan now".
    const toggle = page.getByLabel('Plan my study time automatically');
    expect(await toggle.isChecked()).toBe(false);
    expect(await page.getByRole('button', { name: 'Re-plan now' }).isVisible()).toBe(false);

    await toggle.check();
    await page.locator('#plan-status').filter({ hasText: 'Done:' }).waitFor({ timeout: 30_000 });
    const plan = (await e2e.http.inject({ method: 'GET', url: '/api/v1/plan', headers })).json() as {
      autoPlan: boolean;
      calendarId: string;
      sessions: Array<{ eventId: string }>;
    };
    expect(plan.autoPlan).toBe(true);
    expect(plan.sessions.length).toBeGreaterThan(0);
    // What the page says is on the calendar is what the emulated Google holds.
    const onGoogle = [...(e2e.google.state.events.get(plan.calendarId)?.values() ?? [])].filter(
      (e) => e.resource.status !== 'cancelled',
    );
    expect(onGoogle.length).toBe(plan.sessions.length);
    await expect
      .poll(() => page.locator('#plan-status').textContent())
      .toContain(`${plan.sessions.length} study sessions`);
    await expect
      .poll(() => page.locator('#last-repair').textContent())
      .toMatch(/^Last re-planned .*: \d+ added, \d+ moved, \d+ removed/);
    await expect.poll(() => page.locator('.fc-event.ev-study:not(.ev-suggested)').count()).toBeGreaterThan(0);
    expect(await page.locator('.fc-event.ev-study.ev-suggested').count()).toBe(0);
    expect(await page.locator('#shortfalls li').count()).toBeGreaterThan(0);
    await shoot(page, 'desktop-7-plan');
    expect(await accessibilityProblems(page)).toEqual([]);
    // The week with its plan, for the README: from its heading to the calendar's last hour
    // (a full-page shot, so the calendar's sticky header stays on top; clip is in page
    // coordinates, boxes in the viewport's, which agree at the top of the page).
    await page.evaluate('window.scrollTo(0, 0)');
    const week = await page.locator('#week').boundingBox();
    const grid = await page.locator('#calendar').boundingBox();
    if (!week || !grid) throw new Error('no week on screen');
    await page.screenshot({
      path: join(SCREENSHOTS, 'week-view.png'),
      fullPage: true,
      clip: { x: week.x, y: week.y, width: week.width, height: grid.y + grid.height - week.y },
    });

    // Drag a session an hour later: it is moved in the emulated Google and pinned there.
    type Session = { eventId: string; start: string; end: string };
    const planNow = async () =>
      (await e2e.http.inject({ method: 'GET', url: '/api/v1/plan', headers })).json() as {
        calendarId: string;
        sessions: Session[];
        pinned: Session[];
        dropped: Session[];
        lastRepair: { at: string } | null;
      };
    // A look at the plan every half second, like the page's own.
    const PLAN_POLL = { timeout: 30_000, interval: 500 };
    // The finished sentences: the edit is in Google and the repair it asked for has run.
    const MOVED = /^Moved\. .*, and planned the rest around it/;
    const REMOVED = /^Removed\. .*, and planned its time elsewhere/;
    const googleEvent = (eventId: string) =>
      e2e.google.state.events.get(plan.calendarId)?.get(eventId)?.resource as
        | { status?: string; start?: { dateTime?: string } }
        | undefined;
    await page.locator('.fc-event.ev-study').first().scrollIntoViewIfNeeded();
    const hour = await page.locator('.fc-timegrid-slot-lane').first().boundingBox();
    const box = await page.locator('.fc-event.ev-study').first().boundingBox();
    if (!hour || !box) throw new Error('no session or grid on screen');
    await page.mouse.move(box.x + box.width / 2, box.y + 5);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2, box.y + 5 + hour.height / 2, { steps: 5 });
    await page.mouse.move(box.x + box.width / 2, box.y + 5 + hour.height, { steps: 5 });
    await page.mouse.up();
    // The page says "Moved." once Google has the edit, and finishes the sentence once the
    // repair the edit asks for has planned the rest around it; then it shows the week again.
    await page
      .locator('#plan-status')
      .filter({ hasText: MOVED })
      .waitFor({ timeout: 60_000 })
      .catch(async (error) => {
        throw new Error(
          `${error}; status: ${await page.locator('#plan-status').textContent()}; error: ${await page.locator('#error').textContent()}`,
        );
      });
    const [pinned] = (await planNow()).pinned;
    if (!pinned) throw new Error('nothing pinned');
    expect(Date.parse(googleEvent(pinned.eventId)?.start?.dateTime ?? '')).toBe(Date.parse(pinned.start));
    await expect.poll(() => page.locator('.fc-event.ev-study', { hasText: 'moved by you' }).count()).toBe(1);

    // Select another session and confirm: removed from Google, never planned again.
    page.once('dialog', (dialog) => void dialog.accept());
    // A click event on the session itself: on some days the moved session is laid over it
    // in the grid, and a pointer click at its centre would land on that one instead.
    await page.locator('.fc-event.ev-study', { hasNotText: 'moved by you' }).first().dispatchEvent('click');
    await page
      .getByRole('dialog', { name: 'Move or remove a study session' })
      .getByRole('button', { name: 'Remove it' })
      .click();
    await page.locator('#plan-status').filter({ hasText: REMOVED }).waitFor({ timeout: 60_000 });
    const [dropped] = (await planNow()).dropped;
    if (!dropped) throw new Error('nothing dropped');
    expect(googleEvent(dropped.eventId)?.status).toBe('cancelled');
    await shoot(page, 'desktop-8-plan-edited');

    // Keyboard only: Tab to a session, Enter opens its dialog, a button sets the new start
    // and "Move it" sends the same PATCH a drag does; "Remove it" the same DELETE.
    const edits: string[] = [];
    page.on('request', (request) => {
      const match = /\/api\/v1\/plan\/sessions\/([^/?]+)/.exec(request.url());
      if (match?.[1]) edits.push(`${request.method()} ${decodeURIComponent(match[1])}`);
    });
    const dialog = page.getByRole('dialog', { name: 'Move or remove a study session' });
    const startOf = async (eventId: string) => {
      const now = await planNow();
      return [...now.sessions, ...now.pinned].find((s) => s.eventId === eventId)?.start;
    };
    await tabUntil(page, 'el.matches(".fc-event.ev-study[data-event-id]")');
    const moved = String(await page.evaluate('document.activeElement.dataset.eventId'));
    const startBefore = await startOf(moved);
    if (!startBefore) throw new Error(`session ${moved} is not on the plan`);
    await page.keyboard.press('Enter');
    await dialog.waitFor();
    await shoot(page, 'desktop-9-session-dialog');
    expect(await accessibilityProblems(page)).toEqual([]);
    await tabUntil(page, 'el.textContent === "30 min later"');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Enter');
    expect(await page.locator('#session-new').textContent()).toMatch(/^New time: /);
    await tabUntil(page, 'el.textContent === "Move it"');
    await page.keyboard.press('Enter');
    await expect
      .poll(async () => (await planNow()).pinned.find((s) => s.eventId === moved)?.start, PLAN_POLL)
      .toBe(new Date(Date.parse(startBefore) + 3_600_000).toISOString());
    expect(Date.parse(googleEvent(moved)?.start?.dateTime ?? '')).toBe(Date.parse(startBefore) + 3_600_000);
    await page.locator('#plan-status').filter({ hasText: MOVED }).waitFor({ timeout: 60_000 });
    expect(edits).toEqual([`PATCH ${moved}`]);
    // Focus is back on the moved session, drawn at its new time.
    await expect.poll(() => page.evaluate('document.activeElement?.dataset?.eventId')).toBe(moved);

    page.once('dialog', (confirm) => void confirm.accept());
    await tabUntil(
      page,
      `el.matches(".fc-event.ev-study[data-event-id]") && el.dataset.eventId !== ${JSON.stringify(moved)}`,
    );
    const removed = String(await page.evaluate('document.activeElement.dataset.eventId'));
    await page.keyboard.press('Enter');
    await dialog.waitFor();
    await tabUntil(page, 'el.textContent === "Remove it"');
    await page.keyboard.press('Enter');
    await expect
      .poll(async () => (await planNow()).dropped.some((s) => s.eventId === removed), PLAN_POLL)
      .toBe(true);
    expect(googleEvent(removed)?.status).toBe('cancelled');
    expect(edits).toEqual([`PATCH ${moved}`, `DELETE ${removed}`]);
    await page.locator('#plan-status').filter({ hasText: REMOVED }).waitFor({ timeout: 60_000 });
    await expect.poll(() => page.locator(`[data-event-id="${removed}"]`).count()).toBe(0);

    // Refused: the moved session is removed elsewhere (another tab) a moment before the
    // student moves it again here. The API's message is shown, and the week reloads
    // without it rather than quietly putting it back.
    const repairBefore = (await planNow()).lastRepair?.at;
    const elsewhere = await e2e.http.inject({
      method: 'DELETE',
      url: `/api/v1/plan/sessions/${encodeURIComponent(moved)}`,
      headers,
    });
    expect(elsewhere.statusCode).toBe(202);
    await expect
      .poll(async () => (await planNow()).dropped.some((s) => s.eventId === moved), PLAN_POLL)
      .toBe(true);
    // The other tab's removal asks for a repair too; the move below is refused either way,
    // and "Re-plan now" after it must not mistake that repair for its own.
    await expect.poll(async () => (await planNow()).lastRepair?.at, PLAN_POLL).not.toBe(repairBefore);
    expect(await page.locator(`[data-event-id="${moved}"]`).count()).toBe(1);
    await tabUntil(page, `el.dataset.eventId === ${JSON.stringify(moved)}`);
    await page.keyboard.press('Enter');
    await dialog.waitFor();
    await tabUntil(page, 'el.textContent === "30 min later"');
    await page.keyboard.press('Enter');
    await tabUntil(page, 'el.textContent === "Move it"');
    await page.keyboard.press('Enter');
    await expect
      .poll(() => page.locator('#plan-status').textContent())
      .toMatch(/^Not moved: No study session .* on your calendar/);
    expect(await page.locator('#error').textContent()).toContain(
      `No study session ${moved} on your calendar`,
    );
    await expect.poll(() => page.locator(`[data-event-id="${moved}"]`).count()).toBe(0);
    expect(edits).toEqual([`PATCH ${moved}`, `DELETE ${removed}`, `PATCH ${moved}`]);
    expect(googleEvent(moved)?.status).toBe('cancelled');
    await shoot(page, 'desktop-10-move-refused');
    expect(await accessibilityProblems(page)).toEqual([]);

    // Re-plan now: a manual repair, reported when it has run.
    await page.getByRole('button', { name: 'Re-plan now' }).click();
    await expect
      .poll(() => page.locator('#last-repair').textContent(), { timeout: 30_000 })
      .toContain('(you asked)');
    await page.setViewportSize({ width: 375, height: 812 });
    await page.locator('.fc-timeGridDay-view').waitFor();
    await shoot(page, 'phone-7-plan');
    expect(await accessibilityProblems(page)).toEqual([]);

    // Off again: the switch says so and the sessions shown are suggestions only.
    await toggle.uncheck();
    await page
      .locator('#plan-status')
      .filter({ hasText: 'Automatic planning is off' })
      .waitFor({ timeout: 30_000 });
    expect(await page.getByRole('button', { name: 'Re-plan now' }).isVisible()).toBe(false);
    // The week reloads after the status says so (the switch's handler refreshes it last).
    await expect.poll(() => page.locator('.fc-event.ev-study:not(.ev-suggested)').count()).toBe(0);
    expect(await page.locator('#error').isHidden()).toBe(true);
    expect(failures).toEqual([]);
    await context.close();
  }, 180_000);
});
