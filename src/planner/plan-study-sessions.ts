import type { PlannedSession, PlanResult } from './plan-result.ts';
import { commitRun, newPlanState, type PlanState, releaseRun } from './plan-state.ts';
import { buildResult } from './plan-summary.ts';
import type { PlannerInput } from './planner-input.ts';
import { buildPlanningProblem, type PlanningProblem } from './planning-problem.ts';
import {
  type CarryOver,
  keepPrevious,
  type Removal,
  releaseForBound,
  remainingShares,
} from './previous-plan.ts';
import { placeSessions } from './session-placement.ts';
import { type Assignment, type AssignmentJob, assignSlots } from './slot-assignment.ts';
import { spreadWindowMs } from './spacing.ts';

export interface PlanOptions {
  /** The plan now on the calendar: sessions that still fit stay exactly where they are. */
  readonly previous?: readonly PlannedSession[];
}

/**
 * Plans study sessions. Pure and deterministic: the same input (and previous plan)
 * gives the same result, whatever the order of the input arrays.
 *
 * THE BOUND. Time is cut into slots (`slotMinutes`) inside the study windows of the
 * horizon. A slot is free when it overlaps no busy interval grown by the buffer, no
 * pinned and no dropped session. Deadline d may use a free slot that starts at or
 * after max(now, earliestStart) and ends by finish-by (due − lead). Each local day
 * takes at most floor((cap − pinned minutes that day) / slot) slots. Deadline d needs
 * `requiredMinutes / slot` slots. The bound is the maximum number of slots any
 * assignment of slots to deadlines can give under exactly these rules: the max flow of
 * source → deadline (need) → eligible slot (1) → day (cap) → sink. It is the EDF demand
 * bound on this discrete time (work due by any finish-by time is capped by the free
 * time before it) and equals the sum of needs exactly when the instance is feasible.
 *
 * REACHING IT. `assignSlots` computes the bound exactly (checked against an independent
 * max flow in the tests). The planner then places one deadline at a time, soonest
 * finish-by first, at its spacing targets, but only among the slots that an assignment
 * of all deadlines not yet placed (packed as late as possible) leaves to it or leaves
 * unused, within per-day budgets. So the deadlines still to come always keep a full
 * assignment, and the total stays at the bound. Under overload the assignment decides
 * who is short: work due sooner first, then higher priority (deadlines tied on time).
 *
 * WHERE IT CAN FALL SHORT. The bound ignores session lengths. With a minimum session of
 * one slot it is always reached. With a longer minimum, free time in pieces shorter
 * than the minimum (a 15-minute gap between meetings, the last 15 minutes of a day's
 * cap, a finish-by time cutting a run) counts toward the bound but cannot hold a
 * session. The planner avoids making such slivers itself (session lengths never leave
 * a remainder below the minimum; a session grows to soak up a day's last sliver) and
 * retries a deadline whose share was scattered in any free slot its successors can
 * spare; what is still lost is reported on the deadlines concerned as `fragmented-time`
 * (never silently: planned + shortfall = required for every deadline), and
 * `totals.boundMinutes` shows how far the plan is from the bound.
 *
 * RE-PLANNING (`options.previous`). Every previous session that still satisfies every
 * hard rule stays exactly where it was; the rest are listed in `changes.removed` with a
 * reason, and only missing minutes are placed anew. Kept sessions are moved
 * (`rebalanced`) only when the instance is feasible and keeping them would put the
 * bound out of reach; then a minimal set is moved. See `previous-plan.ts`.
 */
