import type { StoredSession, StudyPlanRepo } from '../db/study-plan-repo.ts';
import type { CalendarApi, GoogleEvent } from '../google/calendar-api.ts';
import { toUtc } from '../google/event-times.ts';
import { GoogleApiError } from '../google/google-api-error.ts';
import { renamedByStudent } from './session-event.ts';

// The same parameters on every request of the follow: Google rejects a token used with others.
const LIST_PARAMS = { singleEvents: true, maxResults: 2500 } as const;

export interface StudentEdits {
  mode: 'full' | 'incremental';
  /** Sessions the student moved or shortened (now pinned there). */
  pinned: number;
  /** Sessions the student deleted (dropped for good). */
  dropped: number;
}

/**
 * Follows the study calendar from its sync token (one incremental list when nothing
 * changed) and records the student's verdicts on our sessions: a session whose time they
 * changed is pinned at its new time (a shortened one so counts shorter), a deleted one is
 * dropped and never recreated, a renamed one keeps the student's title and description. Our own writes come back with the times we stored, so they
 * read as no edit. A 410 (token gone) or no token lists the whole calendar, where a written
 * session that is missing counts as deleted. Verdicts are saved before the token, so a
 * crash in between only reads them again.
 */
export async function followStudentEdits(
  api: Pick<CalendarApi, 'listEvents'>,
  repo: Pick<StudyPlanRepo, 'listSessions' | 'saveSessions' | 'getState' | 'setState'>,
  userId: string,
  calendarId: string,
): Promise<StudentEdits> {
  const state = await repo.getState(userId);
  let listing: { events: GoogleEvent[]; token: string | undefined; timeZone: string };
  let mode: StudentEdits['mode'] = state.syncToken ? 'incremental' : 'full';
  try {
    listing = await listAll(api, calendarId, state.syncToken ?? undefined);
  } catch (error) {
    if (!(error instanceof GoogleApiError && error.kind === 'gone' && state.syncToken)) throw error;
    mode = 'full';
    listing = await listAll(api, calendarId, undefined);
  }
  const rows = (await repo.listSessions(userId)).filter(
    (row) => row.status !== 'dropped' && row.calendarId === calendarId,
  );
  const byEvent = new Map(rows.map((row) => [row.googleEventId, row]));
  const changed: StoredSession[] = [];
  const outcome: StudentEdits = { mode, pinned: 0, dropped: 0 };
  const seen = new Set<string>();
  for (const event of listing.events) {
    seen.add(event.id);
    const row = byEvent.get(event.id);
    if (!row) continue;
    if (event.status === 'cancelled') {
      changed.push({ ...row, status: 'dropped', googleEtag: event.etag ?? row.googleEtag });
      outcome.dropped += 1;
      continue;
    }
    const start = toUtc(event.start, listing.timeZone);
    const end = toUtc(event.end, listing.timeZone);
    if (!start || !end) continue;
    const moved = start.getTime() !== row.start.getTime() || end.getTime() !== row.end.getTime();
    // Once renamed, the words stay theirs (a rename back to ours is still their choice).
    const titledByStudent = row.titledByStudent || renamedByStudent(event);
    if (moved) {
      changed.push({
        ...row,
        start,
        end,
        status: 'pinned',
        titledByStudent,
        googleEtag: event.etag ?? row.googleEtag,
      });
      outcome.pinned += 1;
    } else if (titledByStudent !== row.titledByStudent || (event.etag && event.etag !== row.googleEtag)) {
      // Touched without a change of time (a title, a colour): the etag moves on all the same.
      changed.push({ ...row, titledByStudent, googleEtag: event.etag ?? row.googleEtag });
    }
  }
  if (mode === 'full')
    for (const row of rows)
      if (!seen.has(row.googleEventId)) {
        changed.push({ ...row, status: 'dropped' });
        outcome.dropped += 1;
      }
  await repo.saveSessions(userId, { upserts: changed, deletes: [] });
  if (listing.token) await repo.setState(userId, { syncToken: listing.token });
  return outcome;
}

async function listAll(
  api: Pick<CalendarApi, 'listEvents'>,
  calendarId: string,
  syncToken: string | undefined,
): Promise<{ events: GoogleEvent[]; token: string | undefined; timeZone: string }> {
  const events: GoogleEvent[] = [];
  let pageToken: string | undefined;
  let timeZone = 'UTC';
  // Bounded: 40 pages of 2,500 events is far past any study calendar.
  for (let page = 0; page < 40; page++) {
    const answer = await api.listEvents(calendarId, {
      ...LIST_PARAMS,
      ...(syncToken ? { syncToken } : {}),
      ...(pageToken ? { pageToken } : {}),
    });
    events.push(...answer.items);
    timeZone = answer.timeZone ?? timeZone;
    if (!answer.nextPageToken) return { events, token: answer.nextSyncToken, timeZone };
    pageToken = answer.nextPageToken;
  }
  return { events, token: undefined, timeZone };
}
