import type { calendar_v3 } from '@googleapis/calendar';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type GoogleEmulator, startGoogleEmulator } from '../../emulators/google/google-emulator.ts';
import { emulatorAccessToken } from '../support/emulator-token.ts';
import { googleReason, officialCalendar } from '../support/official-calendar.ts';

const STUDENT = 'student@example.edu';
const LEAD = 'lead@example.edu';
const FREEBUSY = 'https://www.googleapis.com/auth/calendar.events.freebusy';
let emulator: GoogleEmulator;
let api: calendar_v3.Calendar;

beforeEach(async () => {
  emulator = await startGoogleEmulator({ seed: false, now: () => Date.parse('2026-12-01T15:00:00Z') });
  emulator.control.addAccount(STUDENT, 'UTC');
  emulator.control.addAccount(LEAD, 'UTC');
  api = officialCalendar(emulator.url, await emulatorAccessToken(emulator, [FREEBUSY], STUDENT));
});
afterEach(() => emulator.close());

const busyOf = async (calendarId: string, timeMin: string, timeMax: string) =>
  (await api.freebusy.query({ requestBody: { timeMin, timeMax, items: [{ id: calendarId }] } })).data
    .calendars?.[calendarId]?.busy;

describe('freebusy.query', () => {
  it("judges declined invitations by the calendar's person, not by the caller", async () => {
    const lab = emulator.control.addCalendar(STUDENT, {
      summary: 'Lab',
      accessRole: 'freeBusyReader',
      owner: LEAD,
    });
    const event = (summary: string, hour: number, attendees: calendar_v3.Schema$EventAttendee[]) =>
      emulator.control.userInsertEvent(lab, {
        summary,
        start: { dateTime: `2026-12-02T${hour}:00:00Z` },
        end: { dateTime: `2026-12-02T${hour + 1}:00:00Z` },
        attendees,
      });
    event('lead declined', 10, [
      { email: LEAD, responseStatus: 'declined' },
      { email: 'boss@example.edu', organizer: true, responseStatus: 'accepted' },
    ]);
    event('student declined, lead going', 14, [
      { email: LEAD, organizer: true, responseStatus: 'accepted' },
      { email: STUDENT, responseStatus: 'declined' },
    ]);
    expect(await busyOf(lab, '2026-12-02T00:00:00Z', '2026-12-03T00:00:00Z')).toEqual([
      { start: '2026-12-02T14:00:00.000Z', end: '2026-12-02T15:00:00.000Z' },
    ]);
  });

  it("leaves out what the caller declined on the caller's own calendar", async () => {
    emulator.control.userInsertEvent(STUDENT, {
      summary: 'declined',
      start: { dateTime: '2026-12-02T10:00:00Z' },
      end: { dateTime: '2026-12-02T11:00:00Z' },
      attendees: [{ email: STUDENT, responseStatus: 'declined' }],
    });
    emulator.control.userInsertEvent(STUDENT, {
      summary: 'going',
      start: { dateTime: '2026-12-02T12:00:00Z' },
      end: { dateTime: '2026-12-02T13:00:00Z' },
      attendees: [
        { email: STUDENT, responseStatus: 'accepted' },
        { email: LEAD, responseStatus: 'declined' },
      ],
    });
    expect(await busyOf(STUDENT, '2026-12-02T00:00:00Z', '2026-12-03T00:00:00Z')).toEqual([
      { start: '2026-12-02T12:00:00.000Z', end: '2026-12-02T13:00:00.000Z' },
    ]);
  });

  it('answers a range of exactly 90 days, and 400 timeRangeTooLong one minute longer', async () => {
    const timeMin = '2026-12-01T00:00:00Z';
    const ninetyDays = new Date(Date.parse(timeMin) + 90 * 86_400_000).toISOString();
    const oneMinuteMore = new Date(Date.parse(timeMin) + 90 * 86_400_000 + 60_000).toISOString();
    expect(await busyOf(STUDENT, timeMin, ninetyDays)).toEqual([]);
    expect(
      await googleReason(
        api.freebusy.query({ requestBody: { timeMin, timeMax: oneMinuteMore, items: [{ id: STUDENT }] } }),
      ),
    ).toBe('400 timeRangeTooLong');
  });
});
