import type { calendar_v3 } from '@googleapis/calendar';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_STUDENT_EMAIL } from '../../emulators/google/demo-seed.ts';
import { type GoogleEmulator, startGoogleEmulator } from '../../emulators/google/google-emulator.ts';
import { emulatorAccessToken } from '../support/emulator-token.ts';
import { googleReason, officialCalendar } from '../support/official-calendar.ts';

const START = Date.parse('2026-12-01T15:00:00Z');
let clock = START;
let emulator: GoogleEmulator;
let api: calendar_v3.Calendar;
let calendarId: string;

beforeEach(async () => {
  clock = START;
  emulator = await startGoogleEmulator({ now: () => clock });
  api = officialCalendar(
    emulator.url,
    await emulatorAccessToken(emulator, ['https://www.googleapis.com/auth/calendar']),
  );
  calendarId = emulator.control.addCalendar(DEMO_STUDENT_EMAIL, { summary: 'Course', timeZone: 'UTC' });
});
afterEach(() => emulator.close());

const insert = async (id: string, extra: calendar_v3.Schema$Event = {}) =>
  (
    await api.events.insert({
      calendarId,
      requestBody: {
        id,
        summary: id,
        start: { dateTime: '2026-12-02T15:00:00Z' },
        end: { dateTime: '2026-12-02T16:00:00Z' },
        ...extra,
      },
    })
  ).data;

describe('events.list updatedMin', () => {
  it('always includes entries deleted since then, with or without showDeleted', async () => {
    await insert('oldone');
    await insert('gone1');
    clock = START + 60_000;
    await api.events.delete({ calendarId, eventId: 'gone1' });
    await insert('fresh1');
    const updatedMin = new Date(START + 30_000).toISOString();
    for (const showDeleted of [undefined, false, true]) {
      const { data } = await api.events.list({
        calendarId,
        updatedMin,
        ...(showDeleted === undefined ? {} : { showDeleted }),
      });
      expect(data.items?.map((e) => [e.id, e.status])).toEqual([
        ['fresh1', 'confirmed'],
        ['gone1', 'cancelled'],
      ]);
    }
    // Without updatedMin a deleted event stays hidden.
    expect((await api.events.list({ calendarId })).data.items?.map((e) => e.id)).toEqual([
      'fresh1',
      'oldone',
    ]);
  });

  it('is refused with a sync token, when unreadable, and (410) before history was purged', async () => {
    const { data } = await api.events.list({ calendarId });
    const updatedMin = new Date(START - 1000).toISOString();
    expect(
      await googleReason(api.events.list({ calendarId, syncToken: data.nextSyncToken ?? '', updatedMin })),
    ).toBe('400 invalid');
    expect(await googleReason(api.events.list({ calendarId, updatedMin: 'yesterday' }))).toBe('400 invalid');
    clock = START + 60_000;
    emulator.control.expireSyncTokens(calendarId);
    expect(await googleReason(api.events.list({ calendarId, updatedMin }))).toBe('410 updatedMinTooLongAgo');
    expect(
      await googleReason(api.events.list({ calendarId, updatedMin: new Date(clock).toISOString() })),
    ).toBe('no error');
  });
});

