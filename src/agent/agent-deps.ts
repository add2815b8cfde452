import type { DeadlinesRepo } from '../db/deadlines-repo.ts';
import type { StudyPlanRepo } from '../db/study-plan-repo.ts';
import type { UsersRepo } from '../db/users-repo.ts';
import type { UserBusy } from '../google/user-busy.ts';
import type { PlannedSession } from '../planner/index.ts';
import { PlannerPreferencesSchema } from '../planner/index.ts';
import type { BusySource } from '../study-plan/plan-preview.ts';
import type { PlanSolver } from '../study-plan/solve-plan.ts';
import type { SyncRunsService } from '../sync/sync-runs-service.ts';
import type { ProposalStore } from './proposal-store.ts';

/** What applying a proposal wrote to the calendar (the plan writer's record, trimmed). */
export interface ApplyOutcome {
  /**
   * `written`, or why the proposal was not (fully) written: `student-edited` (the student moved
   * or deleted sessions in Google since it was made), or Google or planning went away meanwhile.
   */
  outcome: 'written' | 'student-edited' | 'planning-off' | 'google-not-connected';
  studentEdits: { pinned: number; dropped: number };
  moved: number;
  added: number;
  removed: number;
  unchanged: number;
  googleCalls: number;
  notes: string[];
}

/**
 * Writes a proposal's sessions to the student's study calendar, serialized with the repair
 * jobs of the same user (the service wires the plan writer under the user's study-plan lock).
 */
export type ApplyPlan = (userId: string, sessions: readonly PlannedSession[]) => Promise<ApplyOutcome>;

/** The engine's own services the tools call; each call passes the caller's user id. */
export interface AgentDeps {
  users: Pick<UsersRepo, 'getPlannerPreferences'>;
  deadlines: Pick<DeadlinesRepo, 'list'>;
  /** Free/busy over the counted calendars (the availability API's source). */
  userBusy: Pick<UserBusy, 'getBusy'>;
  /** Busy time as the planner sees it (the plan preview's source). */
  plannerBusy: BusySource;
  /** Runs the solver off the request thread (the planner pool). */
  planner: PlanSolver;
  sync: Pick<SyncRunsService, 'start' | 'run' | 'status'>;
  proposals: ProposalStore;
  /**
   * The study sessions CanvasCal keeps on the student's "CanvasCal Study" calendar, with their
   * pins and drops (absent: no plan on a calendar in this process; reschedules check shown plans).
   */
  studyPlan?: Pick<StudyPlanRepo, 'listSessions' | 'getState'> | undefined;
  /** Writes an accepted proposal to the study calendar (absent: no Google in this process). */
  applyPlan?: ApplyPlan | undefined;
  now(): Date;
  /** Waits between looks at a running sync; tests may shorten it. */
  sleep?(ms: number): Promise<void>;
}

export async function timeZoneOf(deps: Pick<AgentDeps, 'users'>, userId: string): Promise<string> {
  return PlannerPreferencesSchema.parse(await deps.users.getPlannerPreferences(userId)).timeZone;
}
