import { randomBytes } from 'node:crypto';
import { errors } from './google-errors.ts';
import type { Calendar, GoogleState, StoredEvent } from './google-state.ts';
import type { EmulatorResponse } from './oauth-endpoints.ts';

const EVENT_ID = /^[a-v0-9]{5,1024}$/;
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

interface Cursor {
  /** Position in the listing. */
  o: number;
  /** The change sequence the listing is a snapshot of (its nextSyncToken). */
  s: number;
  /** The sync token's sequence, for an incremental listing. */
  f: number | null;
}

const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
function decode<T>(text: string): T | undefined {
  try {
    return JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as T;
  } catch {
    return undefined;
  }
}

/** events.* on one calendar the caller can reach; `as` is the acting account's email. */
export class EventEndpoints {
  constructor(
    private readonly state: GoogleState,
    private readonly now: () => number,
  ) {}

  list(calendar: Calendar, query: URLSearchParams): EmulatorResponse {
    const events = this.state.events.get(calendar.id) ?? new Map<string, StoredEvent>();
    const syncToken = query.get('syncToken');
    const pageToken = query.get('pageToken');
    const maxResults = Number(query.get('maxResults') ?? 250);
    if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > 2500)
      throw errors.invalid('Invalid value for maxResults', 'maxResults');
    let cursor: Cursor;
    if (pageToken) {
      const decoded = decode<Cursor>(pageToken);
      if (!decoded || typeof decoded.o !== 'number')
        throw errors.invalid('Invalid page token value.', 'pageToken');
      cursor = decoded;
    } else if (syncToken) {
      const bad = NOT_WITH_SYNC_TOKEN.find((name) => query.has(name));
      if (bad) throw errors.invalid(`The ${bad} parameter cannot be used together with syncToken.`, bad);
      const token = decode<{ c: string; s: number }>(syncToken);
      if (!token || token.c !== calendar.id) throw errors.invalid('Invalid sync token value.', 'syncToken');
      if (token.s < (this.state.syncTokenFloor.get(calendar.id) ?? 0)) throw errors.fullSyncRequired();
      cursor = { o: 0, s: this.state.seq, f: token.s };
    } else {
      cursor = { o: 0, s: this.state.seq, f: null };
    }
    const showDeleted = query.get('showDeleted') === 'true' || cursor.f !== null;
    const timeMin = query.get('timeMin');
    const timeMax = query.get('timeMax');
    const updatedMin = query.get('updatedMin');
    const property = query.getAll('privateExtendedProperty').map((p) => p.split('='));
    const matching = [...events.values()]
      .filter((e) => e.seq <= cursor.s && (cursor.f === null || e.seq > cursor.f))
      .map((e) => e.resource)
      .filter((r) => showDeleted || r.status !== 'cancelled')
      .filter((r) => !timeMin || endOf(r) > Date.parse(timeMin))
      .filter((r) => !timeMax || startOf(r) < Date.parse(timeMax))
      .filter((r) => !updatedMin || Date.parse(String(r.updated)) >= Date.parse(updatedMin))
      .filter((r) => property.every(([k, v]) => privateProps(r)[k ?? ''] === v))
      .sort(
        query.get('orderBy') === 'startTime'
          ? (a, b) => startOf(a) - startOf(b) || a.id.localeCompare(b.id)
          : (a, b) => a.id.localeCompare(b.id),
      );
    const page = matching.slice(cursor.o, cursor.o + maxResults);
    const last = cursor.o + maxResults >= matching.length;
    return {
      status: 200,
      body: {
        kind: 'calendar#events',
        etag: `"${cursor.s}"`,
        summary: calendar.summary,
        updated: new Date(this.now()).toISOString(),
        timeZone: calendar.timeZone,
        accessRole: 'owner',
        defaultReminders: [],
        items: page,
        // Google sends nextSyncToken only on the last page.
        ...(last
          ? { nextSyncToken: encode({ c: calendar.id, s: cursor.s }) }
          : { nextPageToken: encode({ ...cursor, o: cursor.o + maxResults }) }),
      },
    };
  }

  get(calendar: Calendar, eventId: string): EmulatorResponse {
    const stored = this.state.events.get(calendar.id)?.get(eventId);
    if (!stored) throw errors.notFound();
    return { status: 200, body: stored.resource };
  }

  insert(calendar: Calendar, as: string, body: Record<string, unknown>): EmulatorResponse {
    const events = this.state.events.get(calendar.id);
    if (!events) throw errors.notFound();
    const id = typeof body.id === 'string' ? body.id : randomBytes(13).toString('hex').replace(/[w-z]/g, 'a');
    if (!EVENT_ID.test(id)) throw errors.invalid('Invalid resource id value.');
    // Ids stay taken after a delete: a retried insert of a deleted event is still a duplicate.
    if (events.has(id)) throw errors.duplicate();
    checkTimes(body);
    const seq = this.state.nextSeq();
    const now = new Date(this.now()).toISOString();
    const resource = {
      kind: 'calendar#event',
      etag: `"${seq}"`,
      status: 'confirmed',
      htmlLink: `https://www.google.com/calendar/event?eid=${Buffer.from(`${id} ${calendar.id}`).toString('base64url')}`,
      created: now,
      updated: now,
      creator: { email: as, self: true },
      organizer: { email: calendar.id, displayName: calendar.summary, self: true },
      iCalUID: `${id}@google.com`,
      sequence: 0,
      reminders: { useDefault: true },
      eventType: 'default',
      ...body,
      id,
    } as StoredEvent['resource'];
    events.set(id, { resource, seq });
    return { status: 200, body: resource };
  }

  patch(
    calendar: Calendar,
    eventId: string,
    body: Record<string, unknown>,
    ifMatch: string | undefined,
    replace: boolean,
  ): EmulatorResponse {
    const stored = this.state.events.get(calendar.id)?.get(eventId);
    if (!stored) throw errors.notFound();
    if (ifMatch && ifMatch !== stored.resource.etag) throw errors.conditionNotMet();
    const base = replace
      ? pick(stored.resource, [
          'kind',
          'id',
          'htmlLink',
          'created',
          'creator',
          'organizer',
          'iCalUID',
          'eventType',
        ])
      : stored.resource;
    const merged: Record<string, unknown> = { ...base, ...body, id: eventId };
    if (!replace && body.extendedProperties && stored.resource.extendedProperties) {
      const before = stored.resource.extendedProperties as Record<string, Record<string, string>>;
      const after = body.extendedProperties as Record<string, Record<string, string>>;
      merged.extendedProperties = {
        private: { ...before.private, ...after.private },
        shared: { ...before.shared, ...after.shared },
      };
    }
    checkTimes(merged);
    const seq = this.state.nextSeq();
    const moved =
      JSON.stringify([merged.start, merged.end]) !==
      JSON.stringify([stored.resource.start, stored.resource.end]);
    stored.resource = {
      ...merged,
      status: typeof merged.status === 'string' ? merged.status : 'confirmed',
      etag: `"${seq}"`,
      updated: new Date(this.now()).toISOString(),
      sequence: Number(stored.resource.sequence ?? 0) + (moved ? 1 : 0),
    } as unknown as StoredEvent['resource'];
    stored.seq = seq;
    return { status: 200, body: stored.resource };
  }

  remove(calendar: Calendar, eventId: string): EmulatorResponse {
    const stored = this.state.events.get(calendar.id)?.get(eventId);
    if (!stored) throw errors.notFound();
    if (stored.resource.status === 'cancelled') throw errors.deleted();
    const seq = this.state.nextSeq();
    stored.resource = {
      ...stored.resource,
      status: 'cancelled',
      etag: `"${seq}"`,
      updated: new Date(this.now()).toISOString(),
    };
    stored.seq = seq;
    return { status: 204 };
  }
}

