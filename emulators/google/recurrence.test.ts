import { Temporal } from 'temporal-polyfill';
import { describe, expect, it } from 'vitest';
import { expandRecurrence, parseRecurrence, RecurrenceError, type SeriesStart } from './recurrence.ts';

const CHICAGO = 'America/Chicago';
const horizon = Temporal.Instant.from('2030-01-01T00:00:00Z');

function expand(lines: string[], start: string, options: { zone?: string; until?: string } = {}) {
  const zone = options.zone ?? CHICAGO;
  const [date = '', time] = start.split('T');
  const series: SeriesStart = {
    date: Temporal.PlainDate.from(date),
    time: time ? Temporal.PlainTime.from(time) : undefined,
    timeZone: zone,
  };
  return expandRecurrence(
    parseRecurrence(lines, zone),
    series,
    options.until ? Temporal.Instant.from(options.until) : horizon,
  );
}
const dates = (occurrences: ReturnType<typeof expand>) => occurrences.map((o) => o.date.toString());

describe('expandRecurrence', () => {
  it('keeps a weekly 10:00 lecture at 10:00 local across the end of DST', () => {
    const lectures = expand(['RRULE:FREQ=WEEKLY;BYDAY=MO,WE;COUNT=4'], '2026-10-26T10:00');
    expect(lectures.map((o) => o.start?.toInstant().toString())).toEqual([
      '2026-10-26T15:00:00Z',
      '2026-10-28T15:00:00Z',
      // Chicago leaves daylight time on 1 November: same wall time, one hour later in UTC.
      '2026-11-02T16:00:00Z',
      '2026-11-04T16:00:00Z',
    ]);
  });

  it('honours INTERVAL, UNTIL in UTC (inclusive), and a start the rule does not produce', () => {
    expect(dates(expand(['RRULE:FREQ=DAILY;INTERVAL=3;UNTIL=20261207T160000Z'], '2026-12-01T10:00'))).toEqual(
      ['2026-12-01', '2026-12-04', '2026-12-07'],
    );
    // Starts on a Tuesday, rule asks for Mondays: the first instance is the next Monday.
    expect(dates(expand(['RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=2'], '2026-12-01T10:00'))).toEqual([
      '2026-12-07',
      '2026-12-14',
    ]);
  });

  it('uses WKST to decide which weeks an INTERVAL=2 rule skips (the RFC 5545 example)', () => {
    const rule = (wkst: string) => [`RRULE:FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=${wkst}`];
    expect(dates(expand(rule('MO'), '1997-08-05T09:00', { zone: 'America/New_York' }))).toEqual([
      '1997-08-05',
      '1997-08-10',
      '1997-08-19',
      '1997-08-24',
    ]);
    expect(dates(expand(rule('SU'), '1997-08-05T09:00', { zone: 'America/New_York' }))).toEqual([
      '1997-08-05',
      '1997-08-17',
      '1997-08-19',
      '1997-08-31',
    ]);
  });

  it('finds the first Monday and last Friday of each month, and skips months without a 31st', () => {
    expect(dates(expand(['RRULE:FREQ=MONTHLY;BYDAY=1MO;COUNT=3'], '2026-12-01T09:00'))).toEqual([
      '2026-12-07',
      '2027-01-04',
      '2027-02-01',
    ]);
    expect(dates(expand(['RRULE:FREQ=MONTHLY;BYDAY=-1FR;COUNT=3'], '2026-12-01T09:00'))).toEqual([
      '2026-12-25',
      '2027-01-29',
      '2027-02-26',
    ]);
    expect(dates(expand(['RRULE:FREQ=MONTHLY;COUNT=3'], '2027-01-31'))).toEqual([
      '2027-01-31',
      '2027-03-31',
      '2027-05-31',
    ]);
    expect(dates(expand(['RRULE:FREQ=MONTHLY;BYMONTHDAY=-1;COUNT=2'], '2027-01-15'))).toEqual([
      '2027-01-31',
      '2027-02-28',
    ]);
  });

  it('repeats yearly on the start date, or on the n-th weekday of a BYMONTH', () => {
    expect(dates(expand(['RRULE:FREQ=YEARLY;COUNT=2'], '2028-02-29'))).toEqual(['2028-02-29']);
    expect(dates(expand(['RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=4TH;COUNT=2'], '2026-01-01T12:00'))).toEqual([
      '2026-11-26',
      '2027-11-25',
    ]);
  });

  it('drops EXDATEs given with a TZID, in UTC or as a date, and adds RDATEs', () => {
    const series = expand(
      [
        'RRULE:FREQ=DAILY;COUNT=6',
        'EXDATE;TZID=America/Chicago:20261202T100000',
        'EXDATE:20261203T160000Z',
        'EXDATE;VALUE=DATE:20261204',
        'RDATE;TZID=America/Chicago:20261225T100000',
      ],
      '2026-12-01T10:00',
    );
    expect(dates(series)).toEqual(['2026-12-01', '2026-12-05', '2026-12-06', '2026-12-25']);
    // An EXDATE at a time that is not an occurrence's start removes nothing.
    expect(
      dates(expand(['RRULE:FREQ=DAILY;COUNT=2', 'EXDATE:20261201T100000Z'], '2026-12-01T10:00')),
    ).toEqual(['2026-12-01', '2026-12-02']);
  });

  it('stops an unbounded series at the horizon', () => {
    const weekly = expand(['RRULE:FREQ=WEEKLY'], '2026-12-01T10:00', { until: '2027-01-01T00:00:00Z' });
    expect(weekly).toHaveLength(5);
    expect(dates(expand(['RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30'], '2026-01-01'))).toEqual([]);
  });

  it.each([
    'RRULE:FREQ=FORTNIGHTLY',
    'RRULE:BYDAY=MO',
    'RRULE:FREQ=WEEKLY;BYDAY=1MO',
    'RRULE:FREQ=DAILY;COUNT=0',
    'RRULE:FREQ=DAILY;COUNT=2;UNTIL=20270101',
    'RRULE:FREQ=MONTHLY;BYMONTHDAY=32',
    'RRULE:FREQ=DAILY;UNTIL=2027-01-01',
    'RRULE:FREQ=DAILY;BYSETPOS=1',
    'EXDATE;TZID=Mars/Olympus:20261201T100000',
    'EXDATE;VALUE=DATE:20261201T100000',
    'WEEKLY please',
  ])('rejects %s', (line) => {
    expect(() => parseRecurrence([line], CHICAGO)).toThrow(RecurrenceError);
  });
});
