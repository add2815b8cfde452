import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { CalendarCacheRepo } from '../db/calendar-cache-repo.ts';
import type { EventMappingsRepo } from '../db/event-mappings-repo.ts';
import type { GoogleConnectionsRepo } from '../db/google-connections-repo.ts';
import type { CalendarApi } from '../google/calendar-api.ts';
import { GoogleApiError } from '../google/google-api-error.ts';
import { SCOPES } from '../google/scopes.ts';

export const APP_CALENDAR_NAME = 'CanvasCal';

const DESCRIPTION =
  'Your Canvas deadlines, kept up to date by CanvasCal. Change items in Canvas; edits here are overwritten.';

/**
 * The mark written into the description of the calendar CanvasCal creates for a user. Google
 * calendars carry no extended properties, so the description is where a create whose answer
 * was lost (a crash or a timeout inside `calendars.insert`) can be recognised afterwards in
 * the calendar list. It names no user: a hash of the user id, stable across retries.
 */
export function appCalendarMarker(userId: string): string {
  return calendarMarker(userId, 'canvascal-app-calendar');
}

/** The marker of one of CanvasCal's calendars (`purpose` keeps a user's calendars apart). */
export function calendarMarker(userId: string, purpose: string): string {
  const digest = createHash('sha256').update(`${purpose}:${userId}`).digest('hex');
  return `[canvascal:${digest.slice(0, 24)}]`;
}

export interface AppCalendarDeps {
  connections: Pick<GoogleConnectionsRepo, 'setAppCalendar' | 'forgetAppCalendar' | 'setAppCalendarUnsure'>;
  mappings: Pick<EventMappingsRepo, 'clearCalendar'>;
  /** What the last follow of the calendar learnt (its zone): an unchanged sync asks Google nothing. */
  calendarCache: Pick<CalendarCacheRepo, 'state' | 'noteTimeZone'>;
  logger: Logger;
  now?: () => number;
}

/**
 * How long after an unanswered create syncs keep looking for the calendar it may yet make:
 * Google applies a request whose caller gave up within moments, never hours later.
 */
export const UNSURE_CREATE_WINDOW_MS = 60 * 60_000;

/**
 * The app's own calendar: created on first sync, recreated (with every event) if the user
 * deleted it. Idempotent: before creating, the calendar list is searched for one this user's
 * earlier attempt made, so a retried create adopts it instead of adding a second
 * "CanvasCal". The search needs `calendar.calendarlist.readonly`; without it a lost create
 * cannot be found (Google offers no other way to list calendars) and a new one is made.
 *
 * A calendar we know costs no request: its zone is the one the follow last read (Google is
 * asked only before the first follow), and its deletion is noticed by the follow's 404
 * (`forgetAppCalendar`) or by the 404 of a write (the sync then calls this again).
 */
export async function ensureAppCalendar(
  deps: AppCalendarDeps,
  api: CalendarApi,
  user: {
    userId: string;
    appCalendarId: string | null;
    grantedScopes: readonly string[];
    appCalendarUnsureSince?: Date | null | undefined;
  },
  timeZone: string,
): Promise<string> {
  const { userId, appCalendarId } = user;
  const marker = appCalendarMarker(userId);
  const canList = user.grantedScopes.includes(SCOPES.calendarListReadonly);
  if (appCalendarId) {
    if (await keepZone(deps, api, userId, appCalendarId, timeZone)) {
      if (user.appCalendarUnsureSince && canList)
        await removeStrays(deps, api, userId, appCalendarId, user.appCalendarUnsureSince);
      return appCalendarId;
    }
    await forgetAppCalendar(deps, userId, appCalendarId);
  }
  const found = canList ? (await markedCalendars(api, marker))[0] : undefined;
  if (found) {
    deps.logger.info({ userId }, 'adopted the CanvasCal calendar an earlier, interrupted attempt created');
    if (found.timeZone !== timeZone) await api.patchCalendar(found.id, { timeZone });
    await deps.connections.setAppCalendar(userId, found.id);
    return found.id;
  }
  let id: string;
  try {
    ({ id } = await api.insertCalendar({
      summary: APP_CALENDAR_NAME,
      timeZone,
      description: `${DESCRIPTION}\n${marker}`,
    }));
  } catch (error) {
    // No answer (a timeout, a reset, a 5xx) is not "not created": Google may still apply the
    // create after our retry made another. A definite refusal made nothing.
    if (!(error instanceof GoogleApiError) || error.retryable)
      await deps.connections
        .setAppCalendarUnsure(userId, new Date((deps.now ?? Date.now)()))
        .catch((cause: unknown) =>
          deps.logger.warn(
            { userId, cause: cause instanceof Error ? cause.message : String(cause) },
            'could not record an unanswered create of the CanvasCal calendar',
          ),
        );
    throw error;
  }
  await deps.connections.setAppCalendar(userId, id);
  return id;
}

