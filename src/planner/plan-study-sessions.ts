import { compareText } from './compare-text.ts';
import type { DayLoad, DeadlinePlan, PlannedSession, PlanResult } from './plan-result.ts';
import { commitRun, newPlanState, type PlanState, releaseRun, type SessionRun } from './plan-state.ts';
import type { PlannerInput } from './planner-input.ts';
import { buildPlanningProblem, type PlanningProblem } from './planning-problem.ts';
import { keepPrevious, type Removal, releaseForBound, remainingShares } from './previous-plan.ts';
import { placeSessions } from './session-placement.ts';
import { describeShortfall } from './shortfall-report.ts';
import { type AssignmentJob, assignSlots } from './slot-assignment.ts';
import { continues } from './slot-grid.ts';
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
 * REACHING IT. `assignSlots` computes the bound exactly. The planner then places one
 * deadline at a time (soonest finish-by first): it re-solves the assignment for every
 * deadline not yet placed, packed as late as possible, and lets the current deadline
 * choose its sessions only among slots that assignment leaves to it or leaves unused,
 * within per-day budgets. So the deadlines still to come always keep a full
 * assignment, and the total stays at the bound.
 *
 * WHERE IT CAN FALL SHORT. The bound ignores session lengths. With a minimum session of
 * one slot it is always reached. With a longer minimum, free time in pieces shorter
 * than the minimum (a 15-minute gap between meetings, the last 15 minutes of a day's
 * cap, a finish-by time cutting a run) counts toward the bound but cannot hold a
 * session; the planner then places less than the bound and reports the difference on
 * the deadlines concerned as `fragmented-time` (never silently: planned + shortfall =
 * required for every deadline).
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
    return buildResult(problem, state, initial.total, initial.placed, [], false);
  }
  const replan = (rebalance: boolean) => {
    const state = newPlanState(problem);
    const carried = keepPrevious(problem, state, options.previous ?? []);
    const released = rebalance ? releaseForBound(problem, state, carried.kept, initial.total) : [];
    const shares = remainingShares(problem, state).placed;
    const allocated = Int32Array.from(shares, (q, j) => q + (state.placed[j] ?? 0));
    placeAll(problem, state);
    return { state, allocated, removed: [...carried.removed, ...released], released: released.length };
  };
  // Keep everything that still fits. Move kept sessions only when the instance is
  // feasible (every deadline can be fully planned) and keeping them would leave some
  // deadline short, and only when moving really places more. In an overloaded plan we do
  // not reshuffle the calendar to trade one deadline's shortfall for another's.
  let best = replan(false);
  let required = 0;
  for (const job of problem.jobs) required += job.demand;
  if (initial.total === required && totalOf(best.state.placed) < initial.total) {
    const moved = replan(true);
    if (moved.released > 0 && totalOf(moved.state.placed) > totalOf(best.state.placed)) best = moved;
  }
  return buildResult(problem, best.state, initial.total, best.allocated, best.removed, true);
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
  for (const i of order) {
    const job = jobs[i];
    if (job === undefined) continue;
    const rest = assignSlots(
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
      },
      rest.placed[i] ?? 0,
      fromMs,
      toMs,
    );
    for (const r of runs)
      commitRun(problem, state, { job: i, first: r.first, length: r.length, kept: false });
    pending[i] = { lo: job.lo, hi: job.hi, rank: job.rank, demand: 0 };
    const missing = (rest.placed[i] ?? 0) - runs.reduce((sum, r) => sum + r.length, 0);
    if (missing >= problem.minSlots) retryFragmented(problem, state, pending, i, missing, fromMs, toMs);
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
  const before = usableAssignment();
  const allowed = new Uint8Array(grid.count);
  for (let t = Math.max(0, job.lo); t <= job.hi && t < grid.count; t += 1) allowed[t] = state.usable[t] ?? 0;
  const room = {
    grid,
    allowed,
    dayBudget: Int32Array.from(state.capLeft),
    dayLoad: state.dayLoad,
    minSlots: problem.minSlots,
    maxSlots: problem.maxSlots,
  };
  const extra = placeSessions(room, missing, fromMs, toMs).map((r) => ({ job: i, ...r, kept: false }));
  for (const run of extra) commitRun(problem, state, run);
  if (extra.length > 0 && usableAssignment() < before) {
    for (const run of extra) releaseRun(problem, state, run);
  }
}

