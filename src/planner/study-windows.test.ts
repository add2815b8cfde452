import { describe, expect, it } from 'vitest';
import { PlannerPreferencesSchema } from './preferences.ts';
import { studyWindowIntervals } from './study-windows.ts';

const iso = (ms: number) => new Date(ms).toISOString();

describe('studyWindowIntervals', () => {
  it('keeps a 19:00 window at 19:00 local on both sides of a DST change', () => {
    const prefs = PlannerPreferencesSchema.parse({
      timeZone: 'America/New_York',
      studyWindows: { sat: [{ start: '19:00', end: '21:00' }], sun: [{ start: '19:00', end: '21:00' }] },
    });
    // 2026-03-08 (Sunday) is the spring-forward day in New York.
    // From Saturday noon UTC, so Friday's default evening window is out of range.
    const windows = studyWindowIntervals(
      prefs,
      Date.parse('2026-03-07T12:00:00Z'),
      Date.parse('2026-03-09T12:00:00Z'),
    );
    expect(windows.map((w) => [iso(w.start), iso(w.end)])).toEqual([
      ['2026-03-08T00:00:00.000Z', '2026-03-08T02:00:00.000Z'],
      ['2026-03-08T23:00:00.000Z', '2026-03-09T01:00:00.000Z'],
    ]);
  });

  it('clips windows to the range and handles a window ending at 24:00 in a half-hour zone', () => {
    const prefs = PlannerPreferencesSchema.parse({
      timeZone: 'Asia/Kolkata',
      studyWindows: { tue: [{ start: '22:00', end: '24:00' }] },
    });
    const windows = studyWindowIntervals(
      prefs,
      Date.parse('2026-12-01T17:00:00Z'),
      Date.parse('2026-12-01T18:00:00Z'),
    );
    expect(windows.map((w) => [iso(w.start), iso(w.end)])).toEqual([
      ['2026-12-01T17:00:00.000Z', '2026-12-01T18:00:00.000Z'],
    ]);
  });
});
