import type { EventBody } from './event-body.ts';

/**
 * The Google Calendar operations CanvasCal uses, for one user. The core depends on this
 * interface only; failures are `GoogleApiError` values with a `kind` to act on.
 */
export interface CalendarApi {
  insertCalendar(calendar: {
    summary: string;
    timeZone: string;
    description?: string;
  }): Promise<{ id: string }>;
  /** Resolves undefined when the calendar no longer exists (the user deleted it). */
  getCalendar(calendarId: string): Promise<{ id: string; timeZone: string } | undefined>;
  /** calendars.delete of a secondary calendar; one already gone counts as deleted. */
  deleteCalendar(calendarId: string): Promise<void>;
  /** calendars.patch: changes only the fields given. */
  patchCalendar(calendarId: string, changes: { timeZone?: string }): Promise<void>;
  /** One page of events.list; a dead sync token is a GoogleApiError of kind `gone`. */
  listEvents(calendarId: string, params: ListEventsParams): Promise<EventsPage>;
  /** One page of calendarList.list. */
  listCalendars(params: { pageToken?: string; maxResults?: number }): Promise<CalendarListPage>;
  /** One freebusy.query (at most 50 calendars); per-calendar errors come back inside the answer. */
  freeBusy(query: { timeMin: Date; timeMax: Date; calendarIds: string[] }): Promise<FreeBusyAnswer>;
  /** At most 50 operations; one HTTP request; one result per operation, in order. */
  batch(operations: readonly BatchOperation[]): Promise<BatchResult[]>;
  /** HTTP requests made through this client so far (a batch is one). */
  readonly requestCount: number;
}

export type BatchOperation =
  | { kind: 'insert'; calendarId: string; event: EventBody }
  | { kind: 'patch'; calendarId: string; eventId: string; event: Partial<EventBody>; ifMatch?: string }
  | { kind: 'delete'; calendarId: string; eventId: string; ifMatch?: string };
// `ifMatch`: the etag we last saw; Google answers 412 conditionNotMet when the event changed since.

export type BatchResult =
  | { ok: true; status: number; etag: string | undefined }
  | { ok: false; status: number; reason: string | undefined; message: string };

export const MAX_BATCH_SIZE = 50;

export interface ListEventsParams {
  syncToken?: string;
  pageToken?: string;
  singleEvents?: boolean;
  showDeleted?: boolean;
  maxResults?: number;
}

/** The fields of an Event resource that calendar awareness reads. */
export interface GoogleEvent {
  id: string;
  status: string;
  summary?: string;
  description?: string;
  start?: { date?: string; dateTime?: string; timeZone?: string };
  end?: { date?: string; dateTime?: string; timeZone?: string };
  transparency?: string;
  recurringEventId?: string;
  etag?: string;
  updated?: string;
  extendedProperties?: { private?: Record<string, string> };
  attendees?: Array<{ self?: boolean; responseStatus?: string }>;
}

export interface EventsPage {
  items: GoogleEvent[];
  nextPageToken: string | undefined;
  nextSyncToken: string | undefined;
  timeZone: string | undefined;
}

export interface CalendarListEntry {
  id: string;
  summary: string;
  /** The calendar's own description (not the user's override); where CanvasCal marks its calendars. */
  description?: string | undefined;
  timeZone: string | undefined;
  accessRole: string;
  primary: boolean;
  selected: boolean;
  hidden: boolean;
}

export interface CalendarListPage {
  items: CalendarListEntry[];
  nextPageToken: string | undefined;
}

export interface FreeBusyAnswer {
  calendars: Record<
    string,
    { busy: Array<{ start: string; end: string }>; errors: Array<{ reason: string }> }
  >;
}

/** What a new push channel asks of Google. */
export interface ChannelRequest {
  /** Our id for the channel (a UUID). */
  id: string;
  /** Sent back in every notification as `X-Goog-Channel-Token`. */
  token: string;
  /** The HTTPS address Google posts notifications to. */
  address: string;
  /** The lifetime asked for; Google may grant less. */
  ttlSeconds: number;
}

/**
 * Push channels for one user (events.watch, calendarList.watch, channels.stop). Kept apart from CalendarApi so
 * the many fakes of that interface need not grow; failures are `GoogleApiError` values.
 */
export interface ChannelApi {
  /** Opens a channel on a calendar's events; resolves with what Google granted. */
  watchEvents(calendarId: string, channel: ChannelRequest): Promise<{ resourceId: string; expiration: Date }>;
  /** Opens a channel on the user's calendar list (needs a scope that may list it). */
  watchCalendarList(channel: ChannelRequest): Promise<{ resourceId: string; expiration: Date }>;
  /** Stops a channel; one Google no longer knows (404) counts as stopped. */
  stopChannel(channel: { id: string; resourceId: string }): Promise<void>;
}
