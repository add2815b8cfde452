import { compareText } from './compare-text.ts';
import type { DayLoad, DeadlinePlan, PlannedSession, PlanResult } from './plan-result.ts';
import type { PlanState, SessionRun } from './plan-state.ts';
import type { PlanningProblem } from './planning-problem.ts';
import type { Removal } from './previous-plan.ts';
import { describeShortfall } from './shortfall-report.ts';
import { continues } from './slot-grid.ts';

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

/** Turns the final state into the public result: sessions, per-deadline accounting, day loads. */
export function buildResult(
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
