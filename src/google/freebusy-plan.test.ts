import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FREEBUSY_MAX_CALENDARS, FREEBUSY_MAX_RANGE_MS, planFreeBusyQueries } from './freebusy-plan.ts';

const day = 24 * 3600_000;
const ids = (n: number) => Array.from({ length: n }, (_, i) => `cal${i}@group.calendar.google.com`);

describe('planFreeBusyQueries', () => {
  it('needs 2 queries for 55 calendars over a week', () => {
    const queries = planFreeBusyQueries(ids(55), new Date(0), new Date(7 * day));
    expect(queries.map((q) => q.calendarIds.length)).toEqual([50, 5]);
  });

  it('splits a 200-day window into windows Google accepts', () => {
    const queries = planFreeBusyQueries(ids(3), new Date(0), new Date(200 * day));
    expect(queries.map((q) => (q.timeMax.getTime() - q.timeMin.getTime()) / day)).toEqual([90, 90, 20]);
  });

  it('covers every calendar and every instant exactly once, within the limits', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 180 }), fc.integer({ min: 1, max: 400 * day }), (count, span) => {
        const queries = planFreeBusyQueries(ids(count), new Date(0), new Date(span));
        if (count === 0) {
          expect(queries).toEqual([]);
          return;
        }
        for (const q of queries) {
          expect(q.calendarIds.length).toBeLessThanOrEqual(FREEBUSY_MAX_CALENDARS);
          expect(q.timeMax.getTime() - q.timeMin.getTime()).toBeLessThanOrEqual(FREEBUSY_MAX_RANGE_MS);
        }
        const windows = new Map<number, string[]>();
        for (const q of queries)
          windows.set(q.timeMin.getTime(), [...(windows.get(q.timeMin.getTime()) ?? []), ...q.calendarIds]);
        for (const covered of windows.values()) expect(covered.sort()).toEqual(ids(count).sort());
        // The windows tile [0, span) with no gap and no overlap.
        const windowsInOrder = [
          ...new Map(queries.map((q) => [q.timeMin.getTime(), q.timeMax.getTime()])).entries(),
        ].sort((a, b) => a[0] - b[0]);
        let cursor = 0;
        for (const [start, end] of windowsInOrder) {
          expect(start).toBe(cursor);
          cursor = end;
        }
        expect(cursor).toBe(span);
      }),
      { numRuns: 100 },
    );
  });
});
