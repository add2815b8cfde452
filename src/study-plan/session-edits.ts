import type { StudyPlanRepo } from '../db/study-plan-repo.ts';
import type { CalendarApi } from '../google/calendar-api.ts';
import type { EventBody } from '../google/event-body.ts';
import { PermanentJobError, type Queue } from '../queue/queue.ts';

/** A student's move or removal of one session from the page, written to Google. */
export const STUDY_SESSION_EDIT_JOB = 'study-plan-session-edit';

export type SessionEdit =
  | { userId: string; eventId: string; action: 'move'; start: string; end: string }
  | { userId: string; eventId: string; action: 'remove' };

/**
 * Edits join the user's job group (the repair's `groupKey`), so one never runs beside a
 * repair of the same student: the repair either saw the edit or runs after it.
 */
export function sessionEditEnqueuer(queue: Pick<Queue, 'add'>) {
  return {
    async editLater(edit: SessionEdit): Promise<{ jobId: string }> {
      const added = await queue.add(STUDY_SESSION_EDIT_JOB, edit, { groupKey: edit.userId, attempts: 1 });
      return { jobId: added.id };
    },
  };
}
export type SessionEditEnqueuer = ReturnType<typeof sessionEditEnqueuer>;

export interface SessionEditDeps {
  plans: Pick<StudyPlanRepo, 'listSessions' | 'saveSessions'>;
  calendarFor(userId: string): Pick<CalendarApi, 'batch'> | Promise<Pick<CalendarApi, 'batch'>>;
}

/**
 * Writes the edit to Google (If-Match the etag we stored: a change the student made there
 * meanwhile wins, 412) and records it as the follow of student edits would have: a moved
 * session pinned at its new time with the new etag, a removed one dropped for good.
 */
export async function applySessionEdit(deps: SessionEditDeps, edit: SessionEdit): Promise<void> {
  const row = (await deps.plans.listSessions(edit.userId)).find(
    (r) => r.googleEventId === edit.eventId && r.status !== 'dropped',
  );
  if (!row?.calendarId) throw new PermanentJobError('That study session is no longer on your calendar.');
  const api = await deps.calendarFor(edit.userId);
  const ifMatch = row.googleEtag ?? undefined;
  if (edit.action === 'move') {
    const start = new Date(edit.start);
    const end = new Date(edit.end);
    // A patch sends only the times; Google keeps the rest of the event.
    const event = { start: { dateTime: edit.start }, end: { dateTime: edit.end } } as EventBody;
    const [result] = await api.batch([
      {
        kind: 'patch',
        calendarId: row.calendarId,
        eventId: row.googleEventId,
        event,
        ...(ifMatch ? { ifMatch } : {}),
      },
    ]);
    if (!result?.ok) throw new PermanentJobError(failure(result));
    await deps.plans.saveSessions(edit.userId, {
      upserts: [{ ...row, start, end, status: 'pinned', googleEtag: result.etag ?? row.googleEtag }],
      deletes: [],
    });
    return;
  }
  const [result] = await api.batch([
    {
      kind: 'delete',
      calendarId: row.calendarId,
      eventId: row.googleEventId,
      ...(ifMatch ? { ifMatch } : {}),
    },
  ]);
  // Already gone in Google (404/410): the student removed it there too; dropped all the same.
  if (!result?.ok && result?.status !== 404 && result?.status !== 410)
    throw new PermanentJobError(failure(result));
  await deps.plans.saveSessions(edit.userId, { upserts: [{ ...row, status: 'dropped' }], deletes: [] });
}

function failure(result: { status: number; message?: string } | undefined): string {
  if (result?.status === 412)
    return 'The session changed in Google Calendar meanwhile; reload to see where it is now.';
  return `Google did not take the change (${result?.status ?? 'no answer'}${result?.message ? `: ${result.message}` : ''}).`;
}

export function registerSessionEditJobs(queue: Pick<Queue, 'process'>, deps: SessionEditDeps): void {
  queue.process<SessionEdit>(STUDY_SESSION_EDIT_JOB, (edit) => applySessionEdit(deps, edit));
}
