import { overlaps } from './intervals.ts';
import type { PlannedSession, ReleaseReason } from './plan-result.ts';
import { commitRun, type PlanState, releaseRun, type SessionRun } from './plan-state.ts';
import type { PlanningProblem } from './planning-problem.ts';
import { type Assignment, type AssignmentJob, assignSlots } from './slot-assignment.ts';
import { continues, firstSlotFrom } from './slot-grid.ts';

export interface Removal {
  readonly session: PlannedSession;
  readonly reason: ReleaseReason;
}

export interface CarryOver {
  readonly removed: Removal[];
  readonly kept: readonly { readonly run: SessionRun; readonly session: PlannedSession }[];
}

/**
 * Re-planning keeps every previous session that still satisfies every hard constraint
 * exactly where it was (committed into `state`), so a small change in the input moves
 * only the sessions it breaks. The rest are returned with the reason they went.
 */
export function keepPrevious(
  problem: PlanningProblem,
  state: PlanState,
  previous: readonly PlannedSession[],
): CarryOver {
  const removed: Removal[] = [];
  const kept: { run: SessionRun; session: PlannedSession }[] = [];
  const sorted = previous
    .filter((s) => !s.pinned)
    .map((session) => ({ session, startMs: Date.parse(session.start), endMs: Date.parse(session.end) }))
    .sort(
      (a, b) =>
        a.startMs - b.startMs ||
        a.endMs - b.endMs ||
        a.session.deadlineId.localeCompare(b.session.deadlineId),
    );
  for (const { session, startMs, endMs } of sorted) {
    const verdict = check(problem, state, session.deadlineId, startMs, endMs);
    if (typeof verdict === 'string') {
      removed.push({ session, reason: verdict });
      continue;
    }
    commitRun(problem, state, verdict);
    kept.push({ run: verdict, session });
  }
  return { removed, kept };
}

/** The most slots each deadline can still get on top of what `state` holds (an exact assignment). */
export function remainingShares(problem: PlanningProblem, state: PlanState): Assignment {
  const jobs: AssignmentJob[] = problem.jobs.map((job, j) => ({
    lo: job.lo,
    hi: job.hi,
    rank: job.rank,
    demand: job.demand - (state.placed[j] ?? 0),
  }));
  return assignSlots(
    {
      slotCount: problem.grid.count,
      slotDay: problem.grid.day,
      usable: state.usable,
      dayCap: state.capLeft,
      jobs,
    },
    'backward',
  );
}

/**
 * When kept sessions leave no room to reach the demand `bound` (say a new meeting took
 * the only evening an earlier deadline had, and a later deadline's kept session sits in
 * the time it could move to), gives kept sessions back one at a time, latest finish-by
 * first since those have the most other places to go, until the bound is reachable.
 * They are reported as `rebalanced`: moved not because they broke but because keeping
 * them would cost required minutes, which ranks above stability.
 */
export function releaseForBound(
  problem: PlanningProblem,
  state: PlanState,
  kept: CarryOver['kept'],
  bound: number,
): Removal[] {
  const removed: Removal[] = [];
  const reachable = () => {
    let total = remainingShares(problem, state).total;
    for (const p of state.placed) total += p;
    return total;
  };
  const order = [...kept].sort(
    (a, b) =>
      (problem.jobs[b.run.job]?.finishByMs ?? 0) - (problem.jobs[a.run.job]?.finishByMs ?? 0) ||
      b.run.first - a.run.first,
  );
  for (const victim of order) {
    if (reachable() >= bound) break;
    releaseRun(problem, state, victim.run);
    removed.push({ session: victim.session, reason: 'rebalanced' });
  }
  return removed;
}

function check(
  problem: PlanningProblem,
  state: PlanState,
  deadlineId: string,
  startMs: number,
  endMs: number,
): SessionRun | ReleaseReason {
  const j = problem.jobIndexById.get(deadlineId);
  const job = j === undefined ? undefined : problem.jobs[j];
  if (j === undefined || job === undefined) return 'deadline-gone';
  const session = { start: startMs, end: endMs };
  if (problem.userBlocked.some((b) => overlaps(session, b))) return 'pinned-or-dropped';
  const { grid } = problem;
  const first = firstSlotFrom(grid, startMs);
  const length = (endMs - startMs) / grid.slotMs;
  if (grid.start[first] !== startMs || !Number.isInteger(length)) return 'conflict';
  if (length < problem.minSlots || length > problem.maxSlots) return 'conflict';
  if (first < job.lo || first + length - 1 > job.hi) return 'conflict';
  for (let s = first; s < first + length; s += 1) {
    if (state.usable[s] !== 1) return 'conflict';
    if (s > first && !continues(grid, s - 1)) return 'conflict';
  }
  if ((state.capLeft[grid.day[first] ?? 0] ?? 0) < length) return 'conflict';
  if ((state.placed[j] ?? 0) + length > job.demand) return 'not-needed';
  return { job: j, first, length, kept: true };
}
