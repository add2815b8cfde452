import type { CalendarApi } from './calendar-api.ts';
import { planFreeBusyQueries } from './freebusy-plan.ts';

export interface TimeRange {
  start: Date;
  end: Date;
}

export interface BusyMap {
  /** Merged, sorted, non-overlapping busy time across every counted calendar. */
  busy: TimeRange[];
  /** Time we could not read for some calendar: the planner treats it as busy. */
  unknown: Array<TimeRange & { calendarIds: string[]; reason: string }>;
  /** Google requests made. */
  queries: number;
}

/**
 * One busy map from free/busy over every counted calendar, in the fewest queries Google
 * accepts. A calendar that answers with an error (notFound, tooManyCalendarsRequested, …)
 * is unknown for that window, never free.
 */
export async function getBusyMap(
  api: Pick<CalendarApi, 'freeBusy'>,
  calendarIds: readonly string[],
  from: Date,
  to: Date,
): Promise<BusyMap> {
  const queries = planFreeBusyQueries(calendarIds, from, to);
  const busy: TimeRange[] = [];
  const unknown: BusyMap['unknown'] = [];
  for (const query of queries) {
    const answer = await api.freeBusy(query);
    const failed = new Map<string, string[]>();
    for (const calendarId of query.calendarIds) {
      const entry = answer.calendars[calendarId];
      const reason = !entry ? 'missing' : entry.errors[0]?.reason;
      if (reason) {
        failed.set(reason, [...(failed.get(reason) ?? []), calendarId]);
        continue;
      }
      for (const interval of entry?.busy ?? []) {
        const start = new Date(interval.start);
        const end = new Date(interval.end);
        if (end > start) busy.push({ start, end });
      }
    }
    for (const [reason, ids] of failed)
      unknown.push({ start: query.timeMin, end: query.timeMax, calendarIds: ids, reason });
  }
  return { busy: mergeRanges(busy), unknown, queries: queries.length };
}

/** Sorts and merges overlapping or touching ranges. */
export function mergeRanges(ranges: readonly TimeRange[]): TimeRange[] {
  const sorted = [...ranges].sort(
    (a, b) => a.start.getTime() - b.start.getTime() || a.end.getTime() - b.end.getTime(),
  );
  const merged: TimeRange[] = [];
  for (const range of sorted) {
    const last = merged[merged.length - 1];
    if (last && range.start.getTime() <= last.end.getTime()) {
      if (range.end > last.end) last.end = range.end;
    } else {
      merged.push({ start: range.start, end: range.end });
    }
  }
  return merged;
}
