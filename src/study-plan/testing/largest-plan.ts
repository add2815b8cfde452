import { PLANNER_LIMITS, type PlannerInputData } from '../../planner/index.ts';

const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

/**
 * A preview body at the planner's limits: the most deadlines and busy intervals one plan
 * may have, over the longest horizon, in 5-minute slots. Deterministic (a fixed seed), so the
 * benchmark and the tests see the same work. `now` is part of the body: no clock is read.
 */
export function largestPlanBody(options: { now?: string; seed?: number } = {}): PlannerInputData {
  const now = options.now ?? '2026-08-24T04:00:00Z';
  let state = options.seed ?? 20_261_205;
  const rand = () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
  const pick = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const start = Date.parse(now);
  const days = PLANNER_LIMITS.horizonDays;
  return {
    now,
    preferences: { timeZone: 'America/New_York', horizonDays: days, slotMinutes: 5, maxSessionMinutes: 120 },
    deadlines: Array.from({ length: PLANNER_LIMITS.deadlines }, (_, j) => ({
      id: `d${j}`,
      title: `Assignment ${j}`,
      course: `Course ${j % 8}`,
      dueAt: iso(start + pick(1, days) * DAY + pick(0, 23) * 3_600_000),
      effortMinutes: pick(2, 16) * 15,
      priority: pick(1, 5),
    })),
    busy: Array.from({ length: PLANNER_LIMITS.busyIntervals }, () => {
      // Classes and work in the daytime, one in ten in the evening study hours (New York time).
      const hour = rand() < 0.1 ? pick(16, 21) : pick(7, 14);
      const begin = start + pick(0, days - 1) * DAY + hour * 3_600_000 + pick(0, 3) * 900_000;
      return { start: iso(begin), end: iso(begin + pick(2, 8) * 900_000) };
    }),
  };
}
