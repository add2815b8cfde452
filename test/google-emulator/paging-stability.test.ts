import type { calendar_v3 } from '@googleapis/calendar';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type GoogleEmulator, startGoogleEmulator } from '../../emulators/google/google-emulator.ts';
import { emulatorAccessToken } from '../support/emulator-token.ts';
import { officialCalendar } from '../support/official-calendar.ts';

const EMAIL = 'pager@example.edu';
const FULL = 'https://www.googleapis.com/auth/calendar';
let emulator: GoogleEmulator;
let api: calendar_v3.Calendar;

beforeEach(async () => {
  emulator = await startGoogleEmulator({ seed: false, now: () => Date.parse('2026-12-01T15:00:00Z') });
  emulator.control.addAccount(EMAIL, 'UTC');
  api = officialCalendar(emulator.url, await emulatorAccessToken(emulator, [FULL], EMAIL));
});
afterEach(() => emulator.close());

function insertSix(): string[] {
  return [0, 1, 2, 3, 4, 5].map((i) => {
    const id = `evt${i}aaaa`;
    emulator.control.userInsertEvent(EMAIL, {
      id,
      summary: `E${i}`,
      start: { dateTime: `2026-12-0${i + 2}T10:00:00Z` },
      end: { dateTime: `2026-12-0${i + 2}T11:00:00Z` },
    });
    return id;
  });
}

const ids = (items: Array<{ id?: string | null }> | undefined) => (items ?? []).map((e) => e.id);

describe('page tokens stay put when items change between pages', () => {
  it('events.list: edits and deletes after page 1 skip nothing, and the next sync returns them', async () => {
    insertSix();
    const p1 = (await api.events.list({ calendarId: 'primary', maxResults: 3 })).data;
    expect(ids(p1.items)).toEqual(['evt0aaaa', 'evt1aaaa', 'evt2aaaa']);

    emulator.control.userPatchEvent(EMAIL, 'evt0aaaa', { summary: 'E0 edited' });
    emulator.control.userDeleteEvent(EMAIL, 'evt1aaaa');
    emulator.control.userPatchEvent(EMAIL, 'evt4aaaa', { summary: 'E4 edited' });

    const p2 = (
      await api.events.list({ calendarId: 'primary', maxResults: 3, pageToken: p1.nextPageToken ?? '' })
    ).data;
    expect(ids(p2.items)).toEqual(['evt3aaaa', 'evt4aaaa', 'evt5aaaa']);
    expect(p2.items?.[1]?.summary).toBe('E4 edited');
    expect(p2.nextPageToken).toBeUndefined();

    const next = (await api.events.list({ calendarId: 'primary', syncToken: p2.nextSyncToken ?? '' })).data;
    expect(Object.fromEntries((next.items ?? []).map((e) => [e.id, e.status]))).toEqual({
      evt0aaaa: 'confirmed',
      evt1aaaa: 'cancelled',
      evt4aaaa: 'confirmed',
    });
  });

  it('events.list with singleEvents and orderBy=startTime: a delete on page 1 shifts nothing', async () => {
    insertSix();
    const query = { calendarId: 'primary', maxResults: 2, singleEvents: true, orderBy: 'startTime' };
    const seen: Array<string | null | undefined> = [];
    let page = (await api.events.list(query)).data;
    seen.push(...ids(page.items));
    emulator.control.userDeleteEvent(EMAIL, 'evt0aaaa');
    while (page.nextPageToken) {
      page = (await api.events.list({ ...query, pageToken: page.nextPageToken })).data;
      seen.push(...ids(page.items));
    }
    expect(seen).toEqual(['evt0aaaa', 'evt1aaaa', 'evt2aaaa', 'evt3aaaa', 'evt4aaaa', 'evt5aaaa']);
  });

  it('events.instances: an instance deleted on page 1 does not push one off page 2', async () => {
    emulator.control.userInsertEvent(EMAIL, {
      id: 'seriesaaaa',
      summary: 'Daily',
      start: { dateTime: '2026-12-02T10:00:00Z', timeZone: 'UTC' },
      end: { dateTime: '2026-12-02T11:00:00Z', timeZone: 'UTC' },
      recurrence: ['RRULE:FREQ=DAILY;COUNT=6'],
    });
    const p1 = (await api.events.instances({ calendarId: 'primary', eventId: 'seriesaaaa', maxResults: 3 }))
      .data;
    const first = p1.items?.[0]?.id ?? '';
    await api.events.delete({ calendarId: 'primary', eventId: first });
    const p2 = (
      await api.events.instances({
        calendarId: 'primary',
        eventId: 'seriesaaaa',
        maxResults: 3,
        pageToken: p1.nextPageToken ?? '',
      })
    ).data;
    expect([...ids(p1.items), ...ids(p2.items)].map((id) => id?.slice(-16, -8))).toEqual([
      '20261202',
      '20261203',
      '20261204',
      '20261205',
      '20261206',
      '20261207',
    ]);
  });

  it('calendarList.list: an entry changed on page 1 skips nothing, and the next sync returns it', async () => {
    const calendars = [
      EMAIL,
      ...[0, 1, 2, 3, 4].map((i) => emulator.control.addCalendar(EMAIL, { summary: `C${i}` })),
    ];
    const p1 = (await api.calendarList.list({ maxResults: 3 })).data;
    const changed = p1.items?.[1]?.id ?? '';
    emulator.control.userUpdateCalendarListEntry(EMAIL, changed, { selected: false });
    const p2 = (await api.calendarList.list({ maxResults: 3, pageToken: p1.nextPageToken ?? '' })).data;
    expect([...ids(p1.items), ...ids(p2.items)].sort()).toEqual([...calendars].sort());
    expect(p2.nextPageToken).toBeUndefined();
    const next = (await api.calendarList.list({ syncToken: p2.nextSyncToken ?? '' })).data;
    expect(ids(next.items)).toEqual([changed]);
  });
});
