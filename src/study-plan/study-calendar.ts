import type { Logger } from 'pino';
import type { StudyPlanRepo } from '../db/study-plan-repo.ts';
import type { CalendarApi } from '../google/calendar-api.ts';
import { ensureOwnedCalendar, type OwnedCalendarKind } from '../sync/app-calendar.ts';

export const STUDY_CALENDAR: OwnedCalendarKind = {
  name: 'CanvasCal Study',
  description:
    'Study time CanvasCal plans around your day. Move a session and it stays where you put it; delete one and it is not planned again.',
  markerPurpose: 'canvascal-study-calendar',
};

/**
 * The "CanvasCal Study" calendar, in the student's zone, created when planning is first on
 * and recreated if they deleted it (its sessions are then written again; their drops stay).
 */
export async function ensureStudyCalendar(
  deps: { plans: Pick<StudyPlanRepo, 'getState' | 'setState' | 'forgetWritten'>; logger: Logger },
  api: CalendarApi,
  user: { userId: string; grantedScopes: readonly string[] },
  timeZone: string,
): Promise<string> {
  const { userId } = user;
  const state = await deps.plans.getState(userId);
  return ensureOwnedCalendar(
    STUDY_CALENDAR,
    {
      // A new calendar starts a new follow: the old token belongs to the one that is gone.
      remember: (calendarId) => deps.plans.setState(userId, { calendarId, syncToken: null }),
      forget: async () => {
        await deps.plans.setState(userId, { calendarId: null, syncToken: null });
        return deps.plans.forgetWritten(userId);
      },
      logger: deps.logger,
    },
    api,
    { userId, calendarId: state.calendarId, grantedScopes: user.grantedScopes },
    timeZone,
  );
}
