import {
  type PlannedSession,
  type PlannerInputData,
  PlannerInputSchema,
  type PlanResult,
  planStudySessions,
} from '../planner/index.ts';

/** One planner run: raw input (validated where it runs) and the plan the student follows now. */
export interface SolveJob {
  readonly input: PlannerInputData;
  readonly previous?: readonly PlannedSession[] | undefined;
  /** Send the validated busy time back (the re-plan tool needs it; copying it costs time). */
  readonly echoBusy?: boolean | undefined;
  /** Whose plan it is: one user may have only a few plans running or waiting. */
  readonly userId?: string | undefined;
}

/** What a run gives back; plain data, so it crosses a worker-thread boundary unchanged. */
export type SolveOutcome =
  | { readonly ok: false; readonly message: string }
  | {
      readonly ok: true;
      readonly result: PlanResult;
      readonly timeZone: string;
      /** Title and course per deadline id, for people. */
      readonly labels: Readonly<Record<string, { readonly title: string; readonly course: string }>>;
      /** The validated busy time, when the job asked for it (`echoBusy`); else empty. */
      readonly busy: ReadonlyArray<{ start: string; end: string; status: 'busy' | 'unknown' }>;
      /** How long the solver worked (ms), validation included. */
      readonly solveMs: number;
    };

/**
 * Runs a planner job somewhere (a worker thread in the service): resolves with the outcome,
 * rejects with an AppError when it could not run (queue full, timed out, worker crashed).
 */
export type PlanSolver = (job: SolveJob) => Promise<SolveOutcome>;

/**
 * Validates and plans, synchronously. This is the heavy part: the worker threads run it;
 * in the request thread it is for tests and the benchmark's baseline only.
 */
export function solvePlan(job: SolveJob): SolveOutcome {
  const started = performance.now();
  const parsed = PlannerInputSchema.safeParse(job.input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      ok: false,
      message: `Invalid planner input: ${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`,
    };
  }
  const result = planStudySessions(parsed.data, job.previous !== undefined ? { previous: job.previous } : {});
  const labels: Record<string, { title: string; course: string }> = {};
  for (const d of parsed.data.deadlines) labels[d.id] = { title: d.title ?? d.id, course: d.course };
  return {
    ok: true,
    result,
    timeZone: parsed.data.preferences.timeZone,
    labels,
    busy: job.echoBusy ? parsed.data.busy.map((b) => ({ start: b.start, end: b.end, status: b.status })) : [],
    solveMs: performance.now() - started,
  };
}

/** Plans in the calling thread: for tests and the benchmark's baseline, never for a request. */
export const inThreadSolver: PlanSolver = async (job) => solvePlan(job);
