import type { calendar_v3 } from '@googleapis/calendar';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_STUDENT_EMAIL } from '../../emulators/google/demo-seed.ts';
import { type GoogleEmulator, startGoogleEmulator } from '../../emulators/google/google-emulator.ts';
import { emulatorAccessToken } from '../support/emulator-token.ts';
import { googleReason, officialCalendar } from '../support/official-calendar.ts';

// The seed is relative to now: Tuesday 1 December 2026, so the lectures start Monday 30 November.
const NOW = Date.parse('2026-12-01T15:00:00Z');
const SERIES = 'lecturecs101series';
const FULL_SCOPE = 'https://www.googleapis.com/auth/calendar';
let emulator: GoogleEmulator;
let api: calendar_v3.Calendar;

beforeEach(async () => {
  emulator = await startGoogleEmulator({ now: () => NOW });
  api = officialCalendar(emulator.url, await emulatorAccessToken(emulator, [FULL_SCOPE]));
});
afterEach(() => emulator.close());

const lectures = (items: calendar_v3.Schema$Event[] | undefined) =>
  (items ?? []).filter((e) => e.recurringEventId === SERIES || e.id === SERIES);

async function listAll(params: calendar_v3.Params$Resource$Events$List) {
  const items: calendar_v3.Schema$Event[] = [];
  let pageToken: string | undefined;
  for (;;) {
    const page = (await api.events.list({ ...params, ...(pageToken ? { pageToken } : {}) })).data;
    items.push(...(page.items ?? []));
    if (!page.nextPageToken) return { items, nextSyncToken: page.nextSyncToken ?? '' };
    pageToken = page.nextPageToken;
  }
}

describe('the seeded weekly lectures, a real RRULE series', () => {
  it('expands with singleEvents=true: instance ids, originalStartTime, no recurrence, EXDATE week gone, moved lecture moved', async () => {
    const { items } = await listAll({
      calendarId: 'primary',
      singleEvents: true,
      orderBy: 'startTime',
      timeMin: '2026-11-30T00:00:00Z',
      timeMax: '2027-03-01T00:00:00Z',
    });
    const series = lectures(items);
    // Twenty by COUNT, two removed by EXDATE.
    expect(series).toHaveLength(18);
    expect(series[0]).toMatchObject({
      id: `${SERIES}_20261130T160000Z`,
      recurringEventId: SERIES,
      start: { dateTime: '2026-11-30T10:00:00-06:00', timeZone: 'America/Chicago' },
      end: { dateTime: '2026-11-30T11:00:00-06:00' },
      originalStartTime: { dateTime: '2026-11-30T10:00:00-06:00' },
    });
    expect(series.every((e) => e.recurrence === undefined)).toBe(true);
    const ids = series.map((e) => e.id);
    expect(ids).not.toContain(`${SERIES}_20261221T160000Z`);
    expect(ids).not.toContain(`${SERIES}_20261223T160000Z`);
    const moved = series.find((e) => e.id === `${SERIES}_20261209T160000Z`);
    expect(moved).toMatchObject({
      start: { dateTime: '2026-12-10T14:00:00-06:00' },
      originalStartTime: { dateTime: '2026-12-09T10:00:00-06:00' },
    });
    // orderBy=startTime puts the moved lecture by its new time (Thursday), after Wednesday's slot.
    const starts = items.map((e) => Date.parse(e.start?.dateTime ?? `${e.start?.date}T00:00:00Z`));
    expect(starts).toEqual([...starts].sort((a, b) => a - b));
  });

  it('lists the master and its exception with singleEvents=false, and refuses orderBy=startTime there', async () => {
    const { items } = await listAll({ calendarId: 'primary' });
    const series = lectures(items);
    expect(series.map((e) => e.id).sort()).toEqual([SERIES, `${SERIES}_20261209T160000Z`]);
    expect(series.find((e) => e.id === SERIES)?.recurrence?.[0]).toBe(
      'RRULE:FREQ=WEEKLY;BYDAY=MO,WE;COUNT=20',
    );
    expect(await googleReason(api.events.list({ calendarId: 'primary', orderBy: 'startTime' }))).toBe(
      '400 invalid',
    );
    // A window after the series ended leaves the master out.
    const later = await listAll({ calendarId: 'primary', timeMin: '2027-03-01T00:00:00Z' });
    expect(lectures(later.items)).toEqual([]);
  });

  it('gets an instance by id, 404s for an EXDATE or a non-occurrence, and lists events.instances', async () => {
    const got = (await api.events.get({ calendarId: 'primary', eventId: `${SERIES}_20261207T160000Z` })).data;
    expect(got).toMatchObject({ recurringEventId: SERIES, start: { dateTime: '2026-12-07T10:00:00-06:00' } });
    expect(
      await googleReason(api.events.get({ calendarId: 'primary', eventId: `${SERIES}_20261221T160000Z` })),
    ).toBe('404 notFound');
    expect(
      await googleReason(api.events.get({ calendarId: 'primary', eventId: `${SERIES}_20261208T160000Z` })),
    ).toBe('404 notFound');
    const instances =
      (await api.events.instances({ calendarId: 'primary', eventId: SERIES })).data.items ?? [];
    expect(instances).toHaveLength(18);
    expect(instances[3]?.id).toBe(`${SERIES}_20261209T160000Z`);
  });
});

