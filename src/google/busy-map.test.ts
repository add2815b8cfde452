import { describe, expect, it } from 'vitest';
import { getBusyMap, mergeRanges } from './busy-map.ts';
import type { CalendarApi, FreeBusyAnswer } from './calendar-api.ts';

const at = (hour: number) => new Date(Date.UTC(2026, 11, 1, hour));

describe('getBusyMap', () => {
  it('merges busy time across calendars and marks a calendar that errors as unknown, not free', async () => {
    const api: Pick<CalendarApi, 'freeBusy'> = {
      async freeBusy(): Promise<FreeBusyAnswer> {
        return {
          calendars: {
            primary: { busy: [{ start: at(9).toISOString(), end: at(10).toISOString() }], errors: [] },
            work: {
              busy: [
                { start: at(9).toISOString(), end: at(11).toISOString() },
                { start: at(13).toISOString(), end: at(14).toISOString() },
              ],
              errors: [],
            },
            gone: { busy: [], errors: [{ reason: 'notFound' }] },
          },
        };
      },
    };
    const map = await getBusyMap(api, ['primary', 'work', 'gone'], at(0), at(24));
    expect(map.busy).toEqual([
      { start: at(9), end: at(11) },
      { start: at(13), end: at(14) },
    ]);
    expect(map.unknown).toEqual([{ start: at(0), end: at(24), calendarIds: ['gone'], reason: 'notFound' }]);
    expect(map.queries).toBe(1);
  });

  it('treats a calendar Google left out of the answer as unknown', async () => {
    const api: Pick<CalendarApi, 'freeBusy'> = { freeBusy: async () => ({ calendars: {} }) };
    const map = await getBusyMap(api, ['a'], at(0), at(1));
    expect(map.unknown.map((u) => u.reason)).toEqual(['missing']);
  });
});

describe('mergeRanges', () => {
  it('merges touching and overlapping ranges and keeps gaps', () => {
    expect(
      mergeRanges([
        { start: at(3), end: at(4) },
        { start: at(1), end: at(2) },
        { start: at(2), end: at(3) },
        { start: at(6), end: at(7) },
      ]),
    ).toEqual([
      { start: at(1), end: at(4) },
      { start: at(6), end: at(7) },
    ]);
  });
});
