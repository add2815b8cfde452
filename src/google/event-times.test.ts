import { describe, expect, it } from 'vitest';
import { toUtc } from './event-times.ts';

describe('toUtc', () => {
  it('honours any offset on a dateTime', () => {
    expect(toUtc({ dateTime: '2026-03-08T09:00:00-04:00' }, 'UTC')?.toISOString()).toBe(
      '2026-03-08T13:00:00.000Z',
    );
    expect(toUtc({ dateTime: '2026-03-08T19:00:00+05:30' }, 'UTC')?.toISOString()).toBe(
      '2026-03-08T13:30:00.000Z',
    );
  });

  it('puts an all-day date at midnight in the calendar zone, across a DST change', () => {
    // America/New_York springs forward on 2026-03-08: that day is 23 hours long.
    const start = toUtc({ date: '2026-03-08' }, 'America/New_York');
    const end = toUtc({ date: '2026-03-09' }, 'America/New_York');
    expect(start?.toISOString()).toBe('2026-03-08T05:00:00.000Z');
    expect(end?.toISOString()).toBe('2026-03-09T04:00:00.000Z');
    // Europe/Berlin falls back on 2026-10-25: 25 hours.
    const berlinStart = toUtc({ date: '2026-10-25' }, 'Europe/Berlin');
    const berlinEnd = toUtc({ date: '2026-10-26' }, 'Europe/Berlin');
    expect(((berlinEnd?.getTime() ?? 0) - (berlinStart?.getTime() ?? 0)) / 3_600_000).toBe(25);
  });

  it('handles a zone with a 30-minute offset', () => {
    expect(toUtc({ date: '2026-12-01' }, 'Asia/Kolkata')?.toISOString()).toBe('2026-11-30T18:30:00.000Z');
  });
});
