import type { Logger } from 'pino';
import type { StudyPlanRepo } from '../db/study-plan-repo.ts';
import type { CalendarApi } from '../google/calendar-api.ts';
import { SCOPES } from '../google/scopes.ts';
import { calendarMarker, markedCalendars } from '../sync/app-calendar.ts';

export const STUDY_CALENDAR_NAME = 'CanvasCal Study';
const DESCRIPTION =
  'Study time CanvasCal plans around your day. Move a session and it stays where you put it; delete one and it is not planned again.';

/**
 * The "CanvasCal Study" calendar, in the student's zone, created when planning is first on
 * and recreated if they deleted it (its sessions are then written again; their drops stay).
 * Like the deadline calendar it carries a marker in its description, so a create whose
 * answer was lost is adopted from the calendar list instead of duplicated (that search
 * needs `calendar.calendarlist.readonly`).
 */
export async function ensureStudyCalendar(
  deps: {
    plans: Pick<StudyPlanRepo, 'getState' | 'setState' | 'forgetWritten'>;
    logger: Logger;
    onStudyCalendarCreated?(userId: string): Promise<void>;
  },
  api: CalendarApi,
  user: { userId: string; grantedScopes: readonly string[] },
  timeZone: string,
): Promise<string> {
  const { userId } = user;
  const { calendarId } = await deps.plans.getState(userId);
  if (calendarId) {
    const existing = await api.getCalendar(calendarId);
    if (existing) {
      if (existing.timeZone !== timeZone) await api.patchCalendar(calendarId, { timeZone });
      return calendarId;
    }
    await deps.plans.setState(userId, { calendarId: null, syncToken: null });
    const forgotten = await deps.plans.forgetWritten(userId);
    deps.logger.info(
      { userId, forgotten },
      'the CanvasCal Study calendar was deleted in Google; recreating it',
    );
  }
  const marker = calendarMarker(userId, 'canvascal-study-calendar');
  const found = user.grantedScopes.includes(SCOPES.calendarListReadonly)
    ? (await markedCalendars(api, marker))[0]
    : undefined;
  if (found && found.timeZone !== timeZone) await api.patchCalendar(found.id, { timeZone });
  const id =
    found?.id ??
    (
      await api.insertCalendar({
        summary: STUDY_CALENDAR_NAME,
        timeZone,
        description: `${DESCRIPTION}\n${marker}`,
      })
    ).id;
  // A new calendar starts a new follow: an old token belonged to the one that is gone.
  await deps.plans.setState(userId, { calendarId: id, syncToken: null });
  await deps.onStudyCalendarCreated?.(userId);
  return id;
}
