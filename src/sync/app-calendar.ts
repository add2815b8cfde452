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
 * The mark written into the description of a calendar CanvasCal creates for a user. Google
 * calendars carry no extended properties, so the description is where a create whose answer
 * was lost (a crash or a timeout inside `calendars.insert`) can be recognised afterwards in
 * the calendar list. It names no user: a hash of the user id (and of which of CanvasCal's
 * calendars it is), stable across retries.
 */
export function calendarMarker(userId: string, purpose: string): string {
  const digest = createHash('sha256').update(`${purpose}:${userId}`).digest('hex');
  return `[canvascal:${digest.slice(0, 24)}]`;
}

export function appCalendarMarker(userId: string): string {
  return calendarMarker(userId, 'canvascal-app-calendar');
}

/** Which of CanvasCal's own calendars: its name, description and marker. */
export interface OwnedCalendarKind {
  name: string;
  description: string;
  /** Keeps the markers of a user's CanvasCal calendars apart. */
  markerPurpose: string;
}

export interface OwnedCalendarStore {
  /** Records the calendar's id (a new or adopted calendar). */
  remember(calendarId: string): Promise<void>;
  /** The recorded calendar is gone in Google: forget what was written to it; resolves with how much. */
  forget(calendarId: string): Promise<number>;
  logger: Logger;
}

export interface AppCalendarDeps {
  connections: Pick<GoogleConnectionsRepo, 'setAppCalendar'>;
  mappings: Pick<EventMappingsRepo, 'clearCalendar'>;
  logger: Logger;
}

/**
 * The app's own deadline calendar: created on first sync, recreated (with every event) if the
 * user deleted it. See `ensureOwnedCalendar`.
 */
export async function ensureAppCalendar(
  deps: AppCalendarDeps,
  api: CalendarApi,
  user: { userId: string; appCalendarId: string | null; grantedScopes: readonly string[] },
  timeZone: string,
): Promise<string> {
  const { userId } = user;
  return ensureOwnedCalendar(
    { name: APP_CALENDAR_NAME, description: DESCRIPTION, markerPurpose: 'canvascal-app-calendar' },
    {
      remember: (id) => deps.connections.setAppCalendar(userId, id),
      forget: (id) => deps.mappings.clearCalendar(userId, id),
      logger: deps.logger,
    },
    api,
    { userId, calendarId: user.appCalendarId, grantedScopes: user.grantedScopes },
    timeZone,
  );
}

/**
 * One of CanvasCal's own calendars: created when first needed, recreated if the user
 * deleted it (the store forgets what was written there, so it is all written again).
 * Idempotent: before creating, the calendar list is searched for one this user's earlier
 * attempt made, so a retried create adopts it instead of adding a second one. The search
 * needs `calendar.calendarlist.readonly`; without it a lost create cannot be found (Google
 * offers no other way to list calendars) and a new one is made.
 */
export async function ensureOwnedCalendar(
  kind: OwnedCalendarKind,
  store: OwnedCalendarStore,
  api: CalendarApi,
  user: { userId: string; calendarId: string | null; grantedScopes: readonly string[] },
  timeZone: string,
): Promise<string> {
  const { userId, calendarId } = user;
  if (calendarId) {
    const existing = await api.getCalendar(calendarId);
    if (existing) {
      // The student's zone changed (or was only learnt after the calendar was made): the
      // calendar follows it, so Google shows its all-day events on the right dates.
      if (existing.timeZone !== timeZone) {
        await api.patchCalendar(calendarId, { timeZone });
        store.logger.info(
          { userId, calendar: kind.name, from: existing.timeZone, to: timeZone },
          "moved a CanvasCal calendar to the student's time zone",
        );
      }
      return calendarId;
    }
    const forgotten = await store.forget(calendarId);
    store.logger.info(
      { userId, calendar: kind.name, forgotten },
      'a CanvasCal calendar was deleted in Google; recreating it',
    );
  }
  const marker = calendarMarker(userId, kind.markerPurpose);
  const found = user.grantedScopes.includes(SCOPES.calendarListReadonly)
    ? await findMarkedCalendar(api, marker)
    : undefined;
  if (found) {
    store.logger.info(
      { userId, calendar: kind.name },
      'adopted the calendar an earlier, interrupted attempt created',
    );
    if (found.timeZone !== timeZone) await api.patchCalendar(found.id, { timeZone });
    await store.remember(found.id);
    return found.id;
  }
  const { id } = await api.insertCalendar({
    summary: kind.name,
    timeZone,
    description: `${kind.description}\n${marker}`,
  });
  await store.remember(id);
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
