/**
 * The study planner: a pure function from deadlines, busy time and preferences to study
 * sessions, with an honest account of every minute it could not place. No I/O, no clock
 * (the caller passes `now`), deterministic. Parse untrusted input with the schemas
 * (they apply the defaults), then call `planStudySessions`; pass the sessions now on the
 * calendar as `previous` to re-plan with as few moves as possible.
 */
export { estimateEffortMinutes } from './effort-estimate.ts';
export {
  clipIntervals,
  type Interval,
  intersectIntervals,
  mergeIntervals,
  subtractIntervals,
} from './intervals.ts';
export type {
  DayLoad,
  DeadlinePlan,
  PlanChanges,
  PlannedSession,
  PlanResult,
  PlanTotals,
  ReleaseReason,
  Shortfall,
  ShortfallReason,
} from './plan-result.ts';
export { type PlanOptions, planStudySessions } from './plan-study-sessions.ts';
export {
  BusyIntervalSchema,
  type Deadline,
  DeadlineSchema,
  type ItemKind,
  ItemKindSchema,
  PlannedSessionSchema,
  type PlannerInput,
  type PlannerInputData,
  PlannerInputSchema,
  type SessionRef,
  SessionRefSchema,
} from './planner-input.ts';
export { PLANNER_LIMITS, tooMany } from './planner-limits.ts';
export {
  DEFAULT_PREFERENCES,
  type PlannerPreferences,
  PlannerPreferencesSchema,
  type StudyWindow,
  StudyWindowSchema,
} from './preferences.ts';
