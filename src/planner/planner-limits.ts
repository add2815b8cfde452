/**
 * The most one plan may ask for. A student has 100-300 deadlines a term and a few busy
 * intervals a day; these leave room for several times that while keeping one plan's work
 * bounded (the solver's cost grows with deadlines × slots × the pieces busy time cuts the
 * horizon into). Every entry point that plans (the preview API, the LLM tools) goes through
 * the schemas that enforce them, and the README lists them.
 */
export const PLANNER_LIMITS = Object.freeze({
  /** Deadlines in one plan. */
  deadlines: 500,
  /** Busy (and unknown) intervals in one plan. */
  busyIntervals: 5000,
  /** Sessions pinned by hand in one plan. */
  pinnedSessions: 1000,
  /** Sessions dropped by hand in one plan. */
  droppedSessions: 1000,
  /** Days one plan looks ahead (the `horizonDays` preference). */
  horizonDays: 180,
});

/** The message a list past its limit answers with; it names the limit so the caller can fix it. */
export const tooMany = (what: string, limit: number): string =>
  `at most ${limit.toLocaleString('en-US')} ${what} per plan (the planner's limit)`;
