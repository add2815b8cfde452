import {
  endOf,
  isMaster,
  type ListedEvent,
  RECURRENCE_HORIZON_MS,
  seriesSpan,
  singleEventsView,
  startOf,
} from './event-instances.ts';
import { errors } from './google-errors.ts';
import type { Calendar, GoogleState, StoredEvent } from './google-state.ts';
import type { EmulatorResponse } from './oauth-endpoints.ts';
import { decodeCursor, encodeCursor, type PageCursor } from './page-cursor.ts';

// Parameters Google refuses together with a syncToken.
const NOT_WITH_SYNC_TOKEN = [
  'timeMin',
  'timeMax',
  'orderBy',
  'updatedMin',
  'q',
  'privateExtendedProperty',
  'sharedExtendedProperty',
  'iCalUID',
];

/** events.list and events.instances: what a calendar holds, as masters or as instances, in pages. */
export class EventListing {
  constructor(
    private readonly state: GoogleState,
    private readonly now: () => number,
  ) {}

  /** `accessRole` is the caller's role on the calendar, echoed in the envelope. */
  list(calendar: Calendar, query: URLSearchParams, accessRole = 'owner'): EmulatorResponse {
    const events = this.state.events.get(calendar.id) ?? new Map<string, StoredEvent>();
    const syncToken = query.get('syncToken');
    const pageToken = query.get('pageToken');
    const maxResults = Number(query.get('maxResults') ?? 250);
    if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > 2500)
      throw errors.invalid('Invalid value for maxResults', 'maxResults');
    const single = query.get('singleEvents') === 'true';
    const orderBy = query.get('orderBy');
    if (orderBy !== null && orderBy !== 'startTime' && orderBy !== 'updated')
      throw errors.invalid(`Invalid value for orderBy: ${orderBy}`, 'orderBy');
    // Google can order by start time only once series are expanded into instances.
    if (orderBy === 'startTime' && !single)
      throw errors.invalid('The requested ordering is not available for the particular query.', 'orderBy');
    let cursor: PageCursor;
    if (pageToken) {
      const decoded = decodeCursor<PageCursor>(pageToken);
      if (!decoded || typeof decoded.o !== 'number')
        throw errors.invalid('Invalid page token value.', 'pageToken');
      cursor = decoded;
    } else if (syncToken) {
      const bad = NOT_WITH_SYNC_TOKEN.find((name) => query.has(name));
      if (bad) throw errors.invalid(`The ${bad} parameter cannot be used together with syncToken.`, bad);
      const token = decodeCursor<{ c: string; s: number }>(syncToken);
      if (!token || token.c !== calendar.id) throw errors.invalid('Invalid sync token value.', 'syncToken');
      if (token.s < (this.state.syncTokenFloor.get(calendar.id) ?? 0)) throw errors.fullSyncRequired();
      cursor = { o: 0, s: this.state.seq, f: token.s };
    } else {
      cursor = { o: 0, s: this.state.seq, f: null };
    }
    const zone = calendar.timeZone;
    const timeMin = query.has('timeMin') ? Date.parse(query.get('timeMin') ?? '') : undefined;
    const timeMax = query.has('timeMax') ? Date.parse(query.get('timeMax') ?? '') : undefined;
    if (Number.isNaN(timeMin)) throw errors.invalid('Bad Request', 'timeMin');
    if (Number.isNaN(timeMax)) throw errors.invalid('Bad Request', 'timeMax');
    const horizon = Math.max(this.now() + RECURRENCE_HORIZON_MS, timeMax ?? 0);
    const updatedMin = query.has('updatedMin') ? Date.parse(query.get('updatedMin') ?? '') : undefined;
    if (Number.isNaN(updatedMin)) throw errors.invalid('Bad Request', 'updatedMin');
    // Deletions older than the calendar's purged history can no longer be listed: as a sync token, 410.
    if (updatedMin !== undefined && updatedMin < (this.state.historyPurgedAt.get(calendar.id) ?? 0))
      throw errors.updatedMinTooLongAgo();
    const iCalUID = query.get('iCalUID');
    const property = query.getAll('privateExtendedProperty').map((p) => p.split('='));
    const listed: ListedEvent[] = single
      ? singleEventsView(events, zone, horizon)
      : [...events.values()].filter((e) => !e.ruleTombstone);
    const span = (r: StoredEvent['resource']) =>
      !single && isMaster(r) ? seriesSpan(r, zone, horizon) : [startOf(r, zone), endOf(r, zone)];
    const visible = (r: StoredEvent['resource']) =>
      r.status !== 'cancelled' ||
      cursor.f !== null ||
      query.get('showDeleted') === 'true' ||
      // Documented: with updatedMin, entries deleted since then always come, whatever showDeleted says.
      updatedMin !== undefined ||
      // Documented: cancelled instances still appear when neither showDeleted nor singleEvents is set.
      (!single && r.recurringEventId !== undefined);
    const matching = listed
      .filter((e) => e.seq <= cursor.s && (cursor.f === null || e.seq > cursor.f))
      .map((e) => e.resource)
      .filter(visible)
      .filter((r) => timeMin === undefined || (span(r)[1] ?? Number.NaN) > timeMin)
      .filter((r) => timeMax === undefined || (span(r)[0] ?? Number.NaN) < timeMax)
      .filter((r) => updatedMin === undefined || Date.parse(String(r.updated)) >= updatedMin)
      .filter((r) => !iCalUID || r.iCalUID === iCalUID)
      .filter((r) => property.every(([k, v]) => privateProps(r)[k ?? ''] === v))
      .sort(
        orderBy === 'startTime'
          ? (a, b) => startOf(a, zone) - startOf(b, zone) || a.id.localeCompare(b.id)
          : orderBy === 'updated'
            ? (a, b) => String(a.updated).localeCompare(String(b.updated)) || a.id.localeCompare(b.id)
            : (a, b) => a.id.localeCompare(b.id),
      );
    const page = matching.slice(cursor.o, cursor.o + maxResults);
    const last = cursor.o + maxResults >= matching.length;
    const envelope = this.listEnvelope(calendar, cursor.s, query, accessRole);
    return {
      status: 200,
      body: {
        ...envelope,
        items: query.has('timeZone') ? page.map((r) => inZone(r, envelope.timeZone)) : page,
        // Google sends nextSyncToken only on the last page.
        ...(last
          ? { nextSyncToken: encodeCursor({ c: calendar.id, s: cursor.s }) }
          : { nextPageToken: encodeCursor({ ...cursor, o: cursor.o + maxResults }) }),
      },
    };
  }

  /** events.instances: the instances of one series, in start order, exceptions included. */
  instances(calendar: Calendar, eventId: string, query: URLSearchParams): EmulatorResponse {
    const events = this.state.events.get(calendar.id);
    const master = events?.get(eventId);
    if (!master || master.resource.status === 'cancelled' || !isMaster(master.resource))
      throw errors.notFound();
    const maxResults = Number(query.get('maxResults') ?? 250);
    if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > 2500)
      throw errors.invalid('Invalid value for maxResults', 'maxResults');
    const offset = query.get('pageToken')
      ? Number(decodeCursor<{ o: number }>(query.get('pageToken') ?? '')?.o)
      : 0;
    if (!Number.isInteger(offset) || offset < 0)
      throw errors.invalid('Invalid page token value.', 'pageToken');
    const zone = calendar.timeZone;
    const timeMin = query.has('timeMin') ? Date.parse(query.get('timeMin') ?? '') : undefined;
    const timeMax = query.has('timeMax') ? Date.parse(query.get('timeMax') ?? '') : undefined;
    const horizon = Math.max(this.now() + RECURRENCE_HORIZON_MS, timeMax ?? 0);
    const showDeleted = query.get('showDeleted') === 'true';
    const all = singleEventsView(events, zone, horizon)
      .map((e) => e.resource)
      .filter((r) => r.recurringEventId === eventId)
      .filter((r) => showDeleted || r.status !== 'cancelled')
      .filter((r) => timeMin === undefined || endOf(r, zone) > timeMin)
      .filter((r) => timeMax === undefined || startOf(r, zone) < timeMax)
      .sort((a, b) => startOf(a, zone) - startOf(b, zone) || a.id.localeCompare(b.id));
    const more = offset + maxResults < all.length;
    return {
      status: 200,
      body: {
        ...this.listEnvelope(calendar, this.state.seq, query),
        items: all.slice(offset, offset + maxResults),
        ...(more ? { nextPageToken: encodeCursor({ o: offset + maxResults }) } : {}),
      },
    };
  }

  /** The listing's header; `timeZone` (a valid IANA zone) names the zone of the response. */
  private listEnvelope(calendar: Calendar, seq: number, query: URLSearchParams, accessRole = 'owner') {
    const timeZone = query.get('timeZone') ?? calendar.timeZone;
    if (!isTimeZone(timeZone))
      throw errors.invalid('Invalid time zone definition for start time.', 'timeZone');
    return {
      kind: 'calendar#events',
      etag: `"${seq}"`,
      summary: calendar.summary,
      updated: new Date(this.now()).toISOString(),
      timeZone,
      accessRole,
      defaultReminders: [],
    };
  }
}

