import type { z } from 'zod';
import type { BusyIntervalSchema } from '../planner/index.ts';

type Busy = z.input<typeof BusyIntervalSchema>;

/**
 * The deadlines due soonest, at most `limit` of them, and a note when some were left out.
 * A plan from stored data must stay within the planner's limits like any other; refusing
 * it would leave the student with no plan at all, so the latest deadlines wait instead.
 */
export function boundStoredDeadlines<T extends { dueAt: Date | null }>(
  due: readonly T[],
  limit: number,
): { kept: T[]; notes: string[] } {
  if (due.length <= limit) return { kept: [...due], notes: [] };
  const sorted = [...due].sort((a, b) => (a.dueAt?.getTime() ?? 0) - (b.dueAt?.getTime() ?? 0));
  const kept = sorted.slice(0, limit);
  const firstLeft = sorted[limit]?.dueAt?.toISOString() ?? '';
  return {
    kept,
    notes: [
      `${due.length} open deadlines fall in the planning horizon; the planner takes at most ${limit}, so the ${due.length - limit} due from ${firstLeft} on are not planned. Shorten horizonDays in the planner settings to plan them later.`,
    ],
  };
}

/**
 * At most `limit` busy intervals: past the limit, the time from the first interval left out
 * to the end of the horizon counts as unknown (never planned), so nothing busy becomes free.
 */
export function boundStoredBusy(
  busy: readonly Busy[],
  limit: number,
  horizonEnd: Date,
): { kept: Busy[]; notes: string[] } {
  if (busy.length <= limit) return { kept: [...busy], notes: [] };
  const sorted = [...busy].sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
  const kept = sorted.slice(0, limit - 1);
  const rest = sorted.slice(limit - 1);
  const from = rest[0]?.start ?? horizonEnd.toISOString();
  const lastEnd = rest.reduce((end, b) => Math.max(end, Date.parse(b.end)), horizonEnd.getTime());
  kept.push({ start: from, end: new Date(lastEnd).toISOString(), status: 'unknown' });
  return {
    kept,
    notes: [
      `Your calendars hold more than ${limit} busy intervals in the planning horizon (the planner's limit): time from ${new Date(Date.parse(from)).toISOString()} on is counted as unknown and not planned. Shorten horizonDays in the planner settings.`,
    ],
  };
}