export function planStudySessions(input: PlannerInput, options: PlanOptions = {}): PlanResult {
  const problem = buildPlanningProblem(input);
  const { grid, jobs } = problem;
  const initial = assignSlots(
    { slotCount: grid.count, slotDay: grid.day, usable: problem.free, dayCap: problem.dayCap, jobs },
    'backward',
  );
  if (options.previous === undefined) {
    const state = newPlanState(problem);
    placeAll(problem, state);
    let plan = buildResult(problem, state, initial.total, initial.placed, [], false);
    // Short of the bound, a re-plan over this plan can still fill a gap that opened only
    // after later deadlines were placed. Re-plan until that places nothing more, so the
    // plan a student gets is the one a re-plan of the same input keeps as it is. Every
    // round places at least one more slot, so this ends.
    let total = totalOf(state.placed);
    while (total < initial.total) {
      const next = replanOver(problem, initial, plan.sessions);
      if (next.total <= total) break;
      total = next.total;
      plan = buildResult(problem, next.state, initial.total, initial.placed, [], false);
    }
    return plan;
  }
  const best = replanOver(problem, initial, options.previous);
  return buildResult(problem, best.state, initial.total, best.allocated, best.removed, true);
}

/**
 * Keeps everything of `previous` that still fits. Moves kept sessions only when the
 * instance is feasible (every deadline can be fully planned, so the bound is owed) and
 * keeping them leaves the bound out of reach, and takes that variant only if it really
 * places more. An overloaded plan is not reshuffled to trade one deadline's shortfall for
 * another's, and minutes lost to slivers below a minimum session are not chased by
 * moving others.
 */
function replanOver(problem: PlanningProblem, initial: Assignment, previous: readonly PlannedSession[]) {
  let best = replan(problem, previous, null);
  let required = 0;
  for (const job of problem.jobs) required += job.demand;
  if (best.total < initial.total && initial.total === required) {
    const moved = replan(problem, previous, (state, kept) =>
      releaseForBound(problem, state, kept, initial.total),
    );
    if (moved.released > 0 && moved.total > best.total) best = moved;
  }
  return best;
}

type Release = (state: PlanState, kept: CarryOver['kept']) => Removal[];

/** One re-planning variant: keep what still fits, give back what `release` says, place the rest. */
function replan(problem: PlanningProblem, previous: readonly PlannedSession[], release: Release | null) {
  const state = newPlanState(problem);
  const carried = keepPrevious(problem, state, previous);
  const released = release === null ? [] : release(state, carried.kept);
  const variant = { state, removed: [...carried.removed, ...released], released: released.length };
  // A repair that gives nothing back would only repeat the plain re-plan.
  if (release !== null && released.length === 0) return { ...variant, allocated: state.placed, total: 0 };
  const shares = remainingShares(problem, state).placed;
  const allocated = Int32Array.from(shares, (q, j) => q + (state.placed[j] ?? 0));
  placeAll(problem, state);
  return { ...variant, allocated, total: totalOf(state.placed) };
}

function totalOf(values: Int32Array): number {
  let total = 0;
  for (const v of values) total += v;
  return total;
}

/**
 * Places every deadline's open demand, soonest finish-by first. Each step re-solves the
 * exact assignment for all deadlines not yet placed, with their full open demand, so a
 * share one deadline cannot use (slivers below a session) passes to the next instead of
 * being lost. The total stays at the bound: the deadline being placed only takes its own
 * assigned slots or unused ones, so the others keep an assignment as large as before.
 */
