import { describe, expect, it } from 'vitest';
import type { CalendarApi, CalendarListEntry } from './calendar-api.ts';
import { countedCalendarIds, listAllCalendars, preferredButMissing } from './calendar-discovery.ts';

const entry = (id: string, extra: Partial<CalendarListEntry> = {}): CalendarListEntry => ({
  id,
  summary: id,
  timeZone: 'UTC',
  accessRole: 'owner',
  primary: false,
  selected: false,
  hidden: false,
  ...extra,
});

const list = [
  entry('me@example.edu', { primary: true, selected: true }),
  entry('work', { selected: true }),
  entry('hidden', { selected: true, hidden: true }),
  entry('unselected'),
  entry('boss-freebusy', { selected: true, accessRole: 'freeBusyReader' }),
];

describe('countedCalendarIds', () => {
  it('counts the selected calendars, free/busy-only ones included, by default', () => {
    expect(countedCalendarIds(list, ['primary'])).toEqual(['me@example.edu', 'work', 'boss-freebusy']);
    expect(countedCalendarIds(list, undefined)).toEqual(['me@example.edu', 'work', 'boss-freebusy']);
  });

  it('counts exactly the preferred calendars that still exist, and names the ones that are gone', () => {
    expect(countedCalendarIds(list, ['primary', 'unselected', 'deleted-long-ago'])).toEqual([
      'me@example.edu',
      'unselected',
    ]);
    // Gone is not free: the busy map reports these as unknown.
    expect(preferredButMissing(list, ['primary', 'unselected', 'deleted-long-ago'])).toEqual([
      'deleted-long-ago',
    ]);
    expect(preferredButMissing(list, ['primary'])).toEqual([]);
  });
});

describe('listAllCalendars', () => {
  it('follows every page', async () => {
    const pages = [
      { items: [entry('a')], nextPageToken: 'p2' },
      { items: [entry('b')], nextPageToken: 'p3' },
      { items: [entry('c')], nextPageToken: undefined },
    ];
    const seen: Array<string | undefined> = [];
    const api: Pick<CalendarApi, 'listCalendars'> = {
      async listCalendars(params) {
        seen.push(params.pageToken);
        const page = pages[seen.length - 1];
        if (!page) throw new Error('asked past the last page');
        return page;
      },
    };
    expect((await listAllCalendars(api)).map((c) => c.id)).toEqual(['a', 'b', 'c']);
    expect(seen).toEqual([undefined, 'p2', 'p3']);
  });
});
