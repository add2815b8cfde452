import type { CachedEvent, CalendarCacheRepo, CalendarSyncState } from '../db/calendar-cache-repo.ts';
import type { UserEdit } from '../db/event-mappings-repo.ts';
import type { CalendarApi, GoogleEvent, ListEventsParams } from './calendar-api.ts';
import { isAllDay, toUtc } from './event-times.ts';
import { GoogleApiError } from './google-api-error.ts';

// The same parameters on every request of a calendar's sync: Google rejects a sync token
// used with different ones. Recurring events come expanded, so the cache holds instances.
const LIST_PARAMS: ListEventsParams = { singleEvents: true, maxResults: 2500 };

export interface CalendarToFollow {
  calendarId: string;
  role: CalendarSyncState['role'];
  /** The calendar's own zone, for all-day dates. */
  timeZone: string;
}

export interface DeltaSyncResult {
  mode: 'full' | 'incremental';
  /** True when a sync token had expired (410) and a full sync replaced the cache. */
  recovered: boolean;
  pages: number;
  upserts: number;
  removals: number;
  /** The events Google returned: every change (incremental) or every live event (full). */
  events: GoogleEvent[];
  /** The student's edits to our events, committed with the cache and the token. */
  userEdits: UserEdit[];
  /**
   * Each listed event as the cache had it before and as it is now (incremental listings only;
   * absent after a full listing, when anything may have changed).
   */
  changes?: EventChange[];
}

/** One event of a listing: as the cache had it before, and as it is now (absent: none). */
export interface EventChange {
  before: CachedEvent | undefined;
  after: CachedEvent | undefined;
}

/** What one listing fetched, before anything of it is committed. */
export interface FetchedListing {
  mode: 'full' | 'incremental';
  /** Every change (incremental) or every event of the calendar (full, cancelled ones included). */
  events: readonly GoogleEvent[];
  /** The calendar's zone, for all-day dates. */
  timeZone: string;
}

export interface SyncCalendarOptions {
  /**
   * The student's edits to our events found in a listing. They are committed in the same
   * transaction as the cache changes and the token, so a failure before the commit leaves
   * the old token and a retry fetches (and finds) them again: once or not at all.
   */
  userEditsIn?(listing: FetchedListing): Promise<UserEdit[]>;
}

/**
 * Brings one calendar's cache up to date. With a stored token, fetches only what changed
 * (every page, then applies them together with the new token in one transaction). A 410
 * drops to a full sync, which also commits as one unit, so readers see the old cache or the
 * new one, never a half-empty one. Without a token it starts with a full sync.
 */
export async function syncCalendar(
  api: Pick<CalendarApi, 'listEvents'>,
  cache: CalendarCacheRepo,
  userId: string,
  calendar: CalendarToFollow,
  options: SyncCalendarOptions = {},
): Promise<DeltaSyncResult> {
  const state = await cache.state(userId, calendar.calendarId);
  if (state?.syncToken) {
    try {
      const { events, syncToken, pages, timeZone } = await fetchAll(
        api,
        calendar.calendarId,
        state.syncToken,
      );
      // As in a full sync, the zone the listing names wins over the caller's guess.
      const zone = timeZone ?? calendar.timeZone;
      const upserts: CachedEvent[] = [];
      const removals: string[] = [];
      // Read before the changes are applied: what each event blocked until now.
      const previous = new Map(
        (
          await cache.getMany(
            userId,
            calendar.calendarId,
            events.map((e) => e.id),
          )
        ).map((e) => [e.eventId, e]),
      );
      const changes: EventChange[] = [];
      for (const event of events) {
        const before = previous.get(event.id);
        // A cancelled instance of a recurring event stays as an exception row (status
        // cancelled), so the series is not thought to still happen then; a cancelled
        // single event is simply gone.
        if (event.status === 'cancelled' && !event.recurringEventId) {
          removals.push(event.id);
          changes.push({ before, after: undefined });
        } else {
          const after = toCachedEvent(event, zone);
          upserts.push(after);
          changes.push({ before, after });
        }
      }
      const userEdits = (await options.userEditsIn?.({ mode: 'incremental', events, timeZone: zone })) ?? [];
      await cache.applyChanges(userId, calendar.calendarId, { upserts, removals }, syncToken, userEdits);
      // The zone is what the Canvas sync compares instead of asking Google (a student may move it).
      if (timeZone !== undefined && timeZone !== state.timeZone)
        await cache.noteTimeZone(userId, calendar.calendarId, timeZone);
      return {
        mode: 'incremental',
        recovered: false,
        pages,
        upserts: upserts.length,
        removals: removals.length,
        events,
        userEdits,
        changes,
      };
    } catch (error) {
      if (!(error instanceof GoogleApiError && error.kind === 'gone')) throw error;
      return { ...(await fullSync(api, cache, userId, calendar, options)), recovered: true };
    }
  }
  return fullSync(api, cache, userId, calendar, options);
}