describe('exceptions and sync tokens on a series', () => {
  it('turns a deleted instance into a cancelled tombstone for incremental sync, hidden from full lists', async () => {
    const full = await listAll({ calendarId: 'primary', singleEvents: true });
    const victim = `${SERIES}_20261214T160000Z`;
    expect(full.items.map((e) => e.id)).toContain(victim);
    expect((await api.events.delete({ calendarId: 'primary', eventId: victim })).status).toBe(204);

    const after = await listAll({ calendarId: 'primary', singleEvents: true });
    expect(after.items.map((e) => e.id)).not.toContain(victim);
    const withDeleted = await listAll({ calendarId: 'primary', singleEvents: true, showDeleted: true });
    expect(withDeleted.items.find((e) => e.id === victim)?.status).toBe('cancelled');
    const delta = await listAll({ calendarId: 'primary', singleEvents: true, syncToken: full.nextSyncToken });
    expect(delta.items.map((e) => [e.id, e.status, e.recurringEventId])).toEqual([
      [victim, 'cancelled', SERIES],
    ]);
    expect(await googleReason(api.events.delete({ calendarId: 'primary', eventId: victim }))).toBe(
      '410 deleted',
    );

    // A change to the master reaches every instance; an instance it removed comes as a tombstone.
    const master = (await api.events.get({ calendarId: 'primary', eventId: SERIES })).data;
    await api.events.patch({
      calendarId: 'primary',
      eventId: SERIES,
      requestBody: {
        summary: 'CS 101 Lecture (Room 2)',
        recurrence: [...(master.recurrence ?? []), 'EXDATE;TZID=America/Chicago:20270104T100000'],
      },
    });
    const changed = await listAll({
      calendarId: 'primary',
      singleEvents: true,
      syncToken: delta.nextSyncToken,
    });
    expect(changed.items.filter((e) => e.status === 'cancelled').map((e) => e.id)).toEqual([
      `${SERIES}_20270104T160000Z`,
    ]);
    const live = changed.items.filter((e) => e.status !== 'cancelled');
    // 20 - 3 EXDATEs - the moved and the deleted exceptions, which the patch did not touch.
    expect(live).toHaveLength(15);
    expect(new Set(live.map((e) => e.summary))).toEqual(new Set(['CS 101 Lecture (Room 2)']));
    const masters = await listAll({ calendarId: 'primary', syncToken: delta.nextSyncToken });
    expect(masters.items.map((e) => e.id)).toEqual([SERIES]);
  });

  it('moves an instance with patch, keeping its id and originalStartTime', async () => {
    const id = `${SERIES}_20261130T160000Z`;
    const moved = (
      await api.events.patch({
        calendarId: 'primary',
        eventId: id,
        requestBody: {
          start: { dateTime: '2026-11-30T12:00:00-06:00', timeZone: 'America/Chicago' },
          end: { dateTime: '2026-11-30T13:00:00-06:00', timeZone: 'America/Chicago' },
        },
      })
    ).data;
    expect(moved).toMatchObject({
      id,
      recurringEventId: SERIES,
      originalStartTime: { dateTime: '2026-11-30T10:00:00-06:00' },
    });
    const got = (await api.events.get({ calendarId: 'primary', eventId: id })).data;
    expect(got.start?.dateTime).toBe('2026-11-30T12:00:00-06:00');
  });

  it('refuses a bad RRULE and a timed series without a time zone', async () => {
    const body = {
      summary: 'Bad',
      start: { dateTime: '2026-12-02T10:00:00-06:00', timeZone: 'America/Chicago' },
      end: { dateTime: '2026-12-02T11:00:00-06:00', timeZone: 'America/Chicago' },
    };
    const bad = api.events.insert({
      calendarId: 'primary',
      requestBody: { ...body, recurrence: ['RRULE:FREQ=SOMETIMES'] },
    });
    await expect(bad).rejects.toMatchObject({
      response: { status: 400, data: { error: { message: 'Invalid recurrence rule.' } } },
    });
    expect(
      await googleReason(
        api.events.insert({
          calendarId: 'primary',
          requestBody: {
            ...body,
            start: { dateTime: body.start.dateTime },
            recurrence: ['RRULE:FREQ=DAILY;COUNT=2'],
          },
        }),
      ),
    ).toBe('400 invalid');
  });

  it('keeps 10:00 at 10:00 local across the end of daylight saving time', async () => {
    await api.events.insert({
      calendarId: 'primary',
      requestBody: {
        id: 'dstseries01',
        summary: 'Autumn seminar',
        start: { dateTime: '2026-10-26T10:00:00-05:00', timeZone: 'America/Chicago' },
        end: { dateTime: '2026-10-26T11:00:00-05:00', timeZone: 'America/Chicago' },
        recurrence: ['RRULE:FREQ=WEEKLY;BYDAY=MO,WE;COUNT=4'],
      },
    });
    const instances = (await api.events.instances({ calendarId: 'primary', eventId: 'dstseries01' })).data
      .items;
    expect(instances?.map((e) => [e.id, e.start?.dateTime])).toEqual([
      ['dstseries01_20261026T150000Z', '2026-10-26T10:00:00-05:00'],
      ['dstseries01_20261028T150000Z', '2026-10-28T10:00:00-05:00'],
      ['dstseries01_20261102T160000Z', '2026-11-02T10:00:00-06:00'],
      ['dstseries01_20261104T160000Z', '2026-11-04T10:00:00-06:00'],
    ]);
  });

  it('expands "last weekday of the month" (BYSETPOS, as Outlook writes it)', async () => {
    await api.events.insert({
      calendarId: 'primary',
      requestBody: {
        id: 'timesheet01',
        summary: 'Timesheet due',
        start: { dateTime: '2026-11-30T16:00:00-06:00', timeZone: 'America/Chicago' },
        end: { dateTime: '2026-11-30T16:30:00-06:00', timeZone: 'America/Chicago' },
        recurrence: ['RRULE:FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1;COUNT=3'],
      },
    });
    const instances = (await api.events.instances({ calendarId: 'primary', eventId: 'timesheet01' })).data
      .items;
    // January 2027 ends on a Sunday: its last weekday is Friday the 29th.
    expect(instances?.map((e) => e.start?.dateTime)).toEqual([
      '2026-11-30T16:00:00-06:00',
      '2026-12-31T16:00:00-06:00',
      '2027-01-29T16:00:00-06:00',
    ]);
  });
});

