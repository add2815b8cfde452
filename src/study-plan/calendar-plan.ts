import type { StoredSession, StudyPlanRepo } from '../db/study-plan-repo.ts';
import type { PlannedSession } from '../planner/index.ts';

type Ref = { deadlineId: string; start: string; end: string };

/** The study sessions on the student's "CanvasCal Study" calendar, as the planner takes them. */
export interface CalendarPlan {
  /** Every row of the study calendar (dropped ones included), for the proposal's fingerprint. */
  rows: StoredSession[];
  calendarId: string | null;
  /**
   * Future sessions on the calendar, the student's pinned ones flagged: the plan a reschedule
   * starts from (the planner keeps what still fits and never moves a pinned one).
   */
  sessions: PlannedSession[];
  /** Future sessions CanvasCal placed (not pinned): the plan a repair keeps what fits of. */
  previous: PlannedSession[];
  /** Sessions the student placed by hand, and ones already begun (study done): never moved. */
  pinned: Ref[];
  /** Sessions the student deleted: their time is never planned again. */
  dropped: Ref[];
}

/**
 * The stored plan the way a repair re-plans from it: future `planned` rows are the previous
 * plan (what still fits stays), `pinned` rows and rows already begun are pins, and `dropped`
 * rows stay dropped. Pins and drops count only for deadlines the planner will see (`open`):
 * the planner refuses a pin of a deadline it was not given. Rows of an earlier study calendar
 * (one the student deleted) are left out, except drops, which hold for good.
 */
export function calendarPlanOf(
  all: readonly StoredSession[],
  calendarId: string | null,
  now: Date,
  open: ReadonlySet<string>,
): CalendarPlan {
  const rows = all.filter((row) => row.calendarId === calendarId || row.status === 'dropped');
  // A session already begun belongs to the past: never moved, counted as study done.
  const begun = (row: StoredSession) => row.start.getTime() < now.getTime();
  const ref = (row: StoredSession): Ref => ({
    deadlineId: row.deadlineKey,
    start: row.start.toISOString(),
    end: row.end.toISOString(),
  });
  const onCalendar = rows.filter((row) => row.status !== 'dropped');
  const future = onCalendar.filter((row) => !begun(row));
  return {
    rows,
    calendarId,
    sessions: future.map((row) => ({ ...ref(row), pinned: row.status === 'pinned' })),
    previous: future.filter((row) => row.status === 'planned').map((row) => ({ ...ref(row), pinned: false })),
    pinned: onCalendar
      .filter((row) => open.has(row.deadlineKey) && (begun(row) || row.status === 'pinned'))
      .map(ref),
    dropped: rows.filter((row) => row.status === 'dropped' && open.has(row.deadlineKey)).map(ref),
  };
}

/** `calendarPlanOf` for the user's current study calendar, read from the repo. */
export async function readCalendarPlan(
  repo: Pick<StudyPlanRepo, 'listSessions' | 'getState'>,
  userId: string,
  now: Date,
  open: ReadonlySet<string>,
): Promise<CalendarPlan> {
  const { calendarId } = await repo.getState(userId);
  return calendarPlanOf(await repo.listSessions(userId), calendarId, now, open);
}