async function fullSync(
  api: Pick<CalendarApi, 'listEvents'>,
  cache: CalendarCacheRepo,
  userId: string,
  calendar: CalendarToFollow,
  options: SyncCalendarOptions,
): Promise<DeltaSyncResult> {
  const { events, syncToken, pages, timeZone } = await fetchAll(api, calendar.calendarId, undefined);
  const zone = timeZone ?? calendar.timeZone;
  const live = events.filter((e) => e.status !== 'cancelled');
  const userEdits = (await options.userEditsIn?.({ mode: 'full', events, timeZone: zone })) ?? [];
  await cache.replaceCalendar(
    userId,
    { calendarId: calendar.calendarId, role: calendar.role, timeZone: zone },
    live.map((e) => toCachedEvent(e, zone)),
    syncToken,
    userEdits,
  );
  return {
    mode: 'full',
    recovered: false,
    pages,
    upserts: live.length,
    removals: 0,
    events: live,
    userEdits,
  };
}

async function fetchAll(
  api: Pick<CalendarApi, 'listEvents'>,
  calendarId: string,
  syncToken: string | undefined,
) {
  const events: GoogleEvent[] = [];
  let pageToken: string | undefined;
  let pages = 0;
  let timeZone: string | undefined;
  for (;;) {
    const page = await api.listEvents(calendarId, {
      ...LIST_PARAMS,
      ...(syncToken ? { syncToken } : {}),
      ...(pageToken ? { pageToken } : {}),
    });
    pages += 1;
    timeZone ??= page.timeZone;
    events.push(...page.items);
    // Google puts nextSyncToken only on the last page.
    if (page.nextSyncToken) return { events, syncToken: page.nextSyncToken, pages, timeZone };
    if (!page.nextPageToken)
      throw new GoogleApiError(
        'bad_request',
        200,
        'noSyncToken',
        'Google ended the listing without a sync token',
      );
    pageToken = page.nextPageToken;
  }
}

/** A Google event as the cache keeps it: UTC instants, and whether it blocks time. */
export function toCachedEvent(event: GoogleEvent, calendarTimeZone: string): CachedEvent {
  const declined = event.attendees?.some((a) => a.self && a.responseStatus === 'declined') ?? false;
  return {
    eventId: event.id,
    status: event.status,
    summary: event.summary ?? null,
    startAt: toUtc(
      event.start,
      event.start?.timeZone && isAllDay(event.start) ? event.start.timeZone : calendarTimeZone,
    ),
    endAt: toUtc(
      event.end,
      event.end?.timeZone && isAllDay(event.end) ? event.end.timeZone : calendarTimeZone,
    ),
    allDay: isAllDay(event.start),
    // "transparent" in the cache means "does not block time": free events and declined invitations.
    transparent: event.transparency === 'transparent' || declined,
    recurringEventId: event.recurringEventId ?? null,
    etag: event.etag ?? null,
    googleUpdatedAt: event.updated ? new Date(event.updated) : null,
  };
}
