import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_STUDENT_EMAIL } from '../../emulators/google/demo-seed.ts';
import { SCOPES } from '../../src/google/scopes.ts';
import { type EmulatedApp, startEmulatedApp } from '../support/emulated-app.ts';

// A student may untick permissions on Google's consent screen. Busy time they did not let
// CanvasCal see is unknown (never free), a missing permission is never a 502, and the answer
// says what is not counted and how to grant it.

let e2e: EmulatedApp;
let job: string;
const jobShifts: Array<{ start: number; end: number }> = [];
const DAY = 86_400_000;

const overlaps = (a: { start: number; end: number }, b: { start: number; end: number }) =>
  a.start < b.end && b.start < a.end;

/** A new CanvasCal user who connects the demo Google account granting only `scopes`. */
async function studentGranting(email: string, scopes: string[], query = '') {
  const headers = await e2e.signIn(email);
  // Earlier grants would be added back (include_granted_scopes): start from none.
  e2e.google.revokeGrants(DEMO_STUDENT_EMAIL);
  const start = await e2e.http.inject({ url: `/api/v1/auth/google/url${query}`, headers });
  const redirect = new URL(
    e2e.google.approveConsent(start.json().url, { email: DEMO_STUDENT_EMAIL, grantScopes: scopes }),
  );
  const token = await e2e.http.inject({
    method: 'POST',
    url: '/api/v1/auth/google/token',
    headers,
    payload: { code: redirect.searchParams.get('code'), state: redirect.searchParams.get('state') },
  });
  expect(token.json().status).toBe('connected');
  await e2e.http.inject({ method: 'POST', url: '/api/v1/canvas/connection/demo', headers });
  expect((await e2e.run(headers, '/api/v1/sync/canvas')).status).toBe('succeeded');
  return { headers, features: token.json().features as Record<string, boolean> };
}

const availability = (headers: Record<string, string>, from: number, to: number) =>
  e2e.http.inject({
    url: `/api/v1/availability?from=${new Date(from).toISOString()}&to=${new Date(to).toISOString()}`,
    headers,
  });
const preview = (headers: Record<string, string>) =>
  e2e.http.inject({ method: 'POST', url: '/api/v1/planner/preview', headers });

beforeAll(async () => {
  e2e = await startEmulatedApp();
  // A selected "Job" calendar besides the primary one: 10:00–20:00 UTC every day.
  job = e2e.google.addCalendar(DEMO_STUDENT_EMAIL, { summary: 'Job', timeZone: 'UTC' });
  const now = new Date();
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  for (let day = 0; day < 30; day++) {
    const start = today + day * DAY + 10 * 3_600_000;
    jobShifts.push({ start, end: start + 10 * 3_600_000 });
    e2e.google.userInsertEvent(job, {
      summary: 'Shift',
      start: { dateTime: new Date(start).toISOString() },
      end: { dateTime: new Date(start + 10 * 3_600_000).toISOString() },
    });
  }
});
afterAll(() => e2e.close());