describe('events.list timeZone', () => {
  it("expresses timed events' dateTime in the requested zone and names it in the envelope", async () => {
    await insert('timed1', { start: { dateTime: '2026-12-02T15:00:00Z', timeZone: 'Europe/Berlin' } });
    await insert('fullda1', { start: { date: '2026-12-03' }, end: { date: '2026-12-04' } });
    const { data } = await api.events.list({ calendarId, timeZone: 'Asia/Tokyo' });
    expect(data.timeZone).toBe('Asia/Tokyo');
    const timed = data.items?.find((e) => e.id === 'timed1');
    expect(timed?.start).toEqual({ dateTime: '2026-12-03T00:00:00+09:00', timeZone: 'Europe/Berlin' });
    expect(timed?.end).toEqual({ dateTime: '2026-12-03T01:00:00+09:00' });
    expect(data.items?.find((e) => e.id === 'fullda1')?.start).toEqual({ date: '2026-12-03' });
    expect(await googleReason(api.events.list({ calendarId, timeZone: 'Mars/Olympus' }))).toBe('400 invalid');
  });

  it('does the same for events.instances, original start times included', async () => {
    await insert('series1', {
      start: { dateTime: '2026-12-02T15:00:00Z', timeZone: 'Europe/Berlin' },
      end: { dateTime: '2026-12-02T16:00:00Z', timeZone: 'Europe/Berlin' },
      recurrence: ['RRULE:FREQ=DAILY;COUNT=2'],
    });
    const { data } = await api.events.instances({ calendarId, eventId: 'series1', timeZone: 'Asia/Tokyo' });
    expect(data.timeZone).toBe('Asia/Tokyo');
    expect(data.items?.map((e) => [e.start?.dateTime, e.originalStartTime?.dateTime])).toEqual([
      ['2026-12-03T00:00:00+09:00', '2026-12-03T00:00:00+09:00'],
      ['2026-12-04T00:00:00+09:00', '2026-12-04T00:00:00+09:00'],
    ]);
    expect(data.items?.[0]?.start?.timeZone).toBe('Europe/Berlin');
    expect(
      await googleReason(api.events.instances({ calendarId, eventId: 'series1', timeZone: 'Mars/Olympus' })),
    ).toBe('400 invalid');
  });
});

describe("an event's times as Google writes them back", () => {
  it("uses the calendar's zone by default, whatever offset was sent, on every read and write", async () => {
    const chicago = emulator.control.addCalendar(DEMO_STUDENT_EMAIL, {
      summary: 'Work',
      timeZone: 'America/Chicago',
    });
    const sent = {
      start: { dateTime: '2026-12-02T15:00:00Z' },
      end: { dateTime: '2026-12-02T17:30:00+01:00' },
    };
    const inserted = (
      await api.events.insert({ calendarId: chicago, requestBody: { id: 'shift01', ...sent } })
    ).data;
    const local = { start: '2026-12-02T09:00:00-06:00', end: '2026-12-02T10:30:00-06:00' };
    expect([inserted.start?.dateTime, inserted.end?.dateTime]).toEqual([local.start, local.end]);
    const got = (await api.events.get({ calendarId: chicago, eventId: 'shift01' })).data;
    expect([got.start?.dateTime, got.end?.dateTime]).toEqual([local.start, local.end]);
    const listed = (await api.events.list({ calendarId: chicago })).data.items?.[0];
    expect(listed?.start?.dateTime).toBe(local.start);
    const patched = (
      await api.events.patch({ calendarId: chicago, eventId: 'shift01', requestBody: { summary: 'Shift' } })
    ).data;
    expect(patched.start?.dateTime).toBe(local.start);
    // events.get takes a zone for the response too.
    const tokyo = (await api.events.get({ calendarId: chicago, eventId: 'shift01', timeZone: 'Asia/Tokyo' }))
      .data;
    expect(tokyo.start?.dateTime).toBe('2026-12-03T00:00:00+09:00');
    expect(
      await googleReason(
        api.events.get({ calendarId: chicago, eventId: 'shift01', timeZone: 'Mars/Olympus' }),
      ),
    ).toBe('400 invalid');
  });
});

