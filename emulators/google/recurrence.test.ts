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

  it('picks by position within each period with BYSETPOS (the RFC 5545 examples)', () => {
    const ny = { zone: 'America/New_York' };
    const weekdays = 'BYDAY=MO,TU,WE,TH,FR';
    // The last work day of the month.
    expect(
      dates(expand([`RRULE:FREQ=MONTHLY;${weekdays};BYSETPOS=-1;COUNT=7`], '1997-09-29T09:00', ny)),
    ).toEqual([
      '1997-09-30',
      '1997-10-31',
      '1997-11-28',
      '1997-12-31',
      '1998-01-30',
      '1998-02-27',
      '1998-03-31',
    ]);
    // The second-to-last weekday of the month.
    expect(
      dates(expand([`RRULE:FREQ=MONTHLY;${weekdays};BYSETPOS=-2;COUNT=7`], '1997-09-29T09:00', ny)),
    ).toEqual([
      '1997-09-29',
      '1997-10-30',
      '1997-11-27',
      '1997-12-30',
      '1998-01-29',
      '1998-02-26',
      '1998-03-30',
    ]);
    // The third Tuesday, Wednesday or Thursday of the month.
    expect(
      dates(expand(['RRULE:FREQ=MONTHLY;COUNT=3;BYDAY=TU,WE,TH;BYSETPOS=3'], '1997-09-04T09:00', ny)),
    ).toEqual(['1997-09-04', '1997-10-07', '1997-11-06']);
    // The first and last Monday or Wednesday of each week-long period, positions in date order.
    expect(
      dates(expand(['RRULE:FREQ=WEEKLY;BYDAY=WE,MO;BYSETPOS=-1,1;COUNT=4'], '2026-11-30T10:00')),
    ).toEqual(['2026-11-30', '2026-12-02', '2026-12-07', '2026-12-09']);
  });

  it('names days of the year with BYYEARDAY and weeks with BYWEEKNO (the RFC 5545 examples)', () => {
    const ny = { zone: 'America/New_York' };
    expect(
      dates(expand(['RRULE:FREQ=YEARLY;INTERVAL=3;COUNT=10;BYYEARDAY=1,100,200'], '1997-01-01T09:00', ny)),
    ).toEqual([
      '1997-01-01',
      '1997-04-10',
      '1997-07-19',
      '2000-01-01',
      '2000-04-09',
      '2000-07-18',
      '2003-01-01',
      '2003-04-10',
      '2003-07-19',
      '2006-01-01',
    ]);
    expect(dates(expand(['RRULE:FREQ=YEARLY;BYWEEKNO=20;BYDAY=MO;COUNT=3'], '1997-05-12T09:00', ny))).toEqual(
      ['1997-05-12', '1998-05-11', '1999-05-17'],
    );
    // The last day of every year, and the Monday of every year's last ISO week (2026 has 53).
    expect(dates(expand(['RRULE:FREQ=YEARLY;BYYEARDAY=-1;COUNT=2'], '2028-01-01'))).toEqual([
      '2028-12-31',
      '2029-12-31',
    ]);
    expect(dates(expand(['RRULE:FREQ=YEARLY;BYWEEKNO=-1;BYDAY=MO;COUNT=3'], '2026-01-01T09:00'))).toEqual([
      '2026-12-28',
      '2027-12-27',
      '2028-12-25',
    ]);
  });

  it('numbers weeks as ISO 8601 does when weeks start on Monday, and by WKST otherwise', () => {
    // Every Monday to Sunday of week 1 in 2020-2030: the days ISO calls week 1.
    const days = dates(
      expand(['RRULE:FREQ=YEARLY;BYWEEKNO=1;BYDAY=MO,TU,WE,TH,FR,SA,SU'], '2020-01-01', {
        until: '2031-01-01T00:00:00Z',
      }),
    );
    const iso: string[] = [];
    for (let d = Temporal.PlainDate.from('2020-01-01'); d.year < 2031; d = d.add({ days: 1 })) {
      if (d.weekOfYear === 1) iso.push(d.toString());
    }
    // Days of late December 2030 in ISO week 1 of 2031 belong to the 2030 period too.
    expect(days).toEqual(iso);
    // 2027 starts on a Friday. Monday weeks: Mon 28 Dec-Sun 3 Jan has only 3 days in 2027,
    // so week 1 is 4-10 January. Sunday weeks: Sun 27 Dec-Sat 2 Jan has 2, so it is 3-9.
    expect(dates(expand(['RRULE:FREQ=YEARLY;BYWEEKNO=1;BYDAY=SU;COUNT=1'], '2027-01-01'))).toEqual([
      '2027-01-10',
    ]);
    expect(dates(expand(['RRULE:FREQ=YEARLY;BYWEEKNO=1;BYDAY=SU;WKST=SU;COUNT=1'], '2027-01-01'))).toEqual([
      '2027-01-03',
    ]);
    expect(dates(expand(['RRULE:FREQ=YEARLY;BYWEEKNO=1;BYDAY=SA;WKST=SU;COUNT=1'], '2027-01-01'))).toEqual([
      '2027-01-09',
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
    'RRULE:FREQ=MONTHLY;BYDAY=MO;BYSETPOS=0',
    'RRULE:FREQ=MONTHLY;BYWEEKNO=20',
    'RRULE:FREQ=YEARLY;BYWEEKNO=54',
    'RRULE:FREQ=YEARLY;BYWEEKNO=20;BYDAY=1MO',
    'RRULE:FREQ=MONTHLY;BYYEARDAY=100',
    'RRULE:FREQ=YEARLY;BYYEARDAY=367',
    'EXDATE;TZID=Mars/Olympus:20261201T100000',
    'EXDATE;VALUE=DATE:20261201T100000',
    'WEEKLY please',
  ])('rejects %s', (line) => {
    expect(() => parseRecurrence([line], CHICAGO)).toThrow(RecurrenceError);
  });
});
