import { compareText } from './compare-text.ts';
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
        a.startMs - b.startMs || a.endMs - b.endMs || compareText(a.session.deadlineId, b.session.deadlineId),
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
 * the time it could move to), gives kept sessions back until the bound is reachable:
 * first those on the days of a deadline that is still short, latest finish-by first
 * (they have the most other places to go), then any; afterwards it takes back every
 * release the bound turns out not to need, so the set moved is minimal (no session of it
 * could stay). They are reported as `rebalanced`: moved not because they broke but
 * because keeping them would cost required minutes, which ranks above stability.
 */
export function releaseForBound(
  problem: PlanningProblem,
  state: PlanState,
  kept: CarryOver['kept'],
  bound: number,
): Removal[] {
  const reachable = () => {
    const shares = remainingShares(problem, state);
    let total = shares.total;
    for (const p of state.placed) total += p;
    return { total, shares };
  };
  const first = reachable();
  if (first.total >= bound) return [];
  const { grid } = problem;
  const shortDays: [number, number][] = [];
  problem.jobs.forEach((job, j) => {
    const got = (state.placed[j] ?? 0) + (first.shares.placed[j] ?? 0);
    if (got < job.demand && job.lo <= job.hi) shortDays.push([grid.day[job.lo] ?? 0, grid.day[job.hi] ?? 0]);
  });
  const nearShort = (run: SessionRun) => {
    const d = grid.day[run.first] ?? 0;
    return shortDays.some(([a, b]) => a <= d && d <= b);
  };
  const order = [...kept].sort(
    (a, b) =>
      Number(nearShort(b.run)) - Number(nearShort(a.run)) ||
      (problem.jobs[b.run.job]?.finishByMs ?? 0) - (problem.jobs[a.run.job]?.finishByMs ?? 0) ||
      b.run.first - a.run.first,
  );
  const released: (typeof kept)[number][] = [];
  for (const victim of order) {
    releaseRun(problem, state, victim.run);
    released.push(victim);
    if (reachable().total >= bound) break;
  }
  for (const victim of [...released].reverse()) {
    commitRun(problem, state, victim.run);
    if (reachable().total >= bound) released.splice(released.indexOf(victim), 1);
    else releaseRun(problem, state, victim.run);
  }
  return released.map((victim) => ({ session: victim.session, reason: 'rebalanced' }));
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
