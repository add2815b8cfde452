import { Temporal } from 'temporal-polyfill';
import { type Interval, mergeIntervals } from './intervals.ts';
import { minutesOfDay, type PlannerPreferences, WEEKDAYS } from './preferences.ts';

/** One local calendar date of the horizon and the slots that fall in its study windows. */
export interface StudyDay {
  /** Local date, YYYY-MM-DD. */
  readonly date: string;
  readonly firstSlot: number;
  /** One past the last slot. */
  readonly endSlot: number;
}

/**
 * The study windows of the horizon cut into slots of `slotMs`. Slots are sorted by time;
 * each window's slots start at the window's local start, so a 19:00 window yields a
 * 19:00 slot on both sides of a DST change. Instants are epoch ms.
 */
export interface SlotGrid {
  readonly timeZone: string;
  readonly slotMs: number;
  readonly count: number;
  readonly start: Float64Array;
  readonly day: Int32Array;
  readonly days: readonly StudyDay[];
  readonly dayIndexByDate: ReadonlyMap<string, number>;
}

/** Local wall-clock minute on a date as an instant; Temporal resolves gaps and folds ("compatible"). */
function localInstant(date: Temporal.PlainDate, minute: number, timeZone: string): number {
  if (minute >= 1440) return date.add({ days: 1 }).toZonedDateTime({ timeZone }).epochMilliseconds;
  const time = new Temporal.PlainTime(Math.floor(minute / 60), minute % 60);
  return date.toZonedDateTime({ timeZone, plainTime: time }).epochMilliseconds;
}

/** Slots inside the study windows between `fromMs` and `toMs` (whole slots only). */
export function buildSlotGrid(prefs: PlannerPreferences, fromMs: number, toMs: number): SlotGrid {
  const timeZone = prefs.timeZone;
  const slotMs = prefs.slotMinutes * 60_000;
  const zone = (ms: number) => Temporal.Instant.fromEpochMilliseconds(ms).toZonedDateTimeISO(timeZone);
  const lastDate = zone(toMs).toPlainDate();
  const starts: number[] = [];
  const dayOf: number[] = [];
  const days: StudyDay[] = [];
  const dayIndexByDate = new Map<string, number>();
  for (
    let date = zone(fromMs).toPlainDate();
    Temporal.PlainDate.compare(date, lastDate) <= 0;
    date = date.add({ days: 1 })
  ) {
    const weekday = WEEKDAYS[date.dayOfWeek - 1] ?? 'mon';
    // Windows are merged in local minutes so overlapping entries cannot double a slot.
    const windows = mergeIntervals(
      prefs.studyWindows[weekday].map((w) => ({ start: minutesOfDay(w.start), end: minutesOfDay(w.end) })),
    );
    const dayIndex = days.length;
    const firstSlot = starts.length;
    for (const w of windows) {
      const windowStart = localInstant(date, w.start, timeZone);
      const windowEnd = localInstant(date, w.end, timeZone);
      for (let s = windowStart; s + slotMs <= windowEnd; s += slotMs) {
        if (s < fromMs || s + slotMs > toMs) continue;
        if (starts.length > 0 && s < (starts[starts.length - 1] ?? 0) + slotMs) continue;
        starts.push(s);
        dayOf.push(dayIndex);
      }
    }
    const key = date.toString();
    dayIndexByDate.set(key, dayIndex);
    days.push({ date: key, firstSlot, endSlot: starts.length });
  }
  return {
    timeZone,
    slotMs,
    count: starts.length,
    start: Float64Array.from(starts),
    day: Int32Array.from(dayOf),
    days,
    dayIndexByDate,
  };
}

/** The local date (YYYY-MM-DD) of an instant in the grid's zone. */
export function localDateOf(grid: SlotGrid, ms: number): string {
  return Temporal.Instant.fromEpochMilliseconds(ms)
    .toZonedDateTimeISO(grid.timeZone)
    .toPlainDate()
    .toString();
}

/** Index of the first slot starting at or after `ms` (count when none). */
export function firstSlotFrom(grid: SlotGrid, ms: number): number {
  let lo = 0;
  let hi = grid.count;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((grid.start[mid] ?? 0) < ms) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of the last slot ending at or before `ms` (-1 when none). */
export function lastSlotBy(grid: SlotGrid, ms: number): number {
  return firstSlotFrom(grid, ms - grid.slotMs + 1) - 1;
}

/** True when slot k+1 starts exactly where slot k ends, on the same local day. */
export function continues(grid: SlotGrid, k: number): boolean {
  return (
    k + 1 < grid.count &&
    grid.day[k] === grid.day[k + 1] &&
    (grid.start[k + 1] ?? 0) === (grid.start[k] ?? 0) + grid.slotMs
  );
}

/** 1 for each slot that overlaps none of `blocked` (sorted, merged), else 0. */
export function freeMask(grid: SlotGrid, blocked: readonly Interval[]): Uint8Array {
  const free = new Uint8Array(grid.count).fill(1);
  let b = 0;
  for (let k = 0; k < grid.count; k += 1) {
    const s = grid.start[k] ?? 0;
    const e = s + grid.slotMs;
    while (b < blocked.length && (blocked[b]?.end ?? 0) <= s) b += 1;
    const block = blocked[b];
    if (block !== undefined && block.start < e) free[k] = 0;
  }
  return free;
}
