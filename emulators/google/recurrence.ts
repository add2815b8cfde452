import { Temporal } from 'temporal-polyfill';

/** A recurrence line the emulator cannot read; the API answers it as 400 `invalid`. */
export class RecurrenceError extends Error {}

// Google's message for any recurrence it refuses; it says no more than this about which part.
const invalid = () => new RecurrenceError('Invalid recurrence rule.');

type Freq = 'DAILY' | 'WEEKLY' | 'MONTHLY' | 'YEARLY';
// Index + 1 is Temporal's dayOfWeek (Monday = 1).
const WEEKDAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'];
const SUPPORTED_PARTS = new Set([
  'FREQ',
  'INTERVAL',
  'COUNT',
  'UNTIL',
  'BYDAY',
  'BYMONTHDAY',
  'BYMONTH',
  'BYYEARDAY',
  'BYWEEKNO',
  'BYSETPOS',
  'WKST',
]);

/** A moment named by EXDATE, RDATE or UNTIL: a whole day, or an exact instant. */
export type DateRef = { date: Temporal.PlainDate } | { instant: Temporal.Instant };

export interface RecurrenceRule {
  freq: Freq;
  interval: number;
  count: number | undefined;
  until: DateRef | undefined;
  byDay: Array<{ weekday: number; ordinal: number | undefined }>;
  byMonthDay: number[];
  byMonth: number[];
  byYearDay: number[];
  byWeekNo: number[];
  /** Positions within each period's set of matching days (1 first, -1 last). */
  bySetPos: number[];
  wkst: number;
}

export interface Recurrence {
  rules: RecurrenceRule[];
  exdates: DateRef[];
  rdates: DateRef[];
}

/** Where a series starts: a local date and, for a timed event, a local time in `timeZone`. */
export interface SeriesStart {
  date: Temporal.PlainDate;
  time: Temporal.PlainTime | undefined;
  timeZone: string;
}

/** One occurrence: its local date, and for a timed series the zoned start. */
export interface Occurrence {
  date: Temporal.PlainDate;
  start: Temporal.ZonedDateTime | undefined;
}

/**
 * Parses an event's `recurrence` lines (RRULE, EXDATE, RDATE). Floating times are read in
 * `timeZone`, the event's start zone. Throws RecurrenceError on anything it cannot honour.
 */
export function parseRecurrence(lines: readonly string[], timeZone: string): Recurrence {
  const recurrence: Recurrence = { rules: [], exdates: [], rdates: [] };
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon < 0) throw invalid();
    const [rawName = '', ...params] = line.slice(0, colon).split(';');
    const name = rawName.toUpperCase();
    const value = line.slice(colon + 1);
    if (name === 'RRULE') recurrence.rules.push(parseRule(value, timeZone));
    else if (name === 'EXDATE' || name === 'RDATE') {
      const refs = parseDateList(params, value, timeZone);
      (name === 'EXDATE' ? recurrence.exdates : recurrence.rdates).push(...refs);
    } else throw invalid();
  }
  return recurrence;
}