describe('events.list filters and limits', () => {
  it('filters on privateExtendedProperty, every one given', async () => {
    await insert('tagged1', { extendedProperties: { private: { source: 'canvascal', course: '101' } } });
    await insert('tagged2', { extendedProperties: { private: { source: 'canvascal', course: '202' } } });
    await insert('shared1', { extendedProperties: { shared: { source: 'canvascal' } } });
    const ids = async (privateExtendedProperty: string[]) =>
      (await api.events.list({ calendarId, privateExtendedProperty })).data.items?.map((e) => e.id);
    expect(await ids(['source=canvascal'])).toEqual(['tagged1', 'tagged2']);
    expect(await ids(['source=canvascal', 'course=202'])).toEqual(['tagged2']);
    expect(await ids(['source=other'])).toEqual([]);
  });

  it('pages by maxResults and refuses values outside 1..2500', async () => {
    for (const id of ['page01', 'page02', 'page03']) await insert(id);
    const first = (await api.events.list({ calendarId, maxResults: 2 })).data;
    expect(first.items?.map((e) => e.id)).toEqual(['page01', 'page02']);
    expect(first.nextSyncToken).toBeUndefined();
    const second = (
      await api.events.list({ calendarId, maxResults: 2, pageToken: first.nextPageToken ?? '' })
    ).data;
    expect(second.items?.map((e) => e.id)).toEqual(['page03']);
    expect(second.nextSyncToken).toBeDefined();
    expect(await googleReason(api.events.list({ calendarId, maxResults: 2500 }))).toBe('no error');
    expect(await googleReason(api.events.list({ calendarId, maxResults: 2501 }))).toBe('400 invalid');
    expect(await googleReason(api.events.list({ calendarId, maxResults: 0 }))).toBe('400 invalid');
  });

  it("states the caller's own access role in the envelope", async () => {
    const shared = emulator.control.addCalendar(DEMO_STUDENT_EMAIL, {
      summary: 'Shared',
      owner: 'prof@example.edu',
      accessRole: 'reader',
    });
    expect((await api.events.list({ calendarId: shared })).data.accessRole).toBe('reader');
    expect((await api.events.list({ calendarId })).data.accessRole).toBe('owner');
  });

  it('deletes only with a current etag in If-Match (412 conditionNotMet otherwise)', async () => {
    const created = await insert('etag01');
    await api.events.patch({ calendarId, eventId: 'etag01', requestBody: { summary: 'moved' } });
    expect(
      await googleReason(
        api.events.delete({ calendarId, eventId: 'etag01' }, { headers: { 'If-Match': created.etag ?? '' } }),
      ),
    ).toBe('412 conditionNotMet');
    const current = (await api.events.get({ calendarId, eventId: 'etag01' })).data.etag ?? '';
    expect(
      await googleReason(
        api.events.delete({ calendarId, eventId: 'etag01' }, { headers: { 'If-Match': current } }),
      ),
    ).toBe('no error');
  });
});

describe('calendarList.list limits', () => {
  it('keeps only entries with at least minAccessRole', async () => {
    const summaries = async (minAccessRole: string) =>
      (await api.calendarList.list({ minAccessRole })).data.items?.map((c) => c.accessRole).sort();
    emulator.control.addCalendar(DEMO_STUDENT_EMAIL, {
      summary: 'R',
      owner: 'a@example.edu',
      accessRole: 'reader',
    });
    emulator.control.addCalendar(DEMO_STUDENT_EMAIL, {
      summary: 'W',
      owner: 'b@example.edu',
      accessRole: 'writer',
    });
    const all = await summaries('freeBusyReader');
    expect(all).toContain('freeBusyReader');
    expect(await summaries('reader')).toEqual(all?.filter((r) => r !== 'freeBusyReader'));
    expect(new Set(await summaries('writer'))).toEqual(new Set(['owner', 'writer']));
    expect(new Set(await summaries('owner'))).toEqual(new Set(['owner']));
    expect(await googleReason(api.calendarList.list({ minAccessRole: 'admin' }))).toBe('400 invalid');
  });

  it('never returns more than 250 entries a page, whatever maxResults says', async () => {
    for (let i = 0; i < 260; i += 1) emulator.control.addCalendar(DEMO_STUDENT_EMAIL, { summary: `C${i}` });
    const first = (await api.calendarList.list({ maxResults: 300 })).data;
    expect(first.items).toHaveLength(250);
    expect(first.nextPageToken).toBeDefined();
    expect((await api.calendarList.list()).data.items).toHaveLength(100);
    expect(await googleReason(api.calendarList.list({ maxResults: 0 }))).toBe('400 invalid');
  });
});