describe('all-day series and deleting a whole series', () => {
  it('names all-day instances <masterId>_<YYYYMMDD>, and sends every instance cancelled when the master is deleted', async () => {
    await api.events.insert({
      calendarId: 'primary',
      requestBody: {
        id: 'readingdate01',
        summary: 'Reading day',
        start: { date: '2026-12-04' },
        end: { date: '2026-12-05' },
        recurrence: ['RRULE:FREQ=MONTHLY;BYDAY=1FR;COUNT=3', 'EXDATE;VALUE=DATE:20270101'],
      },
    });
    const before = await listAll({ calendarId: 'primary', singleEvents: true });
    const days = before.items.filter((e) => e.recurringEventId === 'readingdate01');
    expect(days.map((e) => [e.id, e.start?.date, e.end?.date, e.originalStartTime?.date])).toEqual([
      ['readingdate01_20261204', '2026-12-04', '2026-12-05', '2026-12-04'],
      ['readingdate01_20270205', '2027-02-05', '2027-02-06', '2027-02-05'],
    ]);
    await api.events.delete({ calendarId: 'primary', eventId: 'readingdate01' });
    const delta = await listAll({
      calendarId: 'primary',
      singleEvents: true,
      syncToken: before.nextSyncToken,
    });
    expect(delta.items.map((e) => [e.id, e.status])).toEqual([
      ['readingdate01_20261204', 'cancelled'],
      ['readingdate01_20270205', 'cancelled'],
    ]);
    const after = await listAll({ calendarId: 'primary', singleEvents: true });
    expect(after.items.filter((e) => e.recurringEventId === 'readingdate01')).toEqual([]);
  });
});

