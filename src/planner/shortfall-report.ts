import { Temporal } from 'temporal-polyfill';
import type { Shortfall } from './plan-result.ts';
import type { PlanningProblem } from './planning-problem.ts';

const WEEKDAY = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const MONTH = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "Fri Dec 4 11:59" in the user's zone. */
export function formatLocal(ms: number, timeZone: string): string {
  const z = Temporal.Instant.fromEpochMilliseconds(ms).toZonedDateTimeISO(timeZone);
  const hh = String(z.hour).padStart(2, '0');
  const mm = String(z.minute).padStart(2, '0');
  return `${WEEKDAY[z.dayOfWeek - 1]} ${MONTH[z.month - 1]} ${z.day} ${hh}:${mm}`;
}

/** "6 h", "4 h 30 min", "45 min". */
export function formatMinutes(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (h === 0) return `${m} min`;
  return m === 0 ? `${h} h` : `${h} h ${m} min`;
}

/**
 * Free study slots in [lo, hi], each day counted up to its cap: the most one deadline
 * could get if it had the time to itself.
 */
function cappedFreeSlots(problem: PlanningProblem, lo: number, hi: number): number {
  const { grid } = problem;
  let total = 0;
  let day = -1;
  let count = 0;
  const flush = () => {
    if (day >= 0) total += Math.min(count, problem.dayCap[day] ?? 0);
  };
  for (let s = Math.max(0, lo); s <= hi && s < grid.count; s += 1) {
    const d = grid.day[s] ?? 0;
    if (d !== day) {
      flush();
      day = d;
      count = 0;
    }
    if (problem.free[s] === 1) count += 1;
  }
  flush();
  return total;
}

/**
 * Why deadline `j` is `missing` slots short, in the order a student can act on:
 * the time is gone; it never fitted even alone; the work due by then does not fit
 * together (the demand bound over the prefix of deadlines finishing by this one);
 * or the time exists only in pieces shorter than a minimum session.
 */
export function describeShortfall(
  problem: PlanningProblem,
  j: number,
  missing: number,
  allocated: number,
): Shortfall | null {
  const job = problem.jobs[j];
  if (job === undefined || missing <= 0) return null;
  const slotMinutes = problem.grid.slotMs / 60_000;
  const minutes = missing * slotMinutes;
  const need = formatMinutes(job.demand * slotMinutes);
  const by = formatLocal(job.finishByMs, problem.grid.timeZone);
  const beyond = () =>
    job.finishByMs > problem.horizonEndMs
      ? ` (the plan covers only until ${formatLocal(problem.horizonEndMs, problem.grid.timeZone)})`
      : '';
  if (job.finishByMs <= problem.nowMs) {
    return {
      minutes,
      reason: 'past-finish-by',
      message: `needs ${need}, but the finish-by time ${by} has passed`,
    };
  }
  const alone = cappedFreeSlots(problem, job.lo, job.hi);
  if (alone < job.demand) {
    const free = formatMinutes(alone * slotMinutes);
    return {
      minutes,
      reason: 'not-enough-time',
      message: `needs ${need} before ${by}, ${free} of study time free${beyond()}`,
    };
  }
  if (allocated < job.demand || problem.minSlots === 1) {
    let due = 0;
    for (const other of problem.jobs) if (other.finishByMs <= job.finishByMs) due += other.demand;
    const free = formatMinutes(cappedFreeSlots(problem, 0, job.hi) * slotMinutes);
    return {
      minutes,
      reason: 'competing-deadlines',
      message: `needs ${need} before ${by}; work due by then totals ${formatMinutes(due * slotMinutes)} with ${free} of study time free${beyond()}`,
    };
  }
  return {
    minutes,
    reason: 'fragmented-time',
    message: `needs ${need} before ${by}; the free time left comes in pieces shorter than a ${formatMinutes(problem.minSlots * slotMinutes)} session`,
  };
}
