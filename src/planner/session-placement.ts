import { continues, firstSlotFrom, type SlotGrid } from './slot-grid.ts';
import { spacingTargets } from './spacing.ts';

/** What one deadline may use: `allowed` slots and `dayBudget` slots per day (both consumed). */
export interface PlacementRoom {
  readonly grid: SlotGrid;
  readonly allowed: Uint8Array;
  readonly dayBudget: Int32Array;
  /** Slots already planned per day, for evening out the load. */
  readonly dayLoad: Int32Array;
  readonly minSlots: number;
  readonly maxSlots: number;
  /** Slot indices outside [lo, hi] are never allowed; lets the search skip them. */
  readonly lo: number;
  readonly hi: number;
}

export interface SlotRun {
  readonly first: number;
  readonly length: number;
}

const HOUR = 3_600_000;
// Score weights, in hours of distance from a session's spacing target.
/** A second session on a day this deadline already uses costs as much as being 1.5 days off target. */
const SAME_DAY_PENALTY = 36;
/** Each planned hour already on a day costs as much as 4 hours off target: evens the load. */
const LOAD_PENALTY_PER_HOUR = 4;
/**
 * Back to back with a session of the same deadline is a last resort: together they
 * would read as one block longer than the maximum session.
 */
const BACK_TO_BACK_PENALTY = 1000;

function splitEvenly(total: number, count: number): number[] {
  const base = Math.floor(total / count);
  const extra = total % count;
  return Array.from({ length: count }, (_, k) => base + (k < extra ? 1 : 0));
}

/**
 * Places `units` slots for one deadline as sessions of [minSlots, maxSlots] slots,
 * each as close as it can get to its spacing target, on days the deadline does not use
 * yet, on lightly loaded days. Stops early only when no run of `minSlots` allowed slots
 * with day budget remains: with minSlots = 1 that cannot happen while the room holds
 * `units` slots, which is how the planner keeps its total equal to the bound.
 */
export function placeSessions(room: PlacementRoom, units: number, fromMs: number, toMs: number): SlotRun[] {
  const runs: SlotRun[] = [];
  if (units < room.minSlots || room.grid.count === 0) return runs;
  // Prefer sessions of about the middle of [min, max]: more, shorter sessions give
  // spacing something to spread (two hours become two one-hour sessions on two days).
  // Never more sessions than days that can hold one, so each can have a day of its own.
  const preferred = (room.minSlots + room.maxSlots) / 2;
  const count = Math.max(
    Math.ceil(units / room.maxSlots),
    Math.min(Math.floor(units / room.minSlots), Math.round(units / preferred), usableDays(room)),
    1,
  );
  let lengths = splitEvenly(units, count);
  const targets = spacingTargets(fromMs, toMs, lengths.length);
  const usedDays = new Set<number>();
  const own = new Set<number>();
  let remaining = units;
  let k = 0;
  while (remaining >= room.minSlots) {
    const want = Math.min(lengths[k] ?? room.maxSlots, remaining);
    const target = targets[Math.min(k, targets.length - 1)] ?? fromMs;
    let found: SlotRun | null = null;
    for (let len = want; len >= room.minSlots && found === null; len -= 1) {
      // Never leave a remainder too small to be a session of its own.
      const left = remaining - len;
      if (left > 0 && left < room.minSlots) continue;
      found = bestRun(room, len, target, usedDays, own);
    }
    if (found === null) break;
    found = soakSliver(room, found, remaining);
    for (let s = found.first; s < found.first + found.length; s += 1) {
      room.allowed[s] = 0;
      own.add(s);
    }
    const day = room.grid.day[found.first] ?? 0;
    room.dayBudget[day] = (room.dayBudget[day] ?? 0) - found.length;
    usedDays.add(day);
    runs.push(found);
    remaining -= found.length;
    k += 1;
    if (found.length < want && remaining > 0) {
      // A shorter session than planned: spread what is left over the sessions still to come.
      const count = Math.max(lengths.length - k, Math.ceil(remaining / room.maxSlots));
      lengths = [...lengths.slice(0, k), ...splitEvenly(remaining, count)];
    }
  }
  return runs;
}

