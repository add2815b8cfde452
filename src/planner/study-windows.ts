import { Temporal } from 'temporal-polyfill';
import type { Interval } from './intervals.ts';
import { minutesOfDay, type PlannerPreferences, WEEKDAYS } from './preferences.ts';

/**
 * The user's study windows between two instants, as UTC intervals. Each window is wall-clock
 * time on its local date in the user's zone, so 19:00 stays 19:00 across a DST change.
 */
export function studyWindowIntervals(
  prefs: Pick<PlannerPreferences, 'timeZone' | 'studyWindows'>,
  fromMs: number,
  toMs: number,
): Interval[] {
  const out: Interval[] = [];
  const zone = prefs.timeZone;
  let day = Temporal.Instant.fromEpochMilliseconds(fromMs)
    .toZonedDateTimeISO(zone)
    .toPlainDate()
    .subtract({ days: 1 });
  const last = Temporal.Instant.fromEpochMilliseconds(toMs).toZonedDateTimeISO(zone).toPlainDate();
  for (; Temporal.PlainDate.compare(day, last) <= 0; day = day.add({ days: 1 })) {
    const weekday = WEEKDAYS[day.dayOfWeek - 1];
    if (!weekday) continue;
    const midnight = day.toZonedDateTime({ timeZone: zone });
    for (const window of prefs.studyWindows[weekday]) {
      const at = (minutes: number) =>
        minutes >= 1440
          ? day.add({ days: 1 }).toZonedDateTime({ timeZone: zone }).epochMilliseconds
          : midnight.with({ hour: Math.floor(minutes / 60), minute: minutes % 60 }).epochMilliseconds;
      const start = Math.max(at(minutesOfDay(window.start)), fromMs);
      const end = Math.min(at(minutesOfDay(window.end)), toMs);
      if (end > start) out.push({ start, end });
    }
  }
  return out.sort((a, b) => a.start - b.start);
}