function placeAll(problem: PlanningProblem, state: PlanState): void {
  const quotas = Int32Array.from(problem.jobs, (job, j) => Math.max(0, job.demand - (state.placed[j] ?? 0)));
  const { grid, jobs } = problem;
  const pending: AssignmentJob[] = jobs.map((job, j) => ({
    lo: job.lo,
    hi: job.hi,
    rank: job.rank,
    demand: quotas[j] ?? 0,
  }));
  const order = jobs
    .map((_, j) => j)
    .filter((j) => (quotas[j] ?? 0) > 0)
    .sort((a, b) => {
      const x = jobs[a];
      const y = jobs[b];
      if (x === undefined || y === undefined) return 0;
      return x.finishByMs - y.finishByMs || y.deadline.priority - x.deadline.priority || a - b;
    });
  const budget = new Int32Array(grid.days.length);
  const allowed = new Uint8Array(grid.count);
  // The assignment of the deadlines still to place. After a deadline takes exactly its
  // share inside its allowance, the others' part of it is still valid, so it is reused;
  // it is solved again only when a share went unused (its slots may help someone short).
  let rest: Assignment | null = null;
  for (const i of order) {
    const job = jobs[i];
    if (job === undefined) continue;
    rest ??= assignSlots(
      {
        slotCount: grid.count,
        slotDay: grid.day,
        usable: state.usable,
        dayCap: state.capLeft,
        jobs: pending,
      },
      'backward',
    );
    budget.set(state.capLeft);
    allowed.fill(0);
    for (let t = 0; t < grid.count; t += 1) {
      const owner = rest.slotJob[t] ?? -1;
      if (owner >= 0 && owner !== i) {
        const d = grid.day[t] ?? 0;
        budget[d] = (budget[d] ?? 0) - 1;
      } else if (t >= job.lo && t <= job.hi && state.usable[t] === 1) {
        allowed[t] = 1;
      }
    }
    const toMs = (grid.start[job.hi] ?? 0) + grid.slotMs;
    const fromMs = Math.max(grid.start[job.lo] ?? 0, toMs - spreadWindowMs(job.deadline.priority));
    const runs = placeSessions(
      {
        grid,
        allowed,
        dayBudget: budget,
        dayLoad: state.dayLoad,
        minSlots: problem.minSlots,
        maxSlots: problem.maxSlots,
        lo: job.lo,
        hi: job.hi,
      },
      rest.placed[i] ?? 0,
      fromMs,
      toMs,
    );
    for (const r of runs)
      commitRun(problem, state, { job: i, first: r.first, length: r.length, kept: false });
    pending[i] = { lo: job.lo, hi: job.hi, rank: job.rank, demand: 0 };
    for (let t = Math.max(0, job.lo); t <= job.hi && t < grid.count; t += 1) {
      if (rest.slotJob[t] === i) rest.slotJob[t] = -1;
    }
    const missing = (rest.placed[i] ?? 0) - runs.reduce((sum, r) => sum + r.length, 0);
    if (missing > 0) {
      if (missing >= problem.minSlots) {
        let othersShare = 0;
        rest.placed.forEach((share, j) => {
          if (j !== i) othersShare += (pending[j]?.demand ?? 0) > 0 ? share : 0;
        });
        retryFragmented(problem, state, pending, i, missing, othersShare, fromMs, toMs);
      }
      rest = null;
    }
  }
}

/**
 * The slots the assignment left this deadline were too scattered for whole sessions
 * (only possible when a session is longer than a slot). Try again in any free slot of
 * its window, then keep the new sessions only if every deadline still to be placed
 * keeps its full share; otherwise give them back. This wins back most fragment losses
 * without ever costing a later deadline a minute.
 */
function retryFragmented(
  problem: PlanningProblem,
  state: PlanState,
  pending: readonly AssignmentJob[],
  i: number,
  missing: number,
  othersShare: number,
  fromMs: number,
  toMs: number,
): void {
  const { grid } = problem;
  const job = problem.jobs[i];
  if (job === undefined) return;
  const usableAssignment = () =>
    assignSlots(
      {
        slotCount: grid.count,
        slotDay: grid.day,
        usable: state.usable,
        dayCap: state.capLeft,
        jobs: pending,
      },
      'backward',
    ).total;
  const allowed = new Uint8Array(grid.count);
  for (let t = Math.max(0, job.lo); t <= job.hi && t < grid.count; t += 1) allowed[t] = state.usable[t] ?? 0;
  const room = {
    grid,
    allowed,
    dayBudget: Int32Array.from(state.capLeft),
    dayLoad: state.dayLoad,
    minSlots: problem.minSlots,
    maxSlots: problem.maxSlots,
    lo: job.lo,
    hi: job.hi,
  };
  const extra = placeSessions(room, missing, fromMs, toMs).map((r) => ({ job: i, ...r, kept: false }));
  for (const run of extra) commitRun(problem, state, run);
  if (extra.length > 0 && usableAssignment() < othersShare) {
    for (const run of extra) releaseRun(problem, state, run);
  }
}