/**
 * Moves a calendar we know to the student's zone if it is elsewhere (or was only learnt after
 * the calendar was made), so Google shows its all-day deadlines on the right dates. False when
 * Google says the calendar is gone.
 */
async function keepZone(
  deps: AppCalendarDeps,
  api: CalendarApi,
  userId: string,
  calendarId: string,
  timeZone: string,
): Promise<boolean> {
  try {
    const known = (await deps.calendarCache.state(userId, calendarId))?.timeZone ?? undefined;
    const current = known ?? (await api.getCalendar(calendarId))?.timeZone;
    if (current === undefined) return false;
    if (current !== timeZone) {
      await api.patchCalendar(calendarId, { timeZone });
      await deps.calendarCache.noteTimeZone(userId, calendarId, timeZone);
      deps.logger.info(
        { userId, from: current, to: timeZone },
        "moved the CanvasCal calendar to the student's time zone",
      );
    }
    return true;
  } catch (error) {
    if (error instanceof GoogleApiError && error.kind === 'not_found') return false;
    throw error;
  }
}

/**
 * Forgets a CanvasCal calendar Google says is gone (a 404): its mappings go, so the next sync
 * recreates the calendar with every event. Only that calendar is forgotten: one made since
 * (by a sync that noticed first) stays.
 */
export async function forgetAppCalendar(
  deps: {
    connections: Pick<GoogleConnectionsRepo, 'forgetAppCalendar'>;
    mappings: Pick<EventMappingsRepo, 'clearCalendar'>;
    logger?: Logger;
  },
  userId: string,
  calendarId: string,
): Promise<void> {
  if (!(await deps.connections.forgetAppCalendar(userId, calendarId))) return;
  const forgotten = await deps.mappings.clearCalendar(userId, calendarId);
  deps.logger?.info(
    { userId, forgotten },
    'the CanvasCal calendar was deleted in Google; the sync recreates it',
  );
}

/**
 * Deletes the calendars carrying this user's mark other than `keep`: made by creates whose
 * answer was lost and that Google applied after a retry had made the calendar in use.
 * CanvasCal never wrote to them. Once the window has passed, stops looking.
 */
async function removeStrays(
  deps: AppCalendarDeps,
  api: CalendarApi,
  userId: string,
  keep: string,
  unsureSince: Date,
): Promise<void> {
  const strays = (await markedCalendars(api, appCalendarMarker(userId))).filter((c) => c.id !== keep);
  for (const stray of strays) await api.deleteCalendar(stray.id);
  if (strays.length > 0)
    deps.logger.warn(
      { userId, deleted: strays.length },
      'deleted CanvasCal calendars that creates whose answer was lost made after their retry',
    );
  if ((deps.now ?? Date.now)() - unsureSince.getTime() > UNSURE_CREATE_WINDOW_MS)
    await deps.connections.setAppCalendarUnsure(userId, null);
}

/** The calendars the user owns that carry `marker`, in calendar-list order. */
export async function markedCalendars(
  api: CalendarApi,
  marker: string,
): Promise<Array<{ id: string; timeZone: string | undefined }>> {
  const found: Array<{ id: string; timeZone: string | undefined }> = [];
  let pageToken: string | undefined;
  // Bounded: 20 pages of 250 calendars is far past any real account.
  for (let page = 0; page < 20; page++) {
    const list = await api.listCalendars({ maxResults: 250, ...(pageToken ? { pageToken } : {}) });
    for (const entry of list.items)
      if (entry.accessRole === 'owner' && entry.description?.includes(marker) === true)
        found.push({ id: entry.id, timeZone: entry.timeZone });
    pageToken = list.nextPageToken;
    if (!pageToken) break;
  }
  return found;
}
