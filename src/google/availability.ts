import { type Interval, mergeIntervals, subtractIntervals } from '../planner/intervals.ts';
import type { PlannerPreferences } from '../planner/preferences.ts';
import { studyWindowIntervals } from '../planner/study-windows.ts';
import type { BusyMap } from './busy-map.ts';

export interface Availability {
  timeZone: string;
  busy: Array<{ start: string; end: string }>;
  unknown: Array<{ start: string; end: string; calendarIds: string[]; reason: string }>;
  /** Free time inside the user's study windows, at least `minMinutes` long. */
  free: Array<{ start: string; end: string; minutes: number }>;
}

/** Free = study windows − busy − unknown (unknown is never free), in UTC with `Z`. */
export function availabilityFrom(
  map: BusyMap,
  prefs: Pick<PlannerPreferences, 'timeZone' | 'studyWindows'>,
  from: Date,
  to: Date,
  minMinutes: number,
): Availability {
  const blocked = mergeIntervals(
    [...map.busy, ...map.unknown].map((r): Interval => ({ start: r.start.getTime(), end: r.end.getTime() })),
  );
  const free = subtractIntervals(studyWindowIntervals(prefs, from.getTime(), to.getTime()), blocked)
    .map((i) => ({
      start: new Date(i.start).toISOString(),
      end: new Date(i.end).toISOString(),
      minutes: Math.floor((i.end - i.start) / 60_000),
    }))
    .filter((i) => i.minutes >= minMinutes);
  return {
    timeZone: prefs.timeZone,
    busy: map.busy.map((r) => ({ start: r.start.toISOString(), end: r.end.toISOString() })),
    unknown: map.unknown.map((u) => ({
      start: u.start.toISOString(),
      end: u.end.toISOString(),
      calendarIds: u.calendarIds,
      reason: u.reason,
    })),
    free,
  };
}
