import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { EventMappingsRepo } from '../db/event-mappings-repo.ts';
import type { GoogleConnectionsRepo } from '../db/google-connections-repo.ts';
import type { CalendarApi } from '../google/calendar-api.ts';
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
  const digest = createHash('sha256').update(`canvascal-app-calendar:${userId}`).digest('hex');
  return `[canvascal:${digest.slice(0, 24)}]`;
}

export interface AppCalendarDeps {
  connections: Pick<GoogleConnectionsRepo, 'setAppCalendar'>;
  mappings: Pick<EventMappingsRepo, 'clearCalendar'>;
  logger: Logger;
}

/**
 * The app's own calendar: created on first sync, recreated (with every event) if the user
 * deleted it. Idempotent: before creating, the calendar list is searched for one this user's
 * earlier attempt made, so a retried create adopts it instead of adding a second
 * "CanvasCal". The search needs `calendar.calendarlist.readonly`; without it a lost create
 * cannot be found (Google offers no other way to list calendars) and a new one is made.
 */
export async function ensureAppCalendar(
  deps: AppCalendarDeps,
  api: CalendarApi,
  user: { userId: string; appCalendarId: string | null; grantedScopes: readonly string[] },
  timeZone: string,
): Promise<string> {
  const { userId, appCalendarId } = user;
  if (appCalendarId) {
    const existing = await api.getCalendar(appCalendarId);
    if (existing) {
      // The student's zone changed (or was only learnt after the calendar was made): the
      // calendar follows it, so Google shows its all-day deadlines on the right dates.
      if (existing.timeZone !== timeZone) {
        await api.patchCalendar(appCalendarId, { timeZone });
        deps.logger.info(
          { userId, from: existing.timeZone, to: timeZone },
          "moved the CanvasCal calendar to the student's time zone",
        );
      }
      return appCalendarId;
    }
    const forgotten = await deps.mappings.clearCalendar(userId, appCalendarId);
    deps.logger.info({ userId, forgotten }, 'the CanvasCal calendar was deleted in Google; recreating it');
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

async function findMarkedCalendar(
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
