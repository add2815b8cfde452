import type { PlanningProblem } from './planning-problem.ts';

/** A session in slot terms: `length` slots from `first` for job `job`. */
export interface SessionRun {
  readonly job: number;
  readonly first: number;
  readonly length: number;
  /** Carried over unchanged from the previous plan. */
  readonly kept: boolean;
}

/** What is taken so far while a plan is being built; every step updates it through `commitRun`. */
export interface PlanState {
  /** 1 for slots still free to plan in. */
  readonly usable: Uint8Array;
  readonly capLeft: Int32Array;
  /** Slots on each day, pinned included, for evening out the load. */
  readonly dayLoad: Int32Array;
  readonly placed: Int32Array;
  readonly runs: SessionRun[];
}

export function newPlanState(problem: PlanningProblem): PlanState {
  return {
    usable: Uint8Array.from(problem.free),
    capLeft: Int32Array.from(problem.dayCap),
    dayLoad: Int32Array.from(problem.pinnedSlotsByDay),
    placed: new Int32Array(problem.jobs.length),
    runs: [],
  };
}

export function commitRun(problem: PlanningProblem, state: PlanState, run: SessionRun): void {
  for (let s = run.first; s < run.first + run.length; s += 1) state.usable[s] = 0;
  const day = problem.grid.day[run.first] ?? 0;
  state.capLeft[day] = (state.capLeft[day] ?? 0) - run.length;
  state.dayLoad[day] = (state.dayLoad[day] ?? 0) + run.length;
  state.placed[run.job] = (state.placed[run.job] ?? 0) + run.length;
  state.runs.push(run);
}

/** Undoes `commitRun` for a run that is in `state.runs`. */
export function releaseRun(problem: PlanningProblem, state: PlanState, run: SessionRun): void {
  const at = state.runs.indexOf(run);
  if (at >= 0) state.runs.splice(at, 1);
  for (let s = run.first; s < run.first + run.length; s += 1) state.usable[s] = 1;
  const day = problem.grid.day[run.first] ?? 0;
  state.capLeft[day] = (state.capLeft[day] ?? 0) + run.length;
  state.dayLoad[day] = (state.dayLoad[day] ?? 0) - run.length;
  state.placed[run.job] = (state.placed[run.job] ?? 0) - run.length;
}