describe('freebusy over a series', () => {
  it('counts expanded instances where they are, not EXDATEs, moved-away slots or deleted instances', async () => {
    const busy = async () => {
      const answer = await api.freebusy.query({
        requestBody: {
          timeMin: '2026-12-07T06:00:00Z',
          timeMax: '2026-12-28T06:00:00Z',
          items: [{ id: DEMO_STUDENT_EMAIL }],
        },
      });
      return (answer.data.calendars?.[DEMO_STUDENT_EMAIL]?.busy ?? []).map((b) => `${b.start}/${b.end}`);
    };
    const before = await busy();
    expect(before).toContain('2026-12-07T16:00:00.000Z/2026-12-07T17:00:00.000Z');
    expect(before).toContain('2026-12-14T16:00:00.000Z/2026-12-14T17:00:00.000Z');
    // The Wednesday lecture moved to Thursday 14:00 Chicago time.
    expect(before).toContain('2026-12-10T20:00:00.000Z/2026-12-10T21:00:00.000Z');
    expect(before.some((b) => b.startsWith('2026-12-09T16:00'))).toBe(false);
    // The EXDATE week.
    expect(before.some((b) => b.startsWith('2026-12-21T16:00') || b.startsWith('2026-12-23T16:00'))).toBe(
      false,
    );
    await api.events.delete({ calendarId: 'primary', eventId: `${SERIES}_20261214T160000Z` });
    expect((await busy()).some((b) => b.startsWith('2026-12-14T16:00'))).toBe(false);
  });
});

describe('events.import', () => {
  it('requires an iCalUID, and updates the copy when the same iCalUID is imported again', async () => {
    const event = {
      iCalUID: 'exam-42@canvas.example.edu',
      summary: 'Midterm',
      organizer: { email: 'prof@example.edu' },
      start: { dateTime: '2026-12-15T09:00:00-06:00' },
      end: { dateTime: '2026-12-15T11:00:00-06:00' },
    };
    const { iCalUID: _none, ...withoutUid } = event;
    expect(await googleReason(api.events.import({ calendarId: 'primary', requestBody: withoutUid }))).toBe(
      '400 required',
    );
    const first = (await api.events.import({ calendarId: 'primary', requestBody: event })).data;
    expect(first).toMatchObject({ iCalUID: event.iCalUID, summary: 'Midterm', status: 'confirmed' });
    const again = (
      await api.events.import({
        calendarId: 'primary',
        requestBody: { ...event, summary: 'Midterm (room 101)' },
      })
    ).data;
    expect(again.id).toBe(first.id);
    expect(again.summary).toBe('Midterm (room 101)');
    const found = await listAll({ calendarId: 'primary', iCalUID: event.iCalUID });
    expect(found.items.map((e) => e.summary)).toEqual(['Midterm (room 101)']);
  });

  it('is refused to a token without an events scope', async () => {
    // A fresh emulator: include_granted_scopes would otherwise add the full scope granted above.
    const other = await startGoogleEmulator({ now: () => NOW });
    const readOnly = officialCalendar(
      other.url,
      await emulatorAccessToken(other, ['https://www.googleapis.com/auth/calendar.readonly']).catch(
        async (error: unknown) => {
          await other.close();
          throw error;
        },
      ),
    );
    try {
      const answer = readOnly.events.import({
        calendarId: 'primary',
        requestBody: { iCalUID: 'x@example.edu', start: { date: '2026-12-15' }, end: { date: '2026-12-16' } },
      });
      expect(await googleReason(answer)).toBe('403 insufficientPermissions');
    } finally {
      await other.close();
    }
  });
});
