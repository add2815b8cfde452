import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type GoogleEmulator, startGoogleEmulator } from '../../emulators/google/google-emulator.ts';
import { SCOPES } from '../../src/google/scopes.ts';
import { emulatorAccessToken } from '../support/emulator-token.ts';
import { officialCalendar } from '../support/official-calendar.ts';

const STUDENT = 'student@example.edu';
let emulator: GoogleEmulator;

beforeEach(async () => {
  emulator = await startGoogleEmulator({ seed: false, now: () => Date.parse('2026-12-01T15:00:00Z') });
  emulator.control.addAccount(STUDENT, 'UTC');
  emulator.control.userInsertEvent(STUDENT, {
    summary: 'Therapy appointment',
    description: 'Dr. Smith, private',
    location: '12 Main St',
    visibility: 'private',
    attendees: [{ email: 'dr.smith@example.com', displayName: 'Dr. Smith' }],
    extendedProperties: { private: { note: 'secret' } },
    start: { dateTime: '2026-12-02T10:00:00Z' },
    end: { dateTime: '2026-12-02T11:00:00Z' },
    transparency: 'opaque',
  });
  emulator.control.userInsertEvent(STUDENT, {
    summary: 'Weekly 1:1',
    start: { dateTime: '2026-12-03T09:00:00Z', timeZone: 'UTC' },
    end: { dateTime: '2026-12-03T09:30:00Z', timeZone: 'UTC' },
    recurrence: ['RRULE:FREQ=WEEKLY;COUNT=2'],
  });
});
afterEach(() => emulator.close());

const AVAILABILITY = new Set([
  'kind',
  'etag',
  'id',
  'status',
  'updated',
  'start',
  'end',
  'endTimeUnspecified',
  'transparency',
  'recurringEventId',
  'originalStartTime',
]);

// calendar.events.freebusy is "See the availability on Google calendars you have access to"
// (the discovery document's scope list): under it alone an event read shows when the time is
// taken and whether it blocks, never what the event is (cf. the freeBusyReader role, "read
// access to free/busy information").
describe('events read under calendar.events.freebusy alone', () => {
  it('show availability only: no summary, description, location, attendees or properties', async () => {
    const api = officialCalendar(
      emulator.url,
      await emulatorAccessToken(emulator, [SCOPES.eventsFreebusy], STUDENT),
    );
    const listed = (await api.events.list({ calendarId: STUDENT, singleEvents: true, orderBy: 'startTime' }))
      .data;
    expect(listed.summary).toBeUndefined();
    expect(listed.items?.map((e) => e.start?.dateTime)).toEqual([
      '2026-12-02T10:00:00Z',
      '2026-12-03T09:00:00Z',
      '2026-12-10T09:00:00Z',
    ]);
    for (const item of listed.items ?? [])
      for (const key of Object.keys(item)) expect(AVAILABILITY).toContain(key);
    expect(listed.items?.[0]).toMatchObject({ transparency: 'opaque', status: 'confirmed' });
    expect(listed.items?.[1]?.recurringEventId).toBeDefined();

    const one = (await api.events.get({ calendarId: STUDENT, eventId: listed.items?.[0]?.id ?? '' })).data;
    expect(Object.keys(one).filter((k) => !AVAILABILITY.has(k))).toEqual([]);
    const master = listed.items?.[1]?.recurringEventId ?? '';
    const instances = (await api.events.instances({ calendarId: STUDENT, eventId: master })).data.items ?? [];
    expect(instances.map((e) => e.summary)).toEqual([undefined, undefined]);
    // A search cannot reveal what the caller may not read.
    expect((await api.events.list({ calendarId: STUDENT, q: 'Therapy' })).data.items).toEqual([]);
  });

  it('leave full events to a token that also reads events', async () => {
    const api = officialCalendar(
      emulator.url,
      await emulatorAccessToken(emulator, [SCOPES.eventsFreebusy, SCOPES.eventsOwnedReadonly], STUDENT),
    );
    const items = (await api.events.list({ calendarId: STUDENT })).data.items ?? [];
    expect(items.map((e) => e.summary).sort()).toEqual(['Therapy appointment', 'Weekly 1:1']);
  });
});
