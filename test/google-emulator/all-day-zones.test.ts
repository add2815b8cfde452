import type { calendar_v3 } from '@googleapis/calendar';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type GoogleEmulator, startGoogleEmulator } from '../../emulators/google/google-emulator.ts';
import { emulatorAccessToken } from '../support/emulator-token.ts';
import { officialCalendar } from '../support/official-calendar.ts';

let emulator: GoogleEmulator;
let api: calendar_v3.Calendar;

beforeEach(async () => {
  emulator = await startGoogleEmulator({ now: () => Date.parse('2026-12-01T15:00:00Z') });
  api = officialCalendar(
    emulator.url,
    await emulatorAccessToken(emulator, ['https://www.googleapis.com/auth/calendar']),
  );
});
afterEach(() => emulator.close());

/** A calendar in `timeZone` holding an all-day event on 10 December and one timed event. */
async function calendarIn(timeZone: string, timed: { start: string; end: string }) {
  const id = (await api.calendars.insert({ requestBody: { summary: timeZone, timeZone } })).data.id ?? '';
  await api.events.insert({
    calendarId: id,
    requestBody: {
      id: 'alldate01',
      summary: 'Exam day',
      start: { date: '2026-12-10' },
      end: { date: '2026-12-11' },
    },
  });
  await api.events.insert({
    calendarId: id,
    requestBody: {
      id: 'timed01',
      summary: 'Call',
      start: { dateTime: timed.start },
      end: { dateTime: timed.end },
    },
  });
  return id;
}

const ids = async (params: calendar_v3.Params$Resource$Events$List) =>
  ((await api.events.list({ singleEvents: true, ...params })).data.items ?? []).map((e) => e.id);

const busy = async (calendarId: string) => {
  const answer = await api.freebusy.query({
    requestBody: {
      timeMin: '2026-12-09T00:00:00Z',
      timeMax: '2026-12-12T00:00:00Z',
      items: [{ id: calendarId }],
    },
  });
  return answer.data.calendars?.[calendarId]?.busy;
};

describe("all-day events occupy their day in the calendar's zone", () => {
  it('America/Los_Angeles: 10 December runs from 08:00Z to 08:00Z the next day', async () => {
    const cal = await calendarIn('America/Los_Angeles', {
      start: '2026-12-09T12:00:00Z',
      end: '2026-12-09T13:00:00Z',
    });
    // Still 9 December in Los Angeles at 07:00Z: the all-day event has not begun.
    expect(
      await ids({ calendarId: cal, timeMin: '2026-12-10T00:00:00Z', timeMax: '2026-12-10T07:00:00Z' }),
    ).toEqual([]);
    // And it is still 10 December there at 07:00Z on the 11th.
    expect(
      await ids({ calendarId: cal, timeMin: '2026-12-11T07:00:00Z', timeMax: '2026-12-12T00:00:00Z' }),
    ).toEqual(['alldate01']);
    expect(await busy(cal)).toEqual([
      { start: '2026-12-09T12:00:00.000Z', end: '2026-12-09T13:00:00.000Z' },
      { start: '2026-12-10T08:00:00.000Z', end: '2026-12-11T08:00:00.000Z' },
    ]);
  });

  it('Asia/Kolkata: 10 December starts at 18:30Z on the 9th, so it sorts before a call at 20:00Z', async () => {
    const cal = await calendarIn('Asia/Kolkata', {
      start: '2026-12-09T20:00:00Z',
      end: '2026-12-09T21:00:00Z',
    });
    expect(await ids({ calendarId: cal, orderBy: 'startTime' })).toEqual(['alldate01', 'timed01']);
    expect(
      await ids({ calendarId: cal, timeMin: '2026-12-10T18:00:00Z', timeMax: '2026-12-11T00:00:00Z' }),
    ).toEqual(['alldate01']);
    expect(
      await ids({ calendarId: cal, timeMin: '2026-12-10T18:30:00Z', timeMax: '2026-12-11T00:00:00Z' }),
    ).toEqual([]);
    expect(await busy(cal)).toEqual([{ start: '2026-12-09T18:30:00.000Z', end: '2026-12-10T18:30:00.000Z' }]);
  });
});