/** Timed start, end and originalStartTime rewritten as the same instants in `zone`'s offset. */
function inZone<T extends Record<string, unknown>>(r: T, zone: string): T {
  const copy: Record<string, unknown> = { ...r };
  for (const field of ['start', 'end', 'originalStartTime']) {
    const time = r[field] as { dateTime?: string } | undefined;
    if (time?.dateTime === undefined) continue;
    const instant = Date.parse(time.dateTime);
    if (!Number.isNaN(instant)) copy[field] = { ...time, dateTime: dateTimeIn(instant, zone) };
  }
  return copy as T;
}

/** RFC 3339 with the zone's UTC offset at that instant, as Google writes it (`2026-12-02T09:00:00-06:00`). */
export function dateTimeIn(instant: number, zone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      timeZoneName: 'longOffset',
    })
      .formatToParts(instant)
      .map((p) => [p.type, p.value]),
  );
  const offset = String(parts.timeZoneName).replace('GMT', '') || '+00:00';
  const utc = offset === '+00:00' && zone === 'UTC' ? 'Z' : offset;
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}${utc}`;
}

function privateProps(r: Record<string, unknown>): Record<string, string> {
  return ((r.extendedProperties as { private?: Record<string, string> } | undefined)?.private ??
    {}) as Record<string, string>;
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