/** Joins back-to-back new sessions of one deadline while the result stays within the max length. */
function joinAdjacent(problem: PlanningProblem, runs: readonly SessionRun[]): SessionRun[] {
  const sorted = [...runs].sort((a, b) => a.first - b.first);
  const out: SessionRun[] = [];
  for (const run of sorted) {
    const last = out[out.length - 1];
    const end = last === undefined ? -1 : last.first + last.length - 1;
    if (
      last !== undefined &&
      !last.kept &&
      !run.kept &&
      last.job === run.job &&
      end + 1 === run.first &&
      continues(problem.grid, end) &&
      last.length + run.length <= problem.maxSlots
    ) {
      out[out.length - 1] = { ...last, length: last.length + run.length };
    } else {
      out.push(run);
    }
  }
  return out;
}

const iso = (ms: number) => new Date(ms).toISOString();

function buildResult(
  problem: PlanningProblem,
  state: PlanState,
  bound: number,
  allocated: Int32Array,
  removed: Removal[],
  replanned: boolean,
): PlanResult {
  const { grid, jobs } = problem;
  const slotMinutes = grid.slotMs / 60_000;
  const runs = joinAdjacent(problem, state.runs);
  const toSession = (r: SessionRun): PlannedSession => ({
    deadlineId: jobs[r.job]?.deadline.id ?? '',
    start: iso(grid.start[r.first] ?? 0),
    end: iso((grid.start[r.first + r.length - 1] ?? 0) + grid.slotMs),
    pinned: false,
  });
  const planned = runs.map(toSession);
  const pinned = problem.pinned.map((p) => ({
    deadlineId: p.deadlineId,
    start: iso(p.startMs),
    end: iso(p.endMs),
    pinned: true,
  }));
  const sessions = [...planned, ...pinned].sort(
    (a, b) =>
      compareText(a.start, b.start) || compareText(a.deadlineId, b.deadlineId) || compareText(a.end, b.end),
  );

  const deadlines: DeadlinePlan[] = jobs.map((job, j) => {
    const placed = state.placed[j] ?? 0;
    const shortfall = describeShortfall(problem, j, job.demand - placed, allocated[j] ?? 0);
    return {
      deadlineId: job.deadline.id,
      effortMinutes: job.effortMinutes,
      effortEstimated: job.effortEstimated,
      doneMinutes: job.deadline.doneMinutes,
      pinnedMinutes: job.pinnedMinutes,
      requiredMinutes: job.demand * slotMinutes,
      plannedMinutes: placed * slotMinutes,
      finishBy: iso(job.finishByMs),
      status: shortfall === null ? 'planned' : 'shortfall',
      shortfall,
    };
  });

  const days: DayLoad[] = grid.days.map((day, d) => {
    let free = 0;
    for (let s = day.firstSlot; s < day.endSlot; s += 1) free += problem.free[s] ?? 0;
    const pinnedSlots = problem.pinnedSlotsByDay[d] ?? 0;
    const newSlots = (state.dayLoad[d] ?? 0) - pinnedSlots;
    const pinnedMinutes = problem.pinned
      .filter((p) => p.dayIndex === d)
      .reduce((sum, p) => sum + (p.endMs - p.startMs) / 60_000, 0);
    return {
      date: day.date,
      plannedMinutes: newSlots * slotMinutes + pinnedMinutes,
      capMinutes: problem.capMinutes,
      studyWindowMinutes: (day.endSlot - day.firstSlot) * slotMinutes,
      freeMinutes: free * slotMinutes,
    };
  });

  let placedTotal = 0;
  for (const p of state.placed) placedTotal += p;
  let required = 0;
  for (const job of jobs) required += job.demand;
  const keptCount = runs.filter((r) => r.kept).length;
  return {
    sessions,
    deadlines,
    days,
    totals: {
      requiredMinutes: required * slotMinutes,
      boundMinutes: bound * slotMinutes,
      plannedMinutes: placedTotal * slotMinutes,
    },
    changes: {
      keptCount: replanned ? keptCount : 0,
      added: replanned ? runs.filter((r) => !r.kept).map(toSession) : planned,
      removed: removed.map((r) => ({ session: { ...r.session }, reason: r.reason })),
    },
  };
}
