import { describe, expect, it } from 'vitest';
import type { CalendarApi, FreeBusyAnswer } from './calendar-api.ts';
import { GoogleApiError } from './google-api-error.ts';
import { CALENDAR_LIST_NOT_GRANTED, createUserBusy, FREE_BUSY_NOT_GRANTED } from './user-busy.ts';

const notGranted = () =>
  new GoogleApiError(
    'forbidden',
    403,
    'insufficientPermissions',
    'Request had insufficient authentication scopes.',
  );

function fakeApi(behaviour: { list?: 'ok' | 'noScope'; freeBusy?: 'ok' | 'noScope' | 'forbidden' }) {
  const calls = { list: 0, freeBusy: [] as string[][] };
  const api = {
    requestCount: 0,
    async listCalendars() {
      calls.list += 1;
      if (behaviour.list === 'noScope') throw notGranted();
      return {
        items: [
          {
            id: 'me@x.edu',
            summary: 'Me',
            timeZone: 'UTC',
            accessRole: 'owner',
            primary: true,
            selected: true,
            hidden: false,
          },
          {
            id: 'job',
            summary: 'Job',
            timeZone: 'UTC',
            accessRole: 'owner',
            primary: false,
            selected: true,
            hidden: false,
          },
        ],
        nextPageToken: undefined,
      };
    },
    async freeBusy(query: { calendarIds: string[] }): Promise<FreeBusyAnswer> {
      calls.freeBusy.push(query.calendarIds);
      if (behaviour.freeBusy === 'noScope') throw notGranted();
      if (behaviour.freeBusy === 'forbidden') throw new GoogleApiError('forbidden', 403, 'forbidden', 'no');
      return {
        calendars: Object.fromEntries(
          query.calendarIds.map((id) => [
            id,
            { errors: [], busy: [{ start: '2026-12-08T10:00:00Z', end: '2026-12-08T11:00:00Z' }] },
          ]),
        ),
      } as FreeBusyAnswer;
    },
  } as unknown as CalendarApi;
  const busy = createUserBusy({
    users: {
      getCalendarSettings: async () => ({
        preferred_calendars: ['primary'],
        watch_expiration: null,
        sync_error_count: 0,
      }),
    },
    calendarFor: async () => api,
    appCalendarId: async () => null,
  });
  return { busy, calls };
}

const from = new Date('2026-12-08T00:00:00Z');
const to = new Date('2026-12-09T00:00:00Z');

describe('createUserBusy with permissions left out', () => {
  it('without the calendar list, counts the primary calendar alone and says so', async () => {
    const { busy, calls } = fakeApi({ list: 'noScope', freeBusy: 'ok' });
    const map = await busy.getBusy('u', from, to);
    expect(calls.freeBusy).toEqual([['primary']]);
    expect(map.calendars).toEqual(['primary']);
    expect(map.busy).toHaveLength(1);
    expect(map.unknown).toEqual([]);
    expect(map.notes).toEqual([CALENDAR_LIST_NOT_GRANTED]);
  });

  it('a hint that the list is not granted saves the doomed request', async () => {
    const { busy, calls } = fakeApi({ list: 'noScope', freeBusy: 'ok' });
    await busy.getBusy('u', from, to, { calendarList: false });
    expect(calls.list).toBe(0);
  });

  it('without free/busy, every counted calendar is unknown over the whole range, never free', async () => {
    const { busy } = fakeApi({ list: 'ok', freeBusy: 'noScope' });
    const map = await busy.getBusy('u', from, to);
    expect(map.busy).toEqual([]);
    expect(map.unknown).toEqual([
      { start: from, end: to, calendarIds: ['me@x.edu', 'job'], reason: 'freeBusyNotGranted' },
    ]);
    expect(map.notes).toEqual([FREE_BUSY_NOT_GRANTED]);
  });

  it('any other refusal is still an error', async () => {
    const { busy } = fakeApi({ list: 'ok', freeBusy: 'forbidden' });
    await expect(busy.getBusy('u', from, to)).rejects.toMatchObject({ reason: 'forbidden' });
  });
});