function parseRule(text: string, timeZone: string): RecurrenceRule {
  const parts = new Map<string, string>();
  for (const pair of text.split(';')) {
    const [key = '', value] = pair.split('=');
    if (!value || !SUPPORTED_PARTS.has(key.toUpperCase())) throw invalid();
    parts.set(key.toUpperCase(), value.toUpperCase());
  }
  const freq = parts.get('FREQ');
  if (freq !== 'DAILY' && freq !== 'WEEKLY' && freq !== 'MONTHLY' && freq !== 'YEARLY') throw invalid();
  const positive = (key: string) => {
    const raw = parts.get(key);
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1) throw invalid();
    return n;
  };
  const count = positive('COUNT');
  const untilText = parts.get('UNTIL');
  // RFC 5545: COUNT and UNTIL must not occur together.
  if (count !== undefined && untilText !== undefined) throw invalid();
  const byDay = list(parts.get('BYDAY')).map((item) => {
    const match = /^([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$/.exec(item);
    if (!match) throw invalid();
    const ordinal = match[1] === undefined ? undefined : Number(match[1]);
    // An ordinal (1MO, -1FR) only means something within a month or a year.
    if (
      ordinal !== undefined &&
      (ordinal === 0 || Math.abs(ordinal) > 53 || freq === 'DAILY' || freq === 'WEEKLY')
    )
      throw invalid();
    return { weekday: WEEKDAYS.indexOf(match[2] ?? '') + 1, ordinal };
  });
  const signed = (key: string, limit: number) =>
    list(parts.get(key)).map((item) => {
      const n = Number(item);
      if (!Number.isInteger(n) || n === 0 || Math.abs(n) > limit) throw invalid();
      return n;
    });
  const byMonthDay = signed('BYMONTHDAY', 31);
  const byYearDay = signed('BYYEARDAY', 366);
  const byWeekNo = signed('BYWEEKNO', 53);
  const bySetPos = signed('BYSETPOS', 366);
  // RFC 5545: week numbers only name weeks of a year, year days are not narrowed below a
  // year, a numbered BYDAY means nothing inside a numbered week, and BYSETPOS picks from
  // what the other BYxxx parts produced, so it needs one.
  if (byWeekNo.length > 0 && (freq !== 'YEARLY' || byDay.some((b) => b.ordinal !== undefined)))
    throw invalid();
  if (byYearDay.length > 0 && freq !== 'YEARLY') throw invalid();
  const byMonth = list(parts.get('BYMONTH')).map((item) => {
    const n = Number(item);
    if (!Number.isInteger(n) || n < 1 || n > 12) throw invalid();
    return n;
  });
  const narrowed = byDay.length + byMonthDay.length + byMonth.length + byYearDay.length + byWeekNo.length;
  if (bySetPos.length > 0 && narrowed === 0) throw invalid();
  const wkstText = parts.get('WKST') ?? 'MO';
  if (!WEEKDAYS.includes(wkstText)) throw invalid();
  return {
    freq,
    interval: positive('INTERVAL') ?? 1,
    count,
    until: untilText === undefined ? undefined : parseDateValue(untilText, undefined, timeZone),
    byDay,
    byMonthDay,
    byMonth,
    byYearDay,
    byWeekNo,
    bySetPos,
    wkst: WEEKDAYS.indexOf(wkstText) + 1,
  };
}

function list(value: string | undefined): string[] {
  return value === undefined ? [] : value.split(',').filter((item) => item !== '');
}

function parseDateList(params: string[], value: string, timeZone: string): DateRef[] {
  let zone: string | undefined;
  let isDate = false;
  for (const param of params) {
    const [rawKey = '', v = ''] = param.split('=');
    const key = rawKey.toUpperCase();
    if (key === 'TZID') zone = v;
    else if (key === 'VALUE' && v.toUpperCase() === 'DATE') isDate = true;
    else if (key !== 'VALUE' || v.toUpperCase() !== 'DATE-TIME') throw invalid();
  }
  const tzid = zone === undefined ? undefined : knownZone(zone);
  return list(value).map((item) => {
    const ref = parseDateValue(item.toUpperCase(), tzid, timeZone);
    if (isDate !== 'date' in ref) throw invalid();
    return ref;
  });
}

function knownZone(zone: string): string {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return zone;
  } catch {
    throw invalid();
  }
}

/** `20261209`, `20261209T100000Z`, or a local `20261209T100000` read in `zone` (else the event's zone). */
function parseDateValue(text: string, zone: string | undefined, eventZone: string): DateRef {
  const match = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})(Z)?)?$/.exec(text);
  if (!match) throw invalid();
  const [, y, mo, d, h, mi, s, z] = match;
  try {
    const date = Temporal.PlainDate.from(
      { year: Number(y), month: Number(mo), day: Number(d) },
      { overflow: 'reject' },
    );
    if (h === undefined) return { date };
    const time = Temporal.PlainTime.from(
      { hour: Number(h), minute: Number(mi), second: Number(s) },
      { overflow: 'reject' },
    );
    const local = date.toPlainDateTime(time);
    if (z) return { instant: local.toZonedDateTime('UTC').toInstant() };
    return { instant: local.toZonedDateTime(zone ?? eventZone).toInstant() };
  } catch {
    throw invalid();
  }
}

