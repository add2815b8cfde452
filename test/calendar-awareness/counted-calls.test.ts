import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_STUDENT_EMAIL } from '../../emulators/google/demo-seed.ts';
import { type GoogleEmulator, startGoogleEmulator } from '../../emulators/google/google-emulator.ts';
import { createCalendarCacheRepo } from '../../src/db/calendar-cache-repo.ts';
import type { Database } from '../../src/db/client.ts';
import { createUsersRepo } from '../../src/db/users-repo.ts';
import { getBusyMap } from '../../src/google/busy-map.ts';
import { countedCalendarIds, listAllCalendars } from '../../src/google/calendar-discovery.ts';
import { syncCalendar } from '../../src/google/delta-sync.ts';
import { createGoogleCalendarClient } from '../../src/google/google-calendar-client.ts';
import { SCOPES } from '../../src/google/scopes.ts';
import { emulatorAccessToken } from '../support/emulator-token.ts';
import { migratedPglite } from '../support/pglite.ts';

const USER = '3c2b1a09-8f7e-4d6c-9b5a-4f3e2d1c0b9a';
const DAY = 86_400_000;
let emulator: GoogleEmulator;

beforeEach(async () => {
  emulator = await startGoogleEmulator({ now: () => Date.parse('2026-12-01T15:00:00Z') });
});
afterEach(() => emulator.close());

async function client(scopes: string[]) {
  const token = await emulatorAccessToken(emulator, scopes);
  return createGoogleCalendarClient({ rootUrl: `${emulator.url}/`, accessToken: async () => token });
}

const freeBusyCalls = () => emulator.control.requestCounts().byOutcome['calendar.freebusy.query 200'];

describe('free/busy in the fewest queries Google accepts, counted by the emulator', () => {
  it('55 discovered calendars need exactly 2 freebusy queries, and the 55th calendar is read', async () => {
    const api = await client([SCOPES.calendarListReadonly, SCOPES.eventsFreebusy]);
    // The demo student shows 3 calendars; 52 more make 55 counted ones.
    const added = Array.from({ length: 52 }, (_, i) =>
      emulator.control.addCalendar(DEMO_STUDENT_EMAIL, { summary: `Club ${i}`, timeZone: 'UTC' }),
    );
    const last = added[added.length - 1] ?? '';
    emulator.control.userInsertEvent(last, {
      summary: 'Night shift',
      start: { dateTime: '2026-12-02T08:00:00Z' },
      end: { dateTime: '2026-12-02T09:00:00Z' },
    });
    const ids = countedCalendarIds(await listAllCalendars(api), ['primary']);
    expect(ids).toHaveLength(55);
    emulator.control.resetCounts();

    const map = await getBusyMap(
      api,
      ids,
      new Date('2026-12-02T00:00:00Z'),
      new Date('2026-12-03T00:00:00Z'),
    );

    expect(map.queries).toBe(2);
    expect(emulator.control.requestCounts().total).toBe(2);
    expect(freeBusyCalls()).toBe(2);
    expect(map.unknown).toEqual([]);
    // Only the last calendar, in the second query, is busy then (02:00 in Chicago).
    expect(map.busy.map((b) => `${b.start.toISOString()}/${b.end.toISOString()}`)).toContain(
      '2026-12-02T08:00:00.000Z/2026-12-02T09:00:00.000Z',
    );
  });

  it('splits a 200-day window into 3 queries and joins an event that spans a split', async () => {
    const api = await client([SCOPES.eventsFreebusy]);
    const cal = emulator.control.addCalendar(DEMO_STUDENT_EMAIL, { summary: 'Long', timeZone: 'UTC' });
    const from = Date.parse('2027-01-01T00:00:00Z');
    const at = (ms: number) => ({ dateTime: new Date(ms).toISOString() });
    // Across the first split (day 90), inside the second window, and in the last 20 days.
    const spans: Array<[number, number]> = [
      [from + 90 * DAY - 3_600_000, from + 90 * DAY + 3_600_000],
      [from + 120 * DAY, from + 120 * DAY + 1_800_000],
      [from + 199 * DAY, from + 200 * DAY + DAY],
    ];
    for (const [s, e] of spans)
      emulator.control.userInsertEvent(cal, { summary: 'x', start: at(s), end: at(e) });
    emulator.control.resetCounts();

    const map = await getBusyMap(api, [cal], new Date(from), new Date(from + 200 * DAY));

    expect(map.queries).toBe(3);
    expect(freeBusyCalls()).toBe(3);
    expect(map.busy.map((b) => [b.start.getTime(), b.end.getTime()])).toEqual([
      spans[0],
      spans[1],
      // Clipped to the window asked for.
      [from + 199 * DAY, from + 200 * DAY],
    ]);
  });
});

describe('incremental sync of an unchanged calendar', () => {
  let db: Database;
  beforeEach(async () => {
    db = await migratedPglite();
    await createUsersRepo(db.orm).ensure(USER, DEMO_STUDENT_EMAIL);
  });
  afterEach(() => db.close());

  it('is one events.list call, after a full sync that needed two pages, and changes nothing', async () => {
    const api = await client([SCOPES.eventsOwnedReadonly]);
    const cache = createCalendarCacheRepo(db.orm);
    const cal = emulator.control.addCalendar(DEMO_STUDENT_EMAIL, {
      summary: 'Busy',
      timeZone: 'Europe/Berlin',
    });
    // More than one page (2500 items) of single events, plus a weekly series expanded into instances.
    const start = Date.parse('2026-12-01T00:00:00Z');
    for (let i = 0; i < 2550; i++) {
      const s = start + i * 3_600_000;
      emulator.control.userInsertEvent(cal, {
        summary: `E${i}`,
        start: { dateTime: new Date(s).toISOString() },
        end: { dateTime: new Date(s + 1_800_000).toISOString() },
      });
    }
    emulator.control.userInsertEvent(cal, {
      summary: 'Seminar',
      start: { dateTime: '2026-12-07T09:00:00+01:00', timeZone: 'Europe/Berlin' },
      end: { dateTime: '2026-12-07T10:00:00+01:00', timeZone: 'Europe/Berlin' },
      recurrence: ['RRULE:FREQ=WEEKLY;COUNT=20'],
    });
    const target = { calendarId: cal, role: 'primary' as const, timeZone: 'Europe/Berlin' };
    const cached = async () =>
      (await cache.busyEvents(USER, [cal], new Date('2026-01-01'), new Date('2028-01-01'))).map(
        (e) => `${e.eventId} ${e.startAt?.toISOString()} ${e.endAt?.toISOString()} ${e.etag}`,
      );

    emulator.control.resetCounts();
    expect(await syncCalendar(api, cache, USER, target)).toMatchObject({
      mode: 'full',
      pages: 2,
      upserts: 2570,
    });
    expect(emulator.control.requestCounts().byMethod['calendar.events.list']).toBe(2);
    const before = await cached();
    expect(before).toHaveLength(2570);

    emulator.control.resetCounts();
    const idle = await syncCalendar(api, cache, USER, target);

    expect(idle).toMatchObject({ mode: 'incremental', recovered: false, pages: 1, upserts: 0, removals: 0 });
    expect(emulator.control.requestCounts()).toMatchObject({
      total: 1,
      byMethod: { 'calendar.events.list': 1 },
    });
    expect(await cached()).toEqual(before);
  });
});
