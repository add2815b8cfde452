import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_STUDENT_EMAIL } from '../../emulators/google/demo-seed.ts';
import { type GoogleEmulator, startGoogleEmulator } from '../../emulators/google/google-emulator.ts';
import { createCalendarCacheRepo } from '../../src/db/calendar-cache-repo.ts';
import type { Database } from '../../src/db/client.ts';
import { createUsersRepo } from '../../src/db/users-repo.ts';
import { getBusyMap } from '../../src/google/busy-map.ts';
import { syncCalendar } from '../../src/google/delta-sync.ts';
import { createGoogleCalendarClient } from '../../src/google/google-calendar-client.ts';
import { SCOPES } from '../../src/google/scopes.ts';
import { type EmulatedApp, startEmulatedApp } from '../support/emulated-app.ts';
import { emulatorAccessToken } from '../support/emulator-token.ts';
import { migratedPglite } from '../support/pglite.ts';

const USER = '0b6d3c1e-2f4a-4e5b-9c8d-7a6b5c4d3e2f';

/**
 * Expected instants are written out by hand (from the zones' published rules), not computed
 * with Temporal, so the code under test is not checked against itself.
 * 2026: US clocks fall back on 1 November, EU on 25 October; 2027: US spring forward on
 * 14 March, EU on 28 March.
 */
const DST_CASES = [
  {
    zone: 'America/New_York',
    weekly: {
      first: '2026-10-26T09:00:00-04:00',
      utc: ['2026-10-26T13:00:00.000Z', '2026-11-02T14:00:00.000Z'],
    },
    fallBackDay: {
      date: '2026-11-01',
      utc: ['2026-11-01T04:00:00.000Z', '2026-11-02T05:00:00.000Z'],
      hours: 25,
    },
    springDay: {
      date: '2027-03-14',
      utc: ['2027-03-14T05:00:00.000Z', '2027-03-15T04:00:00.000Z'],
      hours: 23,
    },
  },
  {
    zone: 'Europe/Berlin',
    weekly: {
      first: '2026-10-19T09:00:00+02:00',
      utc: ['2026-10-19T07:00:00.000Z', '2026-10-26T08:00:00.000Z'],
    },
    fallBackDay: {
      date: '2026-10-25',
      utc: ['2026-10-24T22:00:00.000Z', '2026-10-25T23:00:00.000Z'],
      hours: 25,
    },
    springDay: {
      date: '2027-03-28',
      utc: ['2027-03-27T23:00:00.000Z', '2027-03-28T22:00:00.000Z'],
      hours: 23,
    },
  },
];

const nextDay = (date: string) =>
  new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
const iso = (d: Date | null) => d?.toISOString();