export function startOf(r: Record<string, unknown>): number {
  return instant(r.start as { date?: string; dateTime?: string } | undefined);
}

export function endOf(r: Record<string, unknown>): number {
  return instant(r.end as { date?: string; dateTime?: string } | undefined);
}

function instant(t: { date?: string; dateTime?: string } | undefined): number {
  if (t?.dateTime) return Date.parse(t.dateTime);
  // All-day dates are placed at UTC midnight here; the emulator keeps no per-calendar zone math.
  if (t?.date) return Date.parse(`${t.date}T00:00:00Z`);
  return Number.NaN;
}

function checkTimes(body: Record<string, unknown>): void {
  const start = body.start as { date?: string; dateTime?: string } | undefined;
  const end = body.end as { date?: string; dateTime?: string } | undefined;
  if (!start || (!start.date && !start.dateTime)) throw errors.required('start');
  if (!end || (!end.date && !end.dateTime)) throw errors.required('end');
  if (Number.isNaN(instant(start)) || Number.isNaN(instant(end))) throw errors.invalid('Bad Request');
  if (instant(end) < instant(start)) throw errors.timeRangeEmpty();
}

function privateProps(r: Record<string, unknown>): Record<string, string> {
  return ((r.extendedProperties as { private?: Record<string, string> } | undefined)?.private ??
    {}) as Record<string, string>;
}

function pick(r: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((k) => k in r).map((k) => [k, r[k]]));
}
