import { Temporal } from 'temporal-polyfill';
import { errors } from './google-errors.ts';
import type { StoredEvent } from './google-state.ts';
import { expandRecurrence, type Occurrence, parseRecurrence, RecurrenceError } from './recurrence.ts';

type Resource = StoredEvent['resource'];
interface EventTime {
  date?: string;
  dateTime?: string;
  timeZone?: string;
}

/**
 * How far past `now` an unbounded series is expanded. Google documents no horizon; the
 * emulator expands two years ahead (further when a listing's `timeMax` asks for more).
 */
export const RECURRENCE_HORIZON_MS = 730 * 86_400_000;

/** One item of a listing, with the change sequence that decides whether it is in an incremental result. */
export interface ListedEvent {
  resource: Resource;
  seq: number;
}

/**
 * The instant of an event's start or end. A `dateTime` carries its offset; an all-day
 * `date` is midnight of that day in the calendar's zone, as Google places it.
 */
export function instantOf(time: EventTime | undefined, calendarZone: string): number {
  try {
    if (time?.dateTime) return Temporal.Instant.from(time.dateTime).epochMilliseconds;
    if (time?.date)
      return Temporal.PlainDate.from(time.date).toZonedDateTime({ timeZone: calendarZone }).epochMilliseconds;
  } catch {
    // An unreadable time is NaN; insert and patch refuse such events before they are stored.
  }
  return Number.NaN;
}

export function startOf(r: Record<string, unknown>, calendarZone: string): number {
  return instantOf(r.start as EventTime | undefined, calendarZone);
}

export function endOf(r: Record<string, unknown>, calendarZone: string): number {
  return instantOf(r.end as EventTime | undefined, calendarZone);
}

/** A series master: an event with recurrence lines that is not itself an instance. */
export function isMaster(r: Record<string, unknown>): boolean {
  return Array.isArray(r.recurrence) && r.recurrence.length > 0 && r.recurringEventId === undefined;
}

/** Checks an event's `recurrence` as Google does on insert and update; answers 400 for a bad one. */
export function checkRecurrence(r: Record<string, unknown>, calendarZone: string): void {
  if (r.recurrence === undefined || r.recurrence === null) return;
  if (!Array.isArray(r.recurrence) || r.recurrence.some((line) => typeof line !== 'string'))
    throw errors.invalid('Invalid recurrence rule.');
  if (r.recurrence.length === 0) return;
  const start = r.start as EventTime;
  // Google refuses a timed recurring event without a zone to expand it in.
  if (start.dateTime && !start.timeZone) throw errors.invalid('Missing time zone definition for start time.');
  try {
    parseRecurrence(r.recurrence as string[], start.timeZone ?? calendarZone);
  } catch (error) {
    if (error instanceof RecurrenceError) throw errors.invalid(error.message);
    throw error;
  }
}

/** The occurrences of a master that start before `horizon` (epoch ms). */
export function occurrencesOf(master: Resource, calendarZone: string, horizon: number): Occurrence[] {
  const start = master.start as EventTime;
  const zone = start.timeZone ?? calendarZone;
  const series = start.dateTime
    ? (() => {
        const zoned = Temporal.Instant.from(start.dateTime).toZonedDateTimeISO(zone);
        return { date: zoned.toPlainDate(), time: zoned.toPlainTime(), timeZone: zone };
      })()
    : { date: Temporal.PlainDate.from(start.date ?? ''), time: undefined, timeZone: calendarZone };
  return expandRecurrence(
    parseRecurrence(master.recurrence as string[], zone),
    series,
    Temporal.Instant.fromEpochMilliseconds(horizon),
  );
}

/** Google's instance id: the master's id and the original start in UTC (`_20261202T160000Z`), or the date. */
export function instanceId(masterId: string, occurrence: Occurrence): string {
  const stamp = occurrence.start
    ? occurrence.start.toInstant().toString({ smallestUnit: 'second' }).replace(/[-:]/g, '')
    : occurrence.date.toString().replace(/-/g, '');
  return `${masterId}_${stamp}`;
}

