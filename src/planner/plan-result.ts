/** A study block on the calendar, UTC instants; `pinned` ones were placed by the user. */
export interface PlannedSession {
  readonly deadlineId: string;
  readonly start: string;
  readonly end: string;
  readonly pinned: boolean;
}

export type ShortfallReason =
  /** The finish-by time (due minus lead) is already past or before any study window. */
  | 'past-finish-by'
  /** Even alone, the deadline's free study time is smaller than its need. */
  | 'not-enough-time'
  /** Work due by the same time, all together, does not fit in the free time before it. */
  | 'competing-deadlines'
  /** The time exists but only in pieces shorter than the minimum session. */
  | 'fragmented-time';

export interface Shortfall {
  readonly minutes: number;
  readonly reason: ShortfallReason;
  /** For people: "needs 6 h before Fri Dec 4 11:59, 4 h of study time free". */
  readonly message: string;
}

/** Per deadline: `plannedMinutes + (shortfall?.minutes ?? 0) === requiredMinutes`, always. */
export interface DeadlinePlan {
  readonly deadlineId: string;
  readonly effortMinutes: number;
  /** True when effort came from `estimateEffortMinutes`, not from the user. */
  readonly effortEstimated: boolean;
  readonly doneMinutes: number;
  readonly pinnedMinutes: number;
  /**
   * Minutes still to plan: effort − done − pinned, rounded up to the slot grid and, when
   * positive, to at least one minimum session (a session shorter than that is not offered).
   */
  readonly requiredMinutes: number;
  /** Minutes in new (unpinned) sessions. */
  readonly plannedMinutes: number;
  readonly finishBy: string;
  readonly status: 'planned' | 'shortfall';
  readonly shortfall: Shortfall | null;
}

/** One local date: what is planned on it (pinned included) against its cap and free time. */
export interface DayLoad {
  readonly date: string;
  readonly plannedMinutes: number;
  readonly capMinutes: number;
  readonly studyWindowMinutes: number;
  readonly freeMinutes: number;
}

export type ReleaseReason = 'conflict' | 'deadline-gone' | 'not-needed' | 'pinned-or-dropped' | 'rebalanced';

/** How this plan differs from `previous`; everything not listed as removed was kept exactly. */
export interface PlanChanges {
  readonly keptCount: number;
  readonly added: readonly PlannedSession[];
  readonly removed: readonly { readonly session: PlannedSession; readonly reason: ReleaseReason }[];
}

export interface PlanTotals {
  /** Sum of `requiredMinutes`. */
  readonly requiredMinutes: number;
  /** The demand bound (see `plan-study-sessions.ts`): the most any plan could place. */
  readonly boundMinutes: number;
  readonly plannedMinutes: number;
}

export interface PlanResult {
  /** Sorted by start, then deadline id; pinned sessions included. */
  readonly sessions: readonly PlannedSession[];
  /** One entry per input deadline, sorted by id. */
  readonly deadlines: readonly DeadlinePlan[];
  readonly days: readonly DayLoad[];
  readonly totals: PlanTotals;
  readonly changes: PlanChanges;
}