/**
 * Every occurrence of the series, in order, that starts before `horizon`: RRULE dates
 * (COUNT and UNTIL honoured), plus RDATEs, minus EXDATEs. All arithmetic is on local dates
 * in the start's zone, so a 10:00 series stays at 10:00 across a DST change. The start
 * itself is an occurrence only when the rule produces it (RFC 5545 leaves the other case
 * undefined; the emulator follows the rule).
 */
export function expandRecurrence(
  recurrence: Recurrence,
  start: SeriesStart,
  horizon: Temporal.Instant,
): Occurrence[] {
  const at = (date: Temporal.PlainDate): Occurrence => ({
    date,
    start: start.time ? date.toZonedDateTime({ timeZone: start.timeZone, plainTime: start.time }) : undefined,
  });
  const startsAt = (o: Occurrence) =>
    (o.start ?? o.date.toZonedDateTime({ timeZone: start.timeZone })).toInstant();
  const byDate = new Map<string, Occurrence>();
  for (const rule of recurrence.rules) {
    for (const date of ruleDates(rule, start, horizon, (d) => startsAt(at(d)))) {
      byDate.set(date.toString(), at(date));
    }
  }
  for (const ref of recurrence.rdates) {
    const date = 'date' in ref ? ref.date : ref.instant.toZonedDateTimeISO(start.timeZone).toPlainDate();
    byDate.set(date.toString(), at(date));
  }
  const excluded = (o: Occurrence) =>
    recurrence.exdates.some((ref) =>
      'date' in ref
        ? ref.date.equals(o.date)
        : o.start
          ? o.start.toInstant().equals(ref.instant)
          : ref.instant.toZonedDateTimeISO(start.timeZone).toPlainDate().equals(o.date),
    );
  return [...byDate.values()]
    .filter((o) => !excluded(o) && Temporal.Instant.compare(startsAt(o), horizon) < 0)
    .sort((a, b) => Temporal.PlainDate.compare(a.date, b.date));
}

function ruleDates(
  rule: RecurrenceRule,
  start: SeriesStart,
  horizon: Temporal.Instant,
  instantOf: (date: Temporal.PlainDate) => Temporal.Instant,
): Temporal.PlainDate[] {
  const dates: Temporal.PlainDate[] = [];
  const beyondUntil = (date: Temporal.PlainDate) => {
    if (!rule.until) return false;
    if ('date' in rule.until) return Temporal.PlainDate.compare(date, rule.until.date) > 0;
    if (!start.time)
      return (
        Temporal.PlainDate.compare(
          date,
          rule.until.instant.toZonedDateTimeISO(start.timeZone).toPlainDate(),
        ) > 0
      );
    return Temporal.Instant.compare(instantOf(date), rule.until.instant) > 0;
  };
  for (let period = 0; ; period++) {
    const scope = periodDays(rule, start.date, period);
    const first = scope[0];
    // Periods only move forward: once one starts past the horizon, nothing later can count.
    if (!first || Temporal.Instant.compare(instantOf(first), horizon) >= 0) return dates;
    for (const date of atPositions(
      rule.bySetPos,
      scope.filter((d) => matches(rule, start.date, d)),
    )) {
      if (Temporal.PlainDate.compare(date, start.date) < 0) continue;
      if (beyondUntil(date)) return dates;
      if (Temporal.Instant.compare(instantOf(date), horizon) >= 0) return dates;
      dates.push(date);
      if (rule.count !== undefined && dates.length >= rule.count) return dates;
    }
  }
}

/** BYSETPOS: the days at these positions of one period's matching days, in date order. */
function atPositions(positions: number[], days: Temporal.PlainDate[]): Temporal.PlainDate[] {
  if (positions.length === 0) return days;
  const picked = new Set<number>();
  for (const p of positions) {
    const index = p > 0 ? p - 1 : days.length + p;
    if (index >= 0 && index < days.length) picked.add(index);
  }
  return [...picked].sort((a, b) => a - b).map((i) => days[i] as Temporal.PlainDate);
}