/** An instance of `master` as Google lists it with `singleEvents=true`: no `recurrence`, its own times. */
export function instanceResource(master: Resource, occurrence: Occurrence, masterSeq: number): Resource {
  const { recurrence: _recurrence, ...rest } = master;
  const start = master.start as EventTime;
  const end = master.end as EventTime;
  const id = instanceId(master.id, occurrence);
  let times: { start: EventTime; end: EventTime; originalStartTime: EventTime };
  if (occurrence.start) {
    const length = Temporal.Instant.from(end.dateTime ?? '').since(
      Temporal.Instant.from(start.dateTime ?? ''),
    );
    const zone = occurrence.start.timeZoneId;
    const at = (z: Temporal.ZonedDateTime) => ({
      dateTime: z.toString({ timeZoneName: 'never', smallestUnit: 'second' }),
      timeZone: zone,
    });
    times = {
      start: at(occurrence.start),
      end: at(occurrence.start.add(length)),
      originalStartTime: at(occurrence.start),
    };
  } else {
    const days = Temporal.PlainDate.from(start.date ?? '').until(
      Temporal.PlainDate.from(end.date ?? ''),
    ).days;
    const date = occurrence.date.toString();
    times = {
      start: { date },
      end: { date: occurrence.date.add({ days }).toString() },
      originalStartTime: { date },
    };
  }
  return {
    ...rest,
    id,
    etag: `"${masterSeq}${id.slice(master.id.length + 1).replace(/\D/g, '')}"`,
    recurringEventId: master.id,
    ...times,
  };
}

/** The occurrence an instance id names, if `master` has it (and it is not an EXDATE). */
export function occurrenceFor(
  master: Resource,
  id: string,
  calendarZone: string,
  now: number,
): Occurrence | undefined {
  if (!id.startsWith(`${master.id}_`) || !isMaster(master)) return undefined;
  const stamp = id.slice(master.id.length + 1);
  const match = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})Z)?$/.exec(stamp);
  if (!match) return undefined;
  const [, y, mo, d, h = '00', mi = '00', s = '00'] = match;
  const named = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${s}Z`);
  if (Number.isNaN(named)) return undefined;
  // Expand far enough to reach the named start, whatever the horizon.
  const horizon = Math.max(now + RECURRENCE_HORIZON_MS, named + 2 * 86_400_000);
  return occurrencesOf(master, calendarZone, horizon).find((o) => instanceId(master.id, o) === id);
}

/** The master an instance id points at, if any. */
export function masterOf(events: Map<string, StoredEvent>, id: string): StoredEvent | undefined {
  const underscore = id.lastIndexOf('_');
  if (underscore < 1) return undefined;
  const master = events.get(id.slice(0, underscore));
  return master && isMaster(master.resource) ? master : undefined;
}

/** The instance ids a master produces up to the horizon, for finding what a change to it removed. */
export function instanceIds(master: Resource, calendarZone: string, horizon: number): Set<string> {
  if (!isMaster(master) || master.status === 'cancelled') return new Set();
  return new Set(occurrencesOf(master, calendarZone, horizon).map((o) => instanceId(master.id, o)));
}

/**
 * The calendar as `singleEvents=true` sees it: single events, stored exceptions, and every
 * generated instance of each master. An instance changes whenever its master does (it
 * carries the master's sequence); a cancelled master's instances are all cancelled.
 * Tombstones a master change left are included; listings hide them unless they show deletions.
 */
export function singleEventsView(
  events: Map<string, StoredEvent> | undefined,
  calendarZone: string,
  horizon: number,
): ListedEvent[] {
  const listed: ListedEvent[] = [];
  for (const stored of events?.values() ?? []) {
    const r = stored.resource;
    if (!isMaster(r)) {
      listed.push({ resource: r, seq: stored.seq });
      continue;
    }
    for (const occurrence of occurrencesOf(r, calendarZone, horizon)) {
      const instance = instanceResource(r, occurrence, stored.seq);
      // A stored exception (moved or cancelled instance) replaces the generated one.
      if (events?.has(instance.id)) continue;
      listed.push({ resource: instance, seq: stored.seq });
    }
  }
  return listed;
}

/** When a series overlaps a window: from its first start to its last end, or forever if unbounded. */
export function seriesSpan(master: Resource, calendarZone: string, horizon: number): [number, number] {
  const rules = (master.recurrence as string[]).filter((line) => line.toUpperCase().startsWith('RRULE'));
  const unbounded = rules.some((line) => !/;?(COUNT|UNTIL)=/i.test(line));
  const occurrences = occurrencesOf(master, calendarZone, horizon);
  const first = occurrences[0];
  const last = occurrences[occurrences.length - 1];
  if (!first || !last) return [Number.NaN, Number.NaN];
  const firstStart = startOf(instanceResource(master, first, 0), calendarZone);
  const lastEnd = endOf(instanceResource(master, last, 0), calendarZone);
  return [firstStart, unbounded ? Number.POSITIVE_INFINITY : lastEnd];
}