describe('without the free/busy permission', () => {
  it('a counted calendar the followed primary cache does not cover is unknown, so nothing is planned over it', async () => {
    const { headers, features } = await studentGranting(
      'no-freebusy@example.edu',
      [SCOPES.appCreated, SCOPES.calendarListReadonly, SCOPES.eventsOwnedReadonly],
      '?includePrimaryEvents=true',
    );
    expect(features).toMatchObject({ freeBusy: false, primaryCalendarSync: true });
    expect((await e2e.run(headers, '/api/v1/sync/calendars')).status).toBe('succeeded');

    const plan = await preview(headers);
    expect(plan.statusCode).toBe(200);
    expect(plan.json().sessions).toEqual([]);
    expect(plan.json().totals.plannedMinutes).toBe(0);
    expect(
      plan.json().deadlines.filter((d: { status: string }) => d.status === 'shortfall').length,
    ).toBeGreaterThan(0);
    // The student learns why nothing was planned, and what to do about it.
    expect(plan.json().notes.join(' ')).toMatch(
      /Reconnect Google and allow CanvasCal to see your free\/busy/,
    );

    const from = Date.now() + DAY;
    const answer = await availability(headers, from, from + 2 * DAY);
    expect(answer.statusCode).toBe(200);
    expect(answer.json().free).toEqual([]);
    expect(answer.json().unknown).toEqual([
      expect.objectContaining({ reason: 'freeBusyNotGranted', calendarIds: expect.arrayContaining([job]) }),
    ]);
    expect(answer.json().notes.join(' ')).toMatch(
      /Reconnect Google and allow CanvasCal to see your free\/busy/,
    );
  });

  it('with only the primary calendar counted, the followed primary calendar is the busy time', async () => {
    const { headers } = await studentGranting(
      'primary-only@example.edu',
      [SCOPES.appCreated, SCOPES.calendarListReadonly, SCOPES.eventsOwnedReadonly],
      '?includePrimaryEvents=true',
    );
    const put = await e2e.http.inject({
      method: 'PUT',
      url: '/api/v1/settings/calendars',
      headers,
      payload: { preferredCalendars: [DEMO_STUDENT_EMAIL] },
    });
    expect(put.statusCode).toBe(200);
    const now = new Date();
    const day = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) + 2 * DAY;
    // A whole-day appointment in the primary calendar, inside every study window that day.
    const appointment = { start: day, end: day + DAY };
    e2e.google.userInsertEvent(DEMO_STUDENT_EMAIL, {
      summary: 'Field trip',
      start: { dateTime: new Date(appointment.start).toISOString() },
      end: { dateTime: new Date(appointment.end).toISOString() },
    });
    expect((await e2e.run(headers, '/api/v1/sync/calendars')).status).toBe('succeeded');

    const sessions = (await preview(headers)).json().sessions as Array<{ start: string; end: string }>;
    expect(sessions.length).toBeGreaterThan(0);
    for (const s of sessions)
      expect(overlaps(appointment, { start: Date.parse(s.start), end: Date.parse(s.end) })).toBe(false);
  });
});

describe('without the calendar-list permission', () => {
  let headers: Record<string, string>;
  beforeAll(async () => {
    ({ headers } = await studentGranting('no-list@example.edu', [SCOPES.appCreated, SCOPES.eventsFreebusy]));
  });

  it('availability counts the primary calendar alone and says the others are not counted', async () => {
    const from = Date.now() + DAY;
    const answer = await availability(headers, from, from + 2 * DAY);
    expect(answer.statusCode).toBe(200);
    expect(answer.json().calendars).toEqual(['primary']);
    expect(answer.json().unknown).toEqual([]);
    expect(answer.json().notes.join(' ')).toMatch(/other calendars are not counted.*list of calendars/);
  });

  it('the planner plans (no 502) and the settings explain; naming a calendar asks for the permission', async () => {
    const plan = await preview(headers);
    expect(plan.statusCode).toBe(200);
    expect(plan.json().sessions.length).toBeGreaterThan(0);
    expect(plan.json().notes.join(' ')).toMatch(/other calendars are not counted.*list of calendars/);

    const settings = await e2e.http.inject({ url: '/api/v1/settings/calendars', headers });
    expect(settings.statusCode).toBe(200);
    expect(settings.json()).toMatchObject({ calendars: [], missing: [] });
    expect(settings.json().message).toMatch(/may not see your Google calendar list/);

    const named = await e2e.http.inject({
      method: 'PUT',
      url: '/api/v1/settings/calendars',
      headers,
      payload: { preferredCalendars: [job] },
    });
    expect(named.statusCode).toBe(409);
    expect(named.json().error.code).toBe('calendar_list_not_granted');
    const primary = await e2e.http.inject({
      method: 'PUT',
      url: '/api/v1/settings/calendars',
      headers,
      payload: { preferredCalendars: ['primary'] },
    });
    expect(primary.statusCode).toBe(200);
  });
});