/** The days of the `index`-th period (day, week from WKST, month or year) after the start's. */
function periodDays(rule: RecurrenceRule, start: Temporal.PlainDate, index: number): Temporal.PlainDate[] {
  const step = index * rule.interval;
  switch (rule.freq) {
    case 'DAILY':
      return [start.add({ days: step })];
    case 'WEEKLY': {
      const weekStart = start.subtract({ days: (start.dayOfWeek - rule.wkst + 7) % 7 }).add({ weeks: step });
      return Array.from({ length: 7 }, (_, i) => weekStart.add({ days: i }));
    }
    case 'MONTHLY': {
      const month = start.toPlainYearMonth().add({ months: step });
      return Array.from({ length: month.daysInMonth }, (_, i) => month.toPlainDate({ day: i + 1 }));
    }
    case 'YEARLY': {
      const jan1 = Temporal.PlainDate.from({ year: start.year + step, month: 1, day: 1 });
      return Array.from({ length: jan1.daysInYear }, (_, i) => jan1.add({ days: i }));
    }
  }
}

function matches(rule: RecurrenceRule, start: Temporal.PlainDate, day: Temporal.PlainDate): boolean {
  if (rule.byMonth.length > 0 && !rule.byMonth.includes(day.month)) return false;
  if (
    rule.byMonthDay.length > 0 &&
    !rule.byMonthDay.some((n) => (n > 0 ? day.day === n : day.day === day.daysInMonth + n + 1))
  )
    return false;
  if (
    rule.byYearDay.length > 0 &&
    !rule.byYearDay.some((n) => day.dayOfYear === (n > 0 ? n : day.daysInYear + n + 1))
  )
    return false;
  if (rule.byWeekNo.length > 0) {
    const { week, weeksInYear } = weekNumber(day, rule.wkst);
    if (!rule.byWeekNo.some((n) => week === (n > 0 ? n : weeksInYear + n + 1))) return false;
  }
  if (rule.byDay.length > 0) {
    return rule.byDay.some(
      (b) => b.weekday === day.dayOfWeek && (b.ordinal === undefined || ordinalMatches(rule, day, b.ordinal)),
    );
  }
  // With no BYxxx narrowing the day, the start supplies it.
  if (rule.byMonthDay.length > 0 || rule.byYearDay.length > 0) return true;
  if (rule.byWeekNo.length > 0) return day.dayOfWeek === start.dayOfWeek;
  switch (rule.freq) {
    case 'DAILY':
      return true;
    case 'WEEKLY':
      return day.dayOfWeek === start.dayOfWeek;
    case 'MONTHLY':
      return day.day === start.day;
    case 'YEARLY':
      return day.day === start.day && (rule.byMonth.length > 0 || day.month === start.month);
  }
}

/** Whether `day` is the n-th (or, negative, n-th from last) of its weekday in its month, or year. */
function ordinalMatches(rule: RecurrenceRule, day: Temporal.PlainDate, ordinal: number): boolean {
  const inMonth = rule.freq === 'MONTHLY' || rule.byMonth.length > 0;
  const dayIndex = inMonth ? day.day : day.dayOfYear;
  const length = inMonth ? day.daysInMonth : day.daysInYear;
  return ordinal > 0
    ? Math.ceil(dayIndex / 7) === ordinal
    : Math.ceil((length - dayIndex + 1) / 7) === -ordinal;
}

/**
 * RFC 5545 week numbering with weeks starting on `wkst`: week 1 is the first week with at
 * least four days in the year, so a week belongs to the year of its fourth day. Days at
 * either end of a year can be in the neighbouring year's weeks.
 */
function weekNumber(day: Temporal.PlainDate, wkst: number): { week: number; weeksInYear: number } {
  const fourthDay = (d: Temporal.PlainDate) =>
    d.subtract({ days: (d.dayOfWeek - wkst + 7) % 7 }).add({ days: 3 });
  const anchor = fourthDay(day);
  let last = fourthDay(Temporal.PlainDate.from({ year: anchor.year, month: 12, day: 31 }));
  if (last.year > anchor.year) last = last.subtract({ weeks: 1 });
  const index = (d: Temporal.PlainDate) => Math.floor((d.dayOfYear - 1) / 7) + 1;
  return { week: index(anchor), weeksInYear: index(last) };
}
