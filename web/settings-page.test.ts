import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  accessibilityProblems,
  describeInChromium,
  newContext as newBrowserContext,
  pageFailures,
  tabUntil,
} from '../test/support/browser.ts';
import type { EmulatedApp } from '../test/support/emulated-app.ts';
import { type PageApp, startPageApp } from '../test/support/page-app.ts';

// The settings panel and the disconnect buttons in a real browser, against the embedded
// default on its emulators. The student's Google account is made here, not the demo
// student's, so the only busy time is the event this file puts there: unchecking its
// calendar can only take that away. The tests run in order: the disconnects come last.
const SCREENSHOTS = join(import.meta.dirname, '..', '.artifacts', 'web');
const STUDENT = 'settings-page@example.edu';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

type Settings = Record<string, unknown> & {
  studyWindows: Record<string, Array<{ start: string; end: string }>>;
  dailyCapMinutes: number;
  timeZone: string;
};

describeInChromium(
  'the settings panel and disconnecting, in a real browser',
  'changes settings',
  (executablePath) => {
    let app: PageApp;
    let e2e: EmulatedApp;
    let browser: Browser;
    let base: string;
    let headers: Record<string, string>;
    let work: string;
    let job: string;
    /** The job's shift, from the clock the app and its emulator share. */
    let shift: { start: number; end: number };

    beforeAll(async () => {
      app = await startPageApp(executablePath, SCREENSHOTS);
      ({ e2e, browser, base } = app);
      e2e.google.addAccount(STUDENT, 'America/Chicago');
      work = e2e.google.addCalendar(STUDENT, { summary: 'Work' });
      e2e.google.addCalendar(STUDENT, {
        summary: 'Lab group',
        accessRole: 'freeBusyReader',
        owner: 'lab-lead@example.edu',
      });
      job = e2e.google.addCalendar(STUDENT, { summary: 'Evening job' });
      const start = Math.ceil(Date.now() / HOUR) * HOUR + DAY;
      shift = { start, end: start + 2 * HOUR };
      e2e.google.userInsertEvent(job, {
        summary: 'Shift',
        start: { dateTime: new Date(shift.start).toISOString() },
        end: { dateTime: new Date(shift.end).toISOString() },
      });
    }, 60_000);

    afterAll(async () => {
      await app?.close();
    });

    async function shoot(page: Page, name: string) {
      await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
    }

    /** A fresh tab, signed in with Google connected as STUDENT (through the consent page once). */
    async function openPage(): Promise<Page> {
      const context = await newBrowserContext(browser, { forAxe: true });
      const page = await context.newPage();
      await page.goto(`${base}/`);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.locator('#google-state').filter({ hasNotText: 'Checking' }).waitFor();
      if (await page.getByRole('button', { name: 'Connect Google', exact: true }).isVisible()) {
        await page.getByRole('button', { name: 'Connect Google', exact: true }).click();
        await page.waitForURL(/\/o\/oauth2\/v2\/auth/);
        await page.getByLabel('Account').fill(STUDENT);
        await page.getByRole('button', { name: 'Allow' }).click();
        await page.waitForURL(`${base}/`, { timeout: 15_000 });
      }
      await page.locator('#google-state').filter({ hasText: 'Connected' }).waitFor();
      await page.locator('#busy-calendar-list li').first().waitFor();
      headers = {
        authorization: `Bearer ${String(await page.evaluate('sessionStorage.getItem("canvascal.token")'))}`,
      };
      return page;
    }

    const settings = async () =>
      (await e2e.http.inject({ url: '/api/v1/settings/planner', headers })).json() as Settings;

    /** The API's free/busy answer over the week ahead. */
    const availability = async () => {
      const now = Date.now();
      const answer = await e2e.http.inject({
        url: `/api/v1/availability?from=${new Date(now).toISOString()}&to=${new Date(now + 7 * DAY).toISOString()}`,
        headers,
      });
      expect(answer.statusCode).toBe(200);
      return answer.json() as {
        calendars: string[];
        busy: Array<{ start: string; end: string }>;
        unknown: Array<{ calendarIds: string[]; reason: string }>;
      };
    };
    const coversShift = (busy: Array<{ start: string; end: string }>) =>
      busy.some((b) => Date.parse(b.start) <= shift.start && Date.parse(b.end) >= shift.end);

    it('saves study windows and the daily cap, and shows them again after a reload', async () => {
      const page = await openPage();
      const failures = pageFailures(page);
      const before = await settings();
      expect(await page.getByLabel('Time zone').inputValue()).toBe(before.timeZone);
      expect(await page.getByLabel('Most study in one day (minutes)').inputValue()).toBe(
        String(before.dailyCapMinutes),
      );

      await page.getByLabel('From (Monday, window 1)').fill('09:00');
      await page.getByLabel('to (Monday, window 1)').fill('12:30');
      await page.getByRole('button', { name: 'Add hours on Tuesday' }).click();
      const second = (before.studyWindows.tue?.length ?? 0) + 1;
      await page.getByLabel(`From (Tuesday, window ${second})`).fill('07:00');
      await page.getByLabel(`to (Tuesday, window ${second})`).fill('08:30');
      await page.getByLabel('Most study in one day (minutes)').fill('180');
      await page.getByRole('button', { name: 'Save study settings' }).click();
      await expect
        .poll(() => page.locator('#planner-status').textContent())
        .toBe('Saved. The suggested study sessions in your week follow the new settings.');

      // The API holds exactly the change, nothing else moved.
      const expected = {
        ...before,
        studyWindows: {
          ...before.studyWindows,
          mon: [{ start: '09:00', end: '12:30' }],
          tue: [...(before.studyWindows.tue ?? []), { start: '07:00', end: '08:30' }],
        },
        dailyCapMinutes: 180,
      };
      expect(await settings()).toEqual(expected);

      await page.reload();
      await page.locator('#busy-calendar-list li').first().waitFor();
      await expect.poll(() => page.getByLabel('Most study in one day (minutes)').inputValue()).toBe('180');
      expect(await page.getByLabel('From (Monday, window 1)').inputValue()).toBe('09:00');
      expect(await page.getByLabel('to (Monday, window 1)').inputValue()).toBe('12:30');
      expect(await page.getByLabel(`From (Tuesday, window ${second})`).inputValue()).toBe('07:00');
      expect(await page.locator('#hint-dailyCapMinutes').textContent()).toContain('= 3 h');
      expect(failures).toEqual([]);
      await page.context().close();
    }, 90_000);

    it("shows the API's message next to each bad field and saves nothing", async () => {
      const page = await openPage();
      const before = await settings();
      await page.getByLabel('From (Wednesday, window 1)').fill('16:00');
      await page.getByLabel('to (Wednesday, window 1)').fill('15:00');
      await page.getByLabel('Most study in one day (minutes)').fill('2000');
      const answered = page.waitForResponse(
        (r) => r.url().endsWith('/api/v1/settings/planner') && r.request().method() === 'PUT',
      );
      await page.getByRole('button', { name: 'Save study settings' }).click();
      const answer = await answered;
      expect(answer.status()).toBe(400);
      const message = ((await answer.json()) as { error: { message: string } }).error.message;

      const windowError = page.locator('#error-studyWindows-wed-0');
      await windowError.waitFor();
      expect(await windowError.textContent()).toBe('end must be after start');
      expect(message).toContain('body.studyWindows.wed.0: end must be after start');
      const capError = page.locator('#error-dailyCapMinutes');
      expect(await capError.isVisible()).toBe(true);
      expect(message).toContain(`body.dailyCapMinutes: ${await capError.textContent()}`);
      expect(await page.getByLabel('Most study in one day (minutes)').getAttribute('aria-invalid')).toBe(
        'true',
      );
      expect(await page.locator('#planner-status').textContent()).toMatch(/^Not saved/);
      expect(await settings()).toEqual(before);
      await shoot(page, 'settings-1-refused');

      // Put right, it saves and the messages go. Planning was turned on by the switch beside
      // the week after the form was drawn: saving keeps it on and says the plan follows.
      await page.getByLabel('Plan my study time automatically').check();
      await page.locator('#plan-status').filter({ hasText: 'Done' }).waitFor({ timeout: 30_000 });
      await page.getByLabel('to (Wednesday, window 1)').fill('21:00');
      await page.getByLabel('Most study in one day (minutes)').fill(String(before.dailyCapMinutes));
      await page.getByRole('button', { name: 'Save study settings' }).click();
      await expect.poll(() => page.locator('#planner-status').textContent()).toMatch(/^Saved\./);
      expect(await windowError.isHidden()).toBe(true);
      expect(await capError.isHidden()).toBe(true);
      expect(await page.locator('#planner-status').textContent()).toBe(
        'Saved. Your plan is being re-planned.',
      );
      expect((await settings()).studyWindows.wed?.[0]).toEqual({ start: '16:00', end: '21:00' });
      expect((await settings()).autoPlan).toBe(true);
      await page.getByLabel('Plan my study time automatically').uncheck();
      await page
        .locator('#plan-status')
        .filter({ hasText: 'Automatic planning is off' })
        .waitFor({ timeout: 30_000 });
      await page.context().close();
    }, 90_000);

    it("stops counting a calendar the student unchecks: its busy time leaves the API's answer", async () => {
      const page = await openPage();
      const counted = await availability();
      expect(counted.calendars).toContain(job);
      expect(coversShift(counted.busy)).toBe(true);

      const box = page.getByRole('checkbox', { name: 'Evening job' });
      expect(await box.isChecked()).toBe(true);
      await box.uncheck();
      await page.getByRole('button', { name: 'Save calendars' }).click();
      await expect.poll(() => page.locator('#calendars-status').textContent()).toMatch(/^Saved\./);

      const after = await availability();
      expect(after.calendars).not.toContain(job);
      expect(after.calendars).toContain(work);
      expect(coversShift(after.busy)).toBe(false);
      await page.reload();
      await page.locator('#busy-calendar-list li').first().waitFor();
      expect(await page.getByRole('checkbox', { name: 'Evening job' }).isChecked()).toBe(false);
      expect(await page.getByRole('checkbox', { name: 'Work' }).isChecked()).toBe(true);
      await page.context().close();
    }, 90_000);

    it('marks a chosen calendar it could not read, says why, and drops it when saved', async () => {
      const night = e2e.google.addCalendar(STUDENT, { summary: 'Night shift' });
      const page = await openPage();
      await page.getByRole('checkbox', { name: 'Night shift' }).check();
      await page.getByRole('button', { name: 'Save calendars' }).click();
      await expect.poll(() => page.locator('#calendars-status').textContent()).toMatch(/^Saved\./);
      // Then it is deleted in Google: CanvasCal can no longer read it.
      e2e.google.userDeleteCalendar(night);
      expect((await availability()).unknown).toContainEqual(
        expect.objectContaining({ calendarIds: [night], reason: 'notInCalendarList' }),
      );

      await page.reload();
      const marked = page.locator('#busy-calendar-list li.unreadable', { hasText: night });
      await marked.waitFor();
      expect(await marked.textContent()).toContain(
        'Could not be read: it is no longer in your Google calendar list',
      );
      expect(await page.locator('#busy-calendar-list li.unreadable').count()).toBe(1);
      await page
        .locator('#calendars-form')
        .screenshot({ path: join(SCREENSHOTS, 'settings-2-unreadable.png') });
      expect(await accessibilityProblems(page)).toEqual([]);

      await page.getByRole('button', { name: 'Save calendars' }).click();
      await expect.poll(() => page.locator('#calendars-status').textContent()).toMatch(/^Saved\./);
      const chosen = (await e2e.http.inject({ url: '/api/v1/settings/calendars', headers })).json() as {
        preferredCalendars: string[];
        missing: string[];
      };
      expect(chosen.preferredCalendars).not.toContain(night);
      expect(chosen.missing).toEqual([]);
      await page.reload();
      await page.locator('#busy-calendar-list li').first().waitFor();
      expect(await page.locator('#busy-calendar-list li.unreadable').count()).toBe(0);
      await page.context().close();
    }, 90_000);

    it('goes through the settings by keyboard alone, passes axe, and looks right on a phone', async () => {
      const page = await openPage();
      const failures = pageFailures(page);
      /** Replaces the focused field's text, as a keyboard user does. @param {string} text */
      const retype = async (text: string) => {
        await page.keyboard.press('ControlOrMeta+a');
        await page.keyboard.type(text);
      };
      await tabUntil(page, 'el.id === "window-mon-0-start"');
      await retype('10:00');
      await page.keyboard.press('Tab');
      await retype('13:00');
      await tabUntil(page, 'el.id === "setting-dailyCapMinutes"');
      await retype('150');
      await tabUntil(page, 'el.id === "setting-timeZone"');
      await page.keyboard.type('America/New');
      await expect.poll(() => page.getByLabel('Time zone').inputValue()).toBe('America/New_York');
      await tabUntil(page, 'el.textContent === "Save study settings"');
      await page.keyboard.press('Enter');
      await expect.poll(() => page.locator('#planner-status').textContent()).toMatch(/^Saved\./);
      const saved = await settings();
      expect(saved.studyWindows.mon).toEqual([{ start: '10:00', end: '13:00' }]);
      expect(saved.dailyCapMinutes).toBe(150);
      expect(saved.timeZone).toBe('America/New_York');
      await expect.poll(() => page.locator('#week-zone').textContent()).toContain('America/New_York');

      // A calendar box by Space, saved by Enter.
      await tabUntil(page, `el.name === "calendar" && el.value === ${JSON.stringify(work)}`);
      await page.keyboard.press('Space');
      await tabUntil(page, 'el.textContent === "Save calendars"');
      await page.keyboard.press('Enter');
      await expect.poll(() => page.locator('#calendars-status').textContent()).toMatch(/^Saved\./);
      expect((await availability()).calendars).not.toContain(work);
      await tabUntil(page, `el.name === "calendar" && el.value === ${JSON.stringify(work)}`);
      await page.keyboard.press('Space');
      await tabUntil(page, 'el.textContent === "Save calendars"');
      await page.keyboard.press('Enter');
      await expect.poll(async () => (await availability()).calendars).toContain(work);

      expect(await accessibilityProblems(page)).toEqual([]);
      await page.locator('#settings').screenshot({ path: join(SCREENSHOTS, 'settings-desktop.png') });
      await page.setViewportSize({ width: 375, height: 812 });
      await page.locator('#settings').screenshot({ path: join(SCREENSHOTS, 'settings-phone.png') });
      expect(await accessibilityProblems(page)).toEqual([]);
      await page.emulateMedia({ colorScheme: 'dark' });
      await page.locator('#settings').screenshot({ path: join(SCREENSHOTS, 'settings-phone-dark.png') });
      expect(await accessibilityProblems(page)).toEqual([]);
      expect(failures).toEqual([]);
      await page.context().close();
    }, 90_000);

    it('disconnects Google after a confirmation that says what stops and what stays', async () => {
      const page = await openPage();
      const dialog = page.getByRole('dialog', { name: 'Disconnect Google?' });
      const liveGrants = () =>
        [...e2e.google.state.refreshGrants.values()].filter((g) => g.email === STUDENT && !g.revoked).length;
      expect(liveGrants()).toBeGreaterThan(0);

      // Escape backs out: nothing is disconnected, and the focus is back on the button.
      await tabUntil(page, 'el.id === "google-disconnect"');
      await page.keyboard.press('Enter');
      await dialog.waitFor();
      expect(await page.evaluate('document.activeElement?.textContent')).toBe('Keep it connected');
      expect(await dialog.textContent()).toContain('What stays:');
      await page.screenshot({ path: join(SCREENSHOTS, 'settings-3-disconnect-google.png') });
      expect(await accessibilityProblems(page)).toEqual([]);
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'hidden' });
      expect(await page.evaluate('document.activeElement?.id')).toBe('google-disconnect');
      expect((await e2e.http.inject({ url: '/api/v1/auth/google', headers })).json().status).toBe(
        'connected',
      );

      await page.keyboard.press('Enter');
      await dialog.waitFor();
      await tabUntil(page, 'el.closest("dialog") && el.textContent === "Disconnect Google"');
      await page.keyboard.press('Enter');
      await page.locator('#google-state').filter({ hasText: 'Not connected' }).waitFor();
      expect(await page.getByRole('button', { name: 'Connect Google', exact: true }).isVisible()).toBe(true);
      expect(await page.locator('#google-disconnect').isHidden()).toBe(true);
      expect(await page.locator('#google-scopes li').count()).toBe(0);
      await expect.poll(() => page.evaluate('document.activeElement?.id')).toBe('google-connect');
      // The API and the emulated Google agree: the grant is gone at Google.
      expect((await e2e.http.inject({ url: '/api/v1/auth/google', headers })).json().status).not.toBe(
        'connected',
      );
      expect(liveGrants()).toBe(0);
      await expect.poll(() => page.locator('#busy-calendars-message').textContent()).toMatch(/Google/);
      expect(await page.locator('#busy-calendar-list li').count()).toBe(0);
      await shoot(page, 'settings-4-google-disconnected');
      await page.context().close();
    }, 90_000);

    it('marks every counted calendar when Google is reconnected without the free/busy permission', async () => {
      const context = await newBrowserContext(browser, { forAxe: true });
      const page = await context.newPage();
      await page.goto(`${base}/`);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.locator('#google-state').filter({ hasText: 'Not connected' }).waitFor();
      await page.getByRole('button', { name: 'Connect Google', exact: true }).click();
      await page.waitForURL(/\/o\/oauth2\/v2\/auth/);
      await page.getByLabel('Account').fill(STUDENT);
      await page.getByRole('checkbox', { name: /calendar\.events\.freebusy/ }).uncheck();
      await page.getByRole('button', { name: 'Allow' }).click();
      await page.waitForURL(`${base}/`, { timeout: 15_000 });
      await page.locator('#google-state').filter({ hasText: 'Connected' }).waitFor();
      const workRow = page.locator('#busy-calendar-list li', { hasText: 'Work' });
      await workRow.locator('.unreadable-note').waitFor();
      expect(await workRow.textContent()).toContain('CanvasCal is not allowed to see when you are busy');
      expect(await workRow.textContent()).toContain(
        'Reconnect Google and allow CanvasCal to see when you are busy.',
      );
      // Only counted calendars are read, so only they are marked.
      const jobRow = page.locator('#busy-calendar-list li', { hasText: 'Evening job' });
      expect(await jobRow.locator('.unreadable-note').count()).toBe(0);
      await page
        .locator('#calendars-form')
        .screenshot({ path: join(SCREENSHOTS, 'settings-5-no-free-busy.png') });
      await context.close();
    }, 90_000);

    it('disconnects Canvas after a confirmation, and the card offers to connect again', async () => {
      const page = await openPage();
      await page.getByRole('button', { name: 'Connect the demo student' }).click();
      await page.locator('#canvas-state').filter({ hasText: 'Connected' }).waitFor();
      const dialog = page.getByRole('dialog', { name: 'Disconnect Canvas?' });
      await page.setViewportSize({ width: 375, height: 812 });
      await page.getByRole('button', { name: 'Disconnect Canvas' }).click();
      await dialog.waitFor();
      expect(await dialog.textContent()).toContain('What stops:');
      expect(await accessibilityProblems(page)).toEqual([]);
      await page.screenshot({ path: join(SCREENSHOTS, 'settings-6-disconnect-canvas-phone.png') });
      await page.emulateMedia({ colorScheme: 'dark' });
      await page.screenshot({ path: join(SCREENSHOTS, 'settings-6-disconnect-canvas-phone-dark.png') });
      expect(await accessibilityProblems(page)).toEqual([]);
      await dialog.getByRole('button', { name: 'Keep it connected' }).click();
      await dialog.waitFor({ state: 'hidden' });
      expect((await e2e.http.inject({ url: '/api/v1/canvas/connection', headers })).json().status).toBe(
        'connected',
      );

      await page.getByRole('button', { name: 'Disconnect Canvas' }).click();
      await dialog.getByRole('button', { name: 'Disconnect Canvas' }).click();
      await page.locator('#canvas-state').filter({ hasText: 'Not connected' }).waitFor();
      expect(await page.getByRole('button', { name: 'Connect the demo student' }).isVisible()).toBe(true);
      expect(await page.locator('#canvas-disconnect').isHidden()).toBe(true);
      expect((await e2e.http.inject({ url: '/api/v1/canvas/connection', headers })).json().status).toBe(
        'not_connected',
      );
      // Nothing more is read from Canvas: a sync is refused, saying to connect Canvas.
      const sync = await e2e.http.inject({ method: 'POST', url: '/api/v1/sync/canvas', headers });
      expect(sync.statusCode).toBeGreaterThanOrEqual(400);
      expect(sync.json().error.message).toMatch(/Canvas/);
      expect(await page.locator('#error').isHidden()).toBe(true);
      await page.context().close();
    }, 90_000);
  },
);
