import { Temporal } from 'temporal-polyfill';
import type { GoogleState } from '../../emulators/google/google-state.ts';

/** A busy span in epoch milliseconds, [start, end). */
export type Span = [number, number];

interface Time {
  date?: string;
  dateTime?: string;
  timeZone?: string;
}

interface Attendee {
  email?: string;
  self?: boolean;
  responseStatus?: string;
}

/**
 * The busy time of `calendarIds` as `email` should see it (calendars in their list only), read straight from the emulator's
 * stored events with deliberately simple code of our own: it understands only what the
 * property test writes (single events, all-day events, weekly series with COUNT or UNTIL and
 * EXDATEs) and throws on anything else, so a generator change cannot go unnoticed.
 */
export function expectedBusy(
  state: GoogleState,
  email: string,
  calendarIds: readonly string[],
  from: number,
  to: number,
): Span[] {
  const spans: Span[] = [];
  for (const id of calendarIds) {
    const calendar = state.calendars.get(id);
    if (!calendar || calendar.deleted || !state.calendarLists.get(email)?.has(id)) continue;
    for (const { resource } of state.events.get(id)?.values() ?? []) {
      if (resource.status === 'cancelled' || resource.transparency === 'transparent') continue;
      // Free/busy is the calendar's own person's: what they declined is free, whoever asks.
      // A stored `self` attendee is that person (events are stored as their calendar's user sees them).
      const attendees = (resource.attendees ?? []) as Attendee[];
      const isOwner = (a: Attendee) => a.self === true || a.email === calendar.owner || a.email === id;
      if (attendees.some((a) => isOwner(a) && a.responseStatus === 'declined')) continue;
      const start = resource.start as Time;
      const end = resource.end as Time;
      const recurrence = resource.recurrence as string[] | undefined;
      if (recurrence) spans.push(...weeklySpans(start, end, recurrence, to));
      else spans.push([instant(start, calendar.timeZone), instant(end, calendar.timeZone)]);
    }
  }
  return merge(spans.map(([s, e]): Span => [Math.max(s, from), Math.min(e, to)]).filter(([s, e]) => e > s));
}

/** Sorts spans and joins the ones that overlap or touch. */
export function merge(spans: readonly Span[]): Span[] {
  const out: Span[] = [];
  for (const [s, e] of [...spans].sort((a, b) => a[0] - b[0])) {
    const last = out[out.length - 1];
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else out.push([s, e]);
  }
  return out;
}

function instant(time: Time, calendarZone: string): number {
  if (time.dateTime) return Temporal.Instant.from(time.dateTime).epochMilliseconds;
  if (time.date) return Temporal.PlainDate.from(time.date).toZonedDateTime(calendarZone).epochMilliseconds;
  throw new Error('an event time with neither date nor dateTime');
}

/** Every occurrence of a weekly series that starts before `before`: the same local time each week. */
function weeklySpans(start: Time, end: Time, lines: string[], before: number): Span[] {
  const zone = start.timeZone;
  if (!start.dateTime || !end.dateTime || !zone) throw new Error('only timed series are generated');
  const first = Temporal.Instant.from(start.dateTime).toZonedDateTimeISO(zone).toPlainDateTime();
  const length = Temporal.Instant.from(end.dateTime).epochMilliseconds - instant(start, zone);
  let count = Number.POSITIVE_INFINITY;
  let until = Number.POSITIVE_INFINITY;
  const skipped = new Set<number>();
  for (const line of lines) {
    const [name, value = ''] = line.split(':', 2);
    if (name === 'RRULE') {
      for (const part of value.split(';')) {
        const [key, v = ''] = part.split('=');
        if (key === 'FREQ' && v === 'WEEKLY') continue;
        if (key === 'COUNT') count = Number(v);
        else if (key === 'UNTIL') until = basicUtc(v);
        else throw new Error(`unexpected rule part ${part}`);
      }
    } else if (name === `EXDATE;TZID=${zone}`) {
      for (const local of value.split(','))
        skipped.add(basicLocal(local).toZonedDateTime(zone).epochMilliseconds);
    } else {
      throw new Error(`unexpected recurrence line ${line}`);
    }
  }
  const spans: Span[] = [];
  for (let week = 0; week < count; week++) {
    const at = first.add({ weeks: week }).toZonedDateTime(zone).epochMilliseconds;
    if (at > until || at >= before) break;
    if (!skipped.has(at)) spans.push([at, at + length]);
  }
  return spans;
}

/** 20261207T090000Z */
function basicUtc(text: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (!m) throw new Error(`unexpected UNTIL ${text}`);
  return Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`);
}

/** 20261207T090000 (local) */
function basicLocal(text: string): Temporal.PlainDateTime {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})$/.exec(text);
  if (!m) throw new Error(`unexpected EXDATE ${text}`);
  return Temporal.PlainDateTime.from(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}`);
}