describe('a DST change week, through our client, the event cache and the busy map', () => {
  let emulator: GoogleEmulator;
  let db: Database;
  beforeEach(async () => {
    emulator = await startGoogleEmulator({ now: () => Date.parse('2026-10-01T12:00:00Z') });
    db = await migratedPglite();
    await createUsersRepo(db.orm).ensure(USER, DEMO_STUDENT_EMAIL);
  });
  afterEach(async () => {
    await emulator.close();
    await db.close();
  });

  it.each(DST_CASES)('$zone: 09:00 stays 09:00 local, and a change day is 23 or 25 hours', async (c) => {
    const control = emulator.control;
    const calendarId = control.addCalendar(DEMO_STUDENT_EMAIL, { summary: 'Local', timeZone: c.zone });
    const token = await emulatorAccessToken(emulator, [SCOPES.eventsOwnedReadonly, SCOPES.eventsFreebusy]);
    const api = createGoogleCalendarClient({ rootUrl: `${emulator.url}/`, accessToken: async () => token });
    const cache = createCalendarCacheRepo(db.orm);
    const seriesId = control.userInsertEvent(calendarId, {
      summary: 'Seminar',
      start: { dateTime: c.weekly.first, timeZone: c.zone },
      end: { dateTime: c.weekly.first.replace('T09:', 'T10:'), timeZone: c.zone },
      recurrence: ['RRULE:FREQ=WEEKLY;COUNT=2'],
    });
    control.userInsertEvent(calendarId, {
      summary: 'Trip (fall back)',
      start: { date: c.fallBackDay.date },
      end: { date: nextDay(c.fallBackDay.date) },
    });
    // The caller's zone is only a first guess: the listing names the calendar's own zone.
    await syncCalendar(api, cache, USER, { calendarId, role: 'primary', timeZone: 'UTC' });
    // Added after the full sync, so it reaches the cache through an incremental sync.
    control.userInsertEvent(calendarId, {
      summary: 'Trip (spring forward)',
      start: { date: c.springDay.date },
      end: { date: nextDay(c.springDay.date) },
    });
    const delta = await syncCalendar(api, cache, USER, { calendarId, role: 'primary', timeZone: 'UTC' });
    expect(delta).toMatchObject({ mode: 'incremental', upserts: 1 });

    const cached = await cache.busyEvents(
      USER,
      [calendarId],
      new Date('2026-10-01T00:00:00Z'),
      new Date('2027-04-30T00:00:00Z'),
    );
    expect(
      cached.filter((e) => e.recurringEventId === seriesId).map((e) => [iso(e.startAt), e.allDay]),
    ).toEqual(c.weekly.utc.map((u) => [u, false]));
    const days = cached.filter((e) => e.allDay).map((e) => [iso(e.startAt), iso(e.endAt)]);
    expect(days).toEqual([c.fallBackDay.utc, c.springDay.utc]);
    expect(days.map(([s, e]) => (Date.parse(e ?? '') - Date.parse(s ?? '')) / 3_600_000)).toEqual([
      c.fallBackDay.hours,
      c.springDay.hours,
    ]);

    const map = await getBusyMap(
      api,
      [calendarId],
      new Date('2026-10-01T00:00:00Z'),
      new Date('2027-04-30T00:00:00Z'),
    );
    const hour = (u: string) => new Date(Date.parse(u) + 3_600_000).toISOString();
    expect(map.busy.map((b) => [b.start.toISOString(), b.end.toISOString()])).toEqual(
      [...c.weekly.utc.map((u) => [u, hour(u)]), c.fallBackDay.utc, c.springDay.utc].sort((a, b) =>
        String(a[0]).localeCompare(String(b[0])),
      ),
    );
    expect(map.unknown).toEqual([]);
  });
});

