import {
  endOf,
  isMaster,
  type ListedEvent,
  RECURRENCE_HORIZON_MS,
  seriesSpan,
  singleEventsView,
  startOf,
} from './event-instances.ts';
import { matchesQuery } from './event-search.ts';
import { errors } from './google-errors.ts';
import type { Calendar, GoogleState, StoredEvent } from './google-state.ts';
import type { EmulatorResponse } from './oauth-endpoints.ts';
import {
  compareKeys,
  decodeCursor,
  decodePageCursor,
  encodeCursor,
  isSortKey,
  type PageCursor,
  type SortKey,
} from './page-cursor.ts';

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

  /**
   * `accessRole` is the caller's role on the calendar, echoed in the envelope. With
   * `availabilityOnly` (a `calendar.events.freebusy` caller) no filter may match on fields that
   * caller cannot see, so `q`, `iCalUID` and `privateExtendedProperty` match nothing.
   */
  list(
    calendar: Calendar,
    query: URLSearchParams,
    accessRole = 'owner',
    availabilityOnly = false,
  ): EmulatorResponse {
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
      const decoded = decodePageCursor(pageToken);
      if (!decoded) throw errors.invalid('Invalid page token value.', 'pageToken');
      cursor = decoded;
    } else if (syncToken) {
      const bad = NOT_WITH_SYNC_TOKEN.find((name) => query.has(name));
      if (bad) throw errors.invalid(`The ${bad} parameter cannot be used together with syncToken.`, bad);
      // The discovery document (syncToken): deletions "will always be in the result set and it
      // is not allowed to set showDeleted to False"; worded as calendarList.list words it.
      if (query.get('showDeleted') === 'false')
        throw errors.invalid(
          'The showDeleted parameter cannot be false together with syncToken.',
          'showDeleted',
        );
      const token = decodeCursor<{ c: string; s: number }>(syncToken);
      if (!token || token.c !== calendar.id) throw errors.invalid('Invalid sync token value.', 'syncToken');
      if (token.s < (this.state.syncTokenFloor.get(calendar.id) ?? 0)) throw errors.fullSyncRequired();
      cursor = { k: [], s: this.state.seq, f: token.s };
    } else {
      cursor = { k: [], s: this.state.seq, f: null };
    }
    const zone = calendar.timeZone;
    const timeMin = timeParameter(query, 'timeMin');
    const timeMax = timeParameter(query, 'timeMax');
    const horizon = Math.max(this.now() + RECURRENCE_HORIZON_MS, timeMax ?? 0);
    const updatedMin = query.has('updatedMin') ? Date.parse(query.get('updatedMin') ?? '') : undefined;
    if (Number.isNaN(updatedMin)) throw errors.invalid('Bad Request', 'updatedMin');
    // Deletions older than the calendar's purged history can no longer be listed: as a sync token, 410.
    if (updatedMin !== undefined && updatedMin < (this.state.historyPurgedAt.get(calendar.id) ?? 0))
      throw errors.updatedMinTooLongAgo();
    const iCalUID = query.get('iCalUID');
    const q = query.get('q');
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
    const sortKey = (r: StoredEvent['resource']): SortKey =>
      orderBy === 'startTime'
        ? [startOf(r, zone), r.id]
        : orderBy === 'updated'
          ? [String(r.updated), r.id]
          : [r.id];
    // Every item as it is now, not as of the first page: an item edited or deleted while a
    // client pages must neither shift the pages after it nor vanish from them. The change
    // itself comes again in the incremental listing after the last page (its sequence is
    // above the token's), so only the lower bound of an incremental listing filters here.
    const matching = listed
      .filter((e) => cursor.f === null || e.seq > cursor.f)
      .map((e) => e.resource)
      .filter(visible)
      .filter((r) => timeMin === undefined || (span(r)[1] ?? Number.NaN) > timeMin)
      .filter((r) => timeMax === undefined || (span(r)[0] ?? Number.NaN) < timeMax)
      .filter((r) => updatedMin === undefined || Date.parse(String(r.updated)) >= updatedMin)
      .filter(() => !availabilityOnly || (!iCalUID && q === null && property.length === 0))
      .filter((r) => !iCalUID || r.iCalUID === iCalUID)
      .filter((r) => q === null || matchesQuery(r, q))
      .filter((r) => property.every(([k, v]) => privateProps(r)[k ?? ''] === v))
      .map((r) => ({ r, key: sortKey(r) }))
      .filter(({ key }) => cursor.k.length === 0 || compareKeys(key, cursor.k) > 0)
      .sort((a, b) => compareKeys(a.key, b.key));
    const page = matching.slice(0, maxResults).map(({ r }) => r);
    const last = matching.length <= maxResults;
    const lastKey = matching[page.length - 1]?.key ?? cursor.k;
    const envelope = this.listEnvelope(calendar, cursor.s, query, accessRole);
    return {
      status: 200,
      body: {
        ...envelope,
        items: page.map((r) => inZone(r, envelope.timeZone)),
        // Google sends nextSyncToken only on the last page.
        ...(last
          ? { nextSyncToken: encodeCursor({ c: calendar.id, s: cursor.s }) }
          : { nextPageToken: encodeCursor({ ...cursor, k: lastKey } satisfies PageCursor) }),
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
    const pageToken = query.get('pageToken');
    const after = pageToken ? decodeCursor<{ k: unknown }>(pageToken)?.k : [];
    if (!isSortKey(after)) throw errors.invalid('Invalid page token value.', 'pageToken');
    const zone = calendar.timeZone;
    const timeMin = timeParameter(query, 'timeMin');
    const timeMax = timeParameter(query, 'timeMax');
    const horizon = Math.max(this.now() + RECURRENCE_HORIZON_MS, timeMax ?? 0);
    const showDeleted = query.get('showDeleted') === 'true';
    const all = singleEventsView(events, zone, horizon)
      .map((e) => e.resource)
      .filter((r) => r.recurringEventId === eventId)
      .filter((r) => showDeleted || r.status !== 'cancelled')
      .filter((r) => timeMin === undefined || endOf(r, zone) > timeMin)
      .filter((r) => timeMax === undefined || startOf(r, zone) < timeMax)
      .map((r) => ({ r, key: [startOf(r, zone), r.id] }))
      .filter(({ key }) => after.length === 0 || compareKeys(key, after) > 0)
      .sort((a, b) => compareKeys(a.key, b.key));
    const page = all.slice(0, maxResults);
    const more = maxResults < all.length;
    const envelope = this.listEnvelope(calendar, this.state.seq, query);
    return {
      status: 200,
      body: {
        ...envelope,
        items: page.map(({ r }) => inZone(r, envelope.timeZone)),
        ...(more ? { nextPageToken: encodeCursor({ k: page[page.length - 1]?.key }) } : {}),
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
/** The event with its timed `dateTime`s written in `zone`'s offset (the same instants). */
export function inZone<T extends Record<string, unknown>>(r: T, zone: string): T {
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

/**
 * `timeMin`/`timeMax`: the discovery document says "Must be an RFC3339 timestamp with
 * mandatory time zone offset"; Google answers a value without one 400 `badRequest`
 * (see `errors.badRequest` for the sources).
 */
function timeParameter(query: URLSearchParams, name: 'timeMin' | 'timeMax'): number | undefined {
  const value = query.get(name);
  if (value === null) return undefined;
  const instant = RFC3339_WITH_OFFSET.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(instant)) throw errors.badRequest();
  return instant;
}

const RFC3339_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

function privateProps(r: Record<string, unknown>): Record<string, string> {
  return ((r.extendedProperties as { private?: Record<string, string> } | undefined)?.private ??
    {}) as Record<string, string>;
}

/** Whether `zone` is an IANA time zone name this runtime knows. */
export function isTimeZone(zone: string): boolean {
  // Names only: newer runtimes also take offsets such as "+01:00", which Google does not.
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(zone)) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
