import type { Logger } from 'pino';
import type { UsersRepo } from '../db/users-repo.ts';
import type { CalendarApi } from '../google/calendar-api.ts';
import type { GoogleConnection } from '../google/google-connection.ts';
import { STUDY_CALENDAR_NAME } from '../study-plan/study-calendar.ts';
import { APP_CALENDAR_NAME } from '../sync/app-calendar.ts';

/** Where a student revokes CanvasCal by hand when CanvasCal could not. */
export const GOOGLE_PERMISSIONS_URL = 'https://myaccount.google.com/permissions';

export interface DeletionOutcome {
  deleted: true;
  channelsStopped: number;
  calendarsRemoved: number;
  grantRevoked: boolean;
  /** What could not be done at Google, each with what the student can do about it. */
  notes: string[];
}

export interface DataDeletionDeps {
  users: Pick<UsersRepo, 'delete'>;
  /** Absent when Google is not configured: then there is nothing to undo there. */
  google?: {
    connection: Pick<GoogleConnection, 'disconnect'>;
    calendarFor(userId: string): Pick<CalendarApi, 'deleteCalendar'>;
    /** Stops the user's live push channels at Google and forgets them all (failures counted). */
    stopChannels(userId: string): Promise<{ stopped: number; failed: number }>;
    /** The user's Google connection as stored: the deadlines calendar, and whether a grant is kept. */
    storedConnection(userId: string): Promise<{ appCalendarId: string | null; grantStored: boolean }>;
    /** The "CanvasCal Study" calendar(s) CanvasCal created for the user. */
    studyCalendarIds(userId: string): Promise<string[]>;
  };
  /** Logs a Canvas OAuth token out at Canvas (a personal token is the student's to revoke). */
  canvas?: { disconnect(userId: string): Promise<void> };
  logger: Pick<Logger, 'warn'>;
}

/**
 * Deletes everything CanvasCal holds about a student ("delete my data", issue 17). Google
 * first, while the grant still works: stop the push channels, then (only when asked: they are
 * the student's) delete CanvasCal's calendars, then revoke the grant; then log a Canvas OAuth
 * token out at Canvas. A Google or Canvas step that fails becomes a note saying what to do by
 * hand; it never keeps the local data. Last, every row about the student goes in one
 * transaction. Idempotent: a retry after a failure halfway finds
 * less to do (an already revoked grant counts as revoked) and finishes the job.
 */
export function createDataDeletion(deps: DataDeletionDeps) {
  return async function deleteStudentData(
    userId: string,
    options: { removeCalendars: boolean },
  ): Promise<DeletionOutcome> {
    const outcome: DeletionOutcome = {
      deleted: true,
      channelsStopped: 0,
      calendarsRemoved: 0,
      grantRevoked: false,
      notes: [],
    };
    const google = deps.google;
    if (google) {
      const stored = await google.storedConnection(userId);
      const calendars = options.removeCalendars
        ? await ownCalendars(google, userId, stored.appCalendarId)
        : [];
      const channels = await google.stopChannels(userId);
      outcome.channelsStopped = channels.stopped;
      if (channels.failed > 0)
        outcome.notes.push(
          `${channels.failed} live-update channel(s) could not be stopped at Google; they expire by themselves within days and CanvasCal ignores them.`,
        );
      for (const calendar of calendars) {
        try {
          await google.calendarFor(userId).deleteCalendar(calendar.id);
          outcome.calendarsRemoved += 1;
        } catch (error) {
          deps.logger.warn({ userId, err: error }, 'could not delete a CanvasCal calendar at Google');
          outcome.notes.push(
            `The calendar "${calendar.name}" could not be removed from your Google Calendar: delete it there yourself (its settings, "Remove calendar").`,
          );
        }
      }
      try {
        outcome.grantRevoked = (await google.connection.disconnect(userId)).revoked;
      } catch (error) {
        deps.logger.warn({ userId, err: error }, 'could not revoke the Google grant while deleting data');
      }
      // Google unreachable, or a token CanvasCal can no longer open: either way, by hand.
      if (stored.grantStored && !outcome.grantRevoked)
        outcome.notes.push(
          `The Google grant could not be revoked: revoke CanvasCal at ${GOOGLE_PERMISSIONS_URL}.`,
        );
    }
    if (deps.canvas)
      try {
        await deps.canvas.disconnect(userId);
      } catch (error) {
        deps.logger.warn({ userId, err: error }, 'could not log out of Canvas while deleting data');
        outcome.notes.push(
          'CanvasCal could not log out of Canvas: in Canvas, open Account, Settings, and delete CanvasCal under "Approved Integrations".',
        );
      }
    await deps.users.delete(userId);
    return outcome;
  };
}

/** The calendars CanvasCal created for the user, by the names the student sees. */
async function ownCalendars(
  google: NonNullable<DataDeletionDeps['google']>,
  userId: string,
  appCalendarId: string | null,
): Promise<Array<{ id: string; name: string }>> {
  const studyIds = await google.studyCalendarIds(userId);
  return [
    ...(appCalendarId ? [{ id: appCalendarId, name: APP_CALENDAR_NAME }] : []),
    ...studyIds.filter((id) => id !== appCalendarId).map((id) => ({ id, name: STUDY_CALENDAR_NAME })),
  ];
}

export type DeleteStudentData = ReturnType<typeof createDataDeletion>;
