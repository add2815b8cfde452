import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_STUDENT_EMAIL } from '../../emulators/google/demo-seed.ts';
import { type GoogleEmulator, startGoogleEmulator } from '../../emulators/google/google-emulator.ts';
import { createCalendarCacheRepo } from '../../src/db/calendar-cache-repo.ts';
import type { Database } from '../../src/db/client.ts';
import { createUsersRepo } from '../../src/db/users-repo.ts';
import { syncCalendar } from '../../src/google/delta-sync.ts';
import { createGoogleCalendarClient } from '../../src/google/google-calendar-client.ts';
import { SCOPES } from '../../src/google/scopes.ts';
import { emulatorAccessToken } from '../support/emulator-token.ts';
import { migratedPglite } from '../support/pglite.ts';

// Deleting one occurrence of a recurring event makes Google send a cancelled instance (an
// exception of the series). The cache keeps it as such, so that time is no longer busy while
// the rest of the series still is.

const USER = '8d7c6b5a-4e3f-4a2b-9c1d-0e9f8a7b6c5d';
let emulator: GoogleEmulator;
let db: Database;

beforeEach(async () => {
  emulator = await startGoogleEmulator({ now: () => Date.parse('2026-12-01T15:00:00Z') });
  db = await migratedPglite();
  await createUsersRepo(db.orm).ensure(USER, DEMO_STUDENT_EMAIL);
});
afterEach(async () => {
  await emulator.close();
  await db.close();
});

describe('a cancelled instance of a recurring event, seen by an incremental sync', () => {
  it('stays in the cache as a cancelled exception and is not busy time; the other instances are', async () => {
    const calendarId = emulator.control.addCalendar(DEMO_STUDENT_EMAIL, { summary: 'Gym', timeZone: 'UTC' });
    const seriesId = emulator.control.userInsertEvent(calendarId, {
      summary: 'Spin class',
      start: { dateTime: '2026-12-07T18:00:00Z', timeZone: 'UTC' },
      end: { dateTime: '2026-12-07T19:00:00Z', timeZone: 'UTC' },
      recurrence: ['RRULE:FREQ=WEEKLY;COUNT=3'],
    });
    const token = await emulatorAccessToken(emulator, [SCOPES.eventsOwnedReadonly, SCOPES.eventsFreebusy]);
    const api = createGoogleCalendarClient({ rootUrl: `${emulator.url}/`, accessToken: async () => token });
    const cache = createCalendarCacheRepo(db.orm);
    const target = { calendarId, role: 'other' as const, timeZone: 'UTC' };
    const busyIn = async (from: string, to: string) =>
      (await cache.busyEvents(USER, [calendarId], new Date(from), new Date(to))).map((e) => e.eventId);

    expect(await syncCalendar(api, cache, USER, target)).toMatchObject({ mode: 'full', upserts: 3 });
    const instances = await busyIn('2026-12-01T00:00:00Z', '2027-01-01T00:00:00Z');
    expect(instances).toHaveLength(3);
    const second = instances[1] ?? '';
    expect((await cache.get(USER, calendarId, second))?.recurringEventId).toBe(seriesId);

    emulator.control.userDeleteEvent(calendarId, second);
    const delta = await syncCalendar(api, cache, USER, target);

    expect(delta).toMatchObject({ mode: 'incremental', upserts: 1, removals: 0 });
    expect(await cache.get(USER, calendarId, second)).toMatchObject({
      status: 'cancelled',
      recurringEventId: seriesId,
    });
    expect(await busyIn('2026-12-14T00:00:00Z', '2026-12-15T00:00:00Z')).toEqual([]);
    expect(await busyIn('2026-12-01T00:00:00Z', '2027-01-01T00:00:00Z')).toEqual([
      instances[0],
      instances[2],
    ]);
  });
});