/** Days on which the room can hold at least one minimum session. */
function usableDays(room: PlacementRoom): number {
  const { grid } = room;
  let days = 0;
  let countedDay = -1;
  let run = 0;
  for (let s = Math.max(0, room.lo); s <= room.hi && s < grid.count; s += 1) {
    const d = grid.day[s] ?? 0;
    run = room.allowed[s] === 1 ? run + 1 : 0;
    if (run >= room.minSlots && d !== countedDay && (room.dayBudget[d] ?? 0) >= room.minSlots) {
      days += 1;
      countedDay = d;
    }
    if (!continues(grid, s)) run = 0;
  }
  return days;
}

/**
 * If this session would leave its day a budget smaller than a minimum session (say three
 * 75-minute sessions under a 4-hour cap leave 15 minutes), grow it by that sliver when the
 * slots next to it are free and the session stays within the maximum: otherwise those
 * minutes are lost to everyone.
 */
function soakSliver(room: PlacementRoom, run: SlotRun, remaining: number): SlotRun {
  const { grid } = room;
  const day = grid.day[run.first] ?? 0;
  const sliver = (room.dayBudget[day] ?? 0) - run.length;
  if (sliver <= 0 || sliver >= room.minSlots || run.length + sliver > room.maxSlots) return run;
  const left = remaining - run.length - sliver;
  if (left < 0 || (left > 0 && left < room.minSlots)) return run;
  const open = (s: number) => s >= 0 && s < grid.count && room.allowed[s] === 1;
  const last = run.first + run.length - 1;
  let after = true;
  for (let s = last + 1; s <= last + sliver; s += 1) after &&= open(s) && continues(grid, s - 1);
  if (after) return { first: run.first, length: run.length + sliver };
  let before = true;
  for (let s = run.first - sliver; s < run.first; s += 1) before &&= open(s) && continues(grid, s);
  if (before) return { first: run.first - sliver, length: run.length + sliver };
  return run;
}

function bestRun(
  room: PlacementRoom,
  len: number,
  target: number,
  usedDays: ReadonlySet<number>,
  own: ReadonlySet<number>,
): SlotRun | null {
  const { grid } = room;
  const anchor = grid.day[Math.min(firstSlotFrom(grid, target), grid.count - 1)] ?? 0;
  let best: SlotRun | null = null;
  let bestScore = Number.POSITIVE_INFINITY;
  // Walk outward from the target's day in both directions; stop a direction once even a
  // perfect day there would be farther away than the best score found.
  for (const step of [-1, 1]) {
    for (let d = step < 0 ? anchor : anchor + 1; d >= 0 && d < grid.days.length; d += step) {
      const day = grid.days[d];
      if (day === undefined || day.firstSlot === day.endSlot) continue;
      const dayStart = grid.start[day.firstSlot] ?? 0;
      const dayEnd = (grid.start[day.endSlot - 1] ?? 0) + grid.slotMs;
      const lowerBound = Math.max(0, dayStart - target, target - dayEnd) / HOUR;
      if (lowerBound >= bestScore) break;
      if ((room.dayBudget[d] ?? 0) < len) continue;
      const penalty =
        (usedDays.has(d) ? SAME_DAY_PENALTY : 0) +
        (LOAD_PENALTY_PER_HOUR * (room.dayLoad[d] ?? 0) * grid.slotMs) / HOUR;
      let runStart = -1;
      for (let s = day.firstSlot; s < day.endSlot; s += 1) {
        if (room.allowed[s] !== 1) {
          runStart = -1;
          continue;
        }
        if (runStart < 0) runStart = s;
        if (s - runStart + 1 >= len) {
          const first = s - len + 1;
          const touches =
            (own.has(first - 1) && continues(grid, first - 1)) || (own.has(s + 1) && continues(grid, s));
          const score =
            Math.abs((grid.start[first] ?? 0) - target) / HOUR +
            penalty +
            (touches ? BACK_TO_BACK_PENALTY : 0);
          if (score < bestScore) {
            bestScore = score;
            best = { first, length: len };
          }
        }
        if (!continues(grid, s)) runStart = -1;
      }
    }
  }
  return best;
}
