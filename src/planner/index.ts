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
  type PlannerInput,
  type PlannerInputData,
  PlannerInputSchema,
  type SessionRef,
  SessionRefSchema,
} from './planner-input.ts';
export {
  DEFAULT_PREFERENCES,
  type PlannerPreferences,
  PlannerPreferencesSchema,
  type StudyWindow,
  StudyWindowSchema,
} from './preferences.ts';
