/** Google's documented limits for one freebusy.query. */
export const FREEBUSY_MAX_CALENDARS = 50;
// Google rejects longer ranges ("timeRangeEmpty"/400); cal.com measured the limit at 90 days.
export const FREEBUSY_MAX_RANGE_MS = 90 * 24 * 3600_000;

export interface FreeBusyQuery {
  timeMin: Date;
  timeMax: Date;
  calendarIds: string[];
}

/**
 * Splits one logical question ("when is this user busy between from and to across these
 * calendars?") into the fewest queries Google accepts: calendars in groups of at most 50,
 * time in windows of at most 90 days. Deterministic order: by window, then by group.
 */
export function planFreeBusyQueries(calendarIds: readonly string[], from: Date, to: Date): FreeBusyQuery[] {
  if (to.getTime() <= from.getTime()) return [];
  const unique = [...new Set(calendarIds)];
  const groups: string[][] = [];
  for (let i = 0; i < unique.length; i += FREEBUSY_MAX_CALENDARS)
    groups.push(unique.slice(i, i + FREEBUSY_MAX_CALENDARS));
  const queries: FreeBusyQuery[] = [];
  for (let start = from.getTime(); start < to.getTime(); start += FREEBUSY_MAX_RANGE_MS) {
    const end = Math.min(start + FREEBUSY_MAX_RANGE_MS, to.getTime());
    for (const group of groups)
      queries.push({ timeMin: new Date(start), timeMax: new Date(end), calendarIds: group });
  }
  return queries;
}