describe('GET /api/v1/availability across zones', () => {
  let env: EmulatedApp;
  beforeAll(async () => {
    env = await startEmulatedApp();
  });
  afterAll(() => env.close());

  /** A signed-in, connected user whose only counted calendar is a fresh one in `calendarZone`. */
  async function userWithCalendar(email: string, userZone: string, calendarZone: string) {
    const headers = await env.signIn(email);
    await env.connectGoogle(headers);
    const calendarId = env.google.addCalendar(DEMO_STUDENT_EMAIL, { summary: email, timeZone: calendarZone });
    const prefs = await env.http.inject({
      method: 'PUT',
      url: '/api/v1/settings/planner',
      headers,
      payload: { timeZone: userZone },
    });
    expect(prefs.statusCode).toBe(200);
    const chosen = await env.http.inject({
      method: 'PUT',
      url: '/api/v1/settings/calendars',
      headers,
      payload: { preferredCalendars: [calendarId] },
    });
    expect(chosen.statusCode).toBe(200);
    return { headers, calendarId };
  }

  const availability = (headers: Record<string, string>, from: string, to: string, minMinutes = 30) =>
    env.http.inject({
      url: `/api/v1/availability?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}&minMinutes=${minMinutes}`,
      headers,
    });

  it("places a Berlin calendar's all-day event by Berlin midnight, and frees only the Chicago user's study hours", async () => {
    const { headers, calendarId } = await userWithCalendar(
      'chi@example.edu',
      'America/Chicago',
      'Europe/Berlin',
    );
    // Wednesday 9 December in Berlin: 23:00Z on the 8th to 23:00Z on the 9th (17:00–17:00 in Chicago).
    env.google.userInsertEvent(calendarId, {
      summary: 'Conference',
      start: { date: '2026-12-09' },
      end: { date: '2026-12-10' },
    });
    // 01:00–02:00 Thursday in Berlin is 18:00–19:00 Wednesday in Chicago.
    env.google.userInsertEvent(calendarId, {
      summary: 'Call',
      start: { dateTime: '2026-12-10T01:00:00+01:00', timeZone: 'Europe/Berlin' },
      end: { dateTime: '2026-12-10T02:00:00+01:00', timeZone: 'Europe/Berlin' },
    });
    // Chicago midnight to midnight, Tuesday and Wednesday; study hours default to 16:00–22:00 on weekdays.
    const res = await availability(headers, '2026-12-08T00:00:00-06:00', '2026-12-10T00:00:00-06:00');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.timeZone).toBe('America/Chicago');
    expect(body.calendars).toEqual([calendarId]);
    expect(body.busy).toEqual([
      { start: '2026-12-08T23:00:00.000Z', end: '2026-12-09T23:00:00.000Z' },
      { start: '2026-12-10T00:00:00.000Z', end: '2026-12-10T01:00:00.000Z' },
    ]);
    expect(body.unknown).toEqual([]);
    expect(body.free).toEqual([
      // Tuesday 16:00–17:00 Chicago, before Berlin's Wednesday begins.
      { start: '2026-12-08T22:00:00.000Z', end: '2026-12-08T23:00:00.000Z', minutes: 60 },
      // Wednesday 17:00–18:00 and 19:00–22:00 Chicago, around the call.
      { start: '2026-12-09T23:00:00.000Z', end: '2026-12-10T00:00:00.000Z', minutes: 60 },
      { start: '2026-12-10T01:00:00.000Z', end: '2026-12-10T04:00:00.000Z', minutes: 180 },
    ]);
  });

  it('lines free time up on :30 UTC for a user in Asia/Kolkata (UTC+05:30)', async () => {
    const { headers, calendarId } = await userWithCalendar('ind@example.edu', 'Asia/Kolkata', 'UTC');
    env.google.userInsertEvent(calendarId, {
      summary: 'Lab',
      start: { dateTime: '2026-12-09T12:00:00Z' },
      end: { dateTime: '2026-12-09T13:00:00Z' },
    });
    // Wednesday in Kolkata; study hours 16:00–22:00 IST are 10:30Z–16:30Z.
    const res = await availability(headers, '2026-12-09T00:00:00+05:30', '2026-12-10T00:00:00+05:30');
    expect(res.statusCode).toBe(200);
    expect(res.json().timeZone).toBe('Asia/Kolkata');
    expect(res.json().free).toEqual([
      { start: '2026-12-09T10:30:00.000Z', end: '2026-12-09T12:00:00.000Z', minutes: 90 },
      { start: '2026-12-09T13:00:00.000Z', end: '2026-12-09T16:30:00.000Z', minutes: 210 },
    ]);
  });

  it('refuses a time without an offset with a 400 that names the parameter', async () => {
    const headers = await env.signIn('utc@example.edu');
    await env.connectGoogle(headers);
    const other = { from: 'to', to: 'from' } as const;
    for (const [from, to, named] of [
      ['2026-12-09T00:00:00', '2026-12-10T00:00:00Z', 'from'],
      ['2026-12-09T00:00:00Z', '2026-12-10T00:00:00', 'to'],
    ] as const) {
      const res = await availability(headers, from, to);
      expect(res.statusCode).toBe(400);
      const error = res.json().error;
      expect(error.code).toBe('validation_failed');
      expect(error.message).toMatch(new RegExp(`\\b${named}: must be an ISO 8601 date-time with an offset`));
      expect(error.message).not.toMatch(new RegExp(`\\b${other[named]}:`));
    }
    // With an offset (not only Z) the same instants are accepted.
    const ok = await availability(headers, '2026-12-08T19:00:00-05:00', '2026-12-10T00:00:00+01:00');
    expect(ok.statusCode).toBe(200);
  });
});
