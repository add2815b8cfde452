import type { calendar_v3 } from '@googleapis/calendar';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type GoogleEmulator, startGoogleEmulator } from '../../emulators/google/google-emulator.ts';
import { emulatorAccessToken } from '../support/emulator-token.ts';
import { googleReason, officialCalendar } from '../support/official-calendar.ts';

const STUDENT = 'student@example.edu';
let emulator: GoogleEmulator;
let api: calendar_v3.Calendar;
let calendarId: string;

beforeEach(async () => {
  emulator = await startGoogleEmulator({ seed: false, now: () => Date.parse('2026-12-01T15:00:00Z') });
  emulator.control.addAccount(STUDENT, 'UTC');
  calendarId = emulator.control.addCalendar(STUDENT, { summary: 'Course', timeZone: 'UTC' });
  api = officialCalendar(
    emulator.url,
    await emulatorAccessToken(emulator, ['https://www.googleapis.com/auth/calendar'], STUDENT),
  );
});
afterEach(() => emulator.close());

const add = (event: Record<string, unknown>) =>
  emulator.control.userInsertEvent(calendarId, {
    start: { dateTime: '2026-12-02T10:00:00Z' },
    end: { dateTime: '2026-12-02T11:00:00Z' },
    ...event,
  });
const search = async (q: string) =>
  ((await api.events.list({ calendarId, q })).data.items ?? []).map((e) => e.id).sort();

// The discovery document, events.list `q`: "Free text search terms to find events that match
// these terms in the following fields: summary, description, location, attendee's displayName,
// attendee's email, organizer's displayName, organizer's email, workingLocationProperties...".
describe('events.list q', () => {
  it('matches the documented fields, case-insensitively, every term', async () => {
    const bySummary = add({ summary: 'Midterm exam' });
    const byDescription = add({ summary: 'x', description: 'Bring a calculator' });
    const byLocation = add({ summary: 'x', location: 'Room 101, Siebel' });
    const byAttendee = add({
      summary: 'x',
      attendees: [{ email: 'ta.zhang@example.edu', displayName: 'Wei Zhang' }],
    });
    // The organizer is the server's on insert, kept only by events.import.
    const byOrganizer =
      (
        await api.events.import({
          calendarId,
          requestBody: {
            iCalUID: 'lecture-1@example.edu',
            summary: 'x',
            organizer: { email: 'prof@example.edu', displayName: 'Ada Lovelace' },
            start: { dateTime: '2026-12-02T10:00:00Z' },
            end: { dateTime: '2026-12-02T11:00:00Z' },
          },
        })
      ).data.id ?? '';
    const byOffice = add({
      summary: 'x',
      eventType: 'workingLocation',
      workingLocationProperties: {
        type: 'officeLocation',
        officeLocation: { buildingId: 'B42', label: 'North wing' },
      },
    });
    add({ summary: 'Unrelated', description: 'nothing here' });
    expect(await search('MIDTERM')).toEqual([bySummary]);
    expect(await search('calculator')).toEqual([byDescription]);
    expect(await search('siebel')).toEqual([byLocation]);
    expect(await search('wei zhang')).toEqual([byAttendee]);
    expect(await search('ta.zhang@example.edu')).toEqual([byAttendee]);
    expect(await search('Lovelace')).toEqual([byOrganizer]);
    expect(await search('prof@example.edu')).toEqual([byOrganizer]);
    expect(await search('b42')).toEqual([byOffice]);
    expect(await search('north wing')).toEqual([byOffice]);
    // "searching for "Office" ... returns working location events of type officeLocation".
    expect(await search('office')).toEqual([byOffice]);
    expect(await search('midterm calculator')).toEqual([]);
  });

  it('is still refused with a sync token', async () => {
    const token = (await api.events.list({ calendarId })).data.nextSyncToken ?? '';
    expect(await googleReason(api.events.list({ calendarId, syncToken: token, q: 'exam' }))).toBe(
      '400 invalid',
    );
  });
});

// The discovery document, events.list timeMin/timeMax: "Must be an RFC3339 timestamp with
// mandatory time zone offset". Live 400 `badRequest` "Bad Request" for a value without one:
// google/googleapis.dart#14 (offset-less timeMin fails, the same with Z passes),
// google-api-python-client#779, northworld/google_calendar#41 (the body).
describe('events.list timeMin and timeMax', () => {
  it('refuse a time without an offset with 400 badRequest, and take Z or ±hh:mm', async () => {
    for (const bad of ['2026-12-02T00:00:00', '2026-12-02', 'tomorrow'])
      for (const name of ['timeMin', 'timeMax'] as const)
        expect(await googleReason(api.events.list({ calendarId, [name]: bad })), `${name}=${bad}`).toBe(
          '400 badRequest',
        );
    expect(
      await googleReason(
        api.events.list({
          calendarId,
          timeMin: '2026-12-02T00:00:00Z',
          timeMax: '2026-12-03T00:00:00-06:00',
        }),
      ),
    ).toBe('no error');
    const instancesOf = add({
      summary: 'Lecture',
      start: { dateTime: '2026-12-02T10:00:00Z', timeZone: 'UTC' },
      end: { dateTime: '2026-12-02T11:00:00Z', timeZone: 'UTC' },
      recurrence: ['RRULE:FREQ=WEEKLY;COUNT=3'],
    });
    expect(
      await googleReason(
        api.events.instances({ calendarId, eventId: instancesOf, timeMin: '2026-12-02T00:00:00' }),
      ),
    ).toBe('400 badRequest');
  });
});

describe('events.list syncToken', () => {
  it('refuses showDeleted=false, as calendarList.list does (deletions always come)', async () => {
    // The discovery document, syncToken: "All events deleted since the previous list request
    // will always be in the result set and it is not allowed to set showDeleted to False."
    const token = (await api.events.list({ calendarId })).data.nextSyncToken ?? '';
    expect(await googleReason(api.events.list({ calendarId, syncToken: token, showDeleted: false }))).toBe(
      '400 invalid',
    );
    expect(await googleReason(api.events.list({ calendarId, syncToken: token, showDeleted: true }))).toBe(
      'no error',
    );
  });
});
