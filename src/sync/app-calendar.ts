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
  connections: Pick<GoogleConnectionsRepo, 'setAppCalendar' | 'forgetAppCalendar'>;
  mappings: Pick<EventMappingsRepo, 'clearCalendar'>;
  /** What the last follow of the calendar learnt (its zone): an unchanged sync asks Google nothing. */
  calendarCache: Pick<CalendarCacheRepo, 'state' | 'noteTimeZone'>;
  logger: Logger;
}

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
  user: { userId: string; appCalendarId: string | null; grantedScopes: readonly string[] },
  timeZone: string,
): Promise<string> {
  const { userId, appCalendarId } = user;
  if (appCalendarId) {
    if (await keepZone(deps, api, userId, appCalendarId, timeZone)) return appCalendarId;
    await forgetAppCalendar(deps, userId, appCalendarId);
  }
  const marker = appCalendarMarker(userId);
  const found = user.grantedScopes.includes(SCOPES.calendarListReadonly)
    ? await findMarkedCalendar(api, marker)
    : undefined;
  if (found) {
    deps.logger.info({ userId }, 'adopted the CanvasCal calendar an earlier, interrupted attempt created');
    if (found.timeZone !== timeZone) await api.patchCalendar(found.id, { timeZone });
    await deps.connections.setAppCalendar(userId, found.id);
    return found.id;
  }
  const { id } = await api.insertCalendar({
    summary: APP_CALENDAR_NAME,
    timeZone,
    description: `${DESCRIPTION}\n${marker}`,
  });
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

/** The owned calendar whose description carries `marker` (an earlier, interrupted create), if any. */
export async function findMarkedCalendar(
  api: CalendarApi,
  marker: string,
): Promise<{ id: string; timeZone: string | undefined } | undefined> {
  let pageToken: string | undefined;
  // Bounded: 20 pages of 250 calendars is far past any real account.
  for (let page = 0; page < 20; page++) {
    const list = await api.listCalendars({ maxResults: 250, ...(pageToken ? { pageToken } : {}) });
    const mine = list.items.find(
      (entry) => entry.accessRole === 'owner' && entry.description?.includes(marker) === true,
    );
    if (mine) return { id: mine.id, timeZone: mine.timeZone };
    pageToken = list.nextPageToken;
    if (!pageToken) return undefined;
  }
  return undefined;
}
