import { randomBytes } from 'node:crypto';
import {
  checkRecurrence,
  endOf,
  instanceIds,
  instanceResource,
  isMaster,
  masterOf,
  occurrenceFor,
  occurrencesOf,
  RECURRENCE_HORIZON_MS,
  startOf,
} from './event-instances.ts';
import { EventListing } from './event-listing.ts';
import { errors } from './google-errors.ts';
import type { Calendar, GoogleState, StoredEvent } from './google-state.ts';
import type { EmulatorResponse } from './oauth-endpoints.ts';

const EVENT_ID = /^[a-v0-9]{5,1024}$/;
/** Fields the discovery document calls read-only (or the server's own): a client's values are dropped. */
const SERVER_FIELDS = ['kind', 'etag', 'created', 'updated', 'htmlLink', 'hangoutLink', 'creator', 'locked'];

/**
 * The body without what only the server writes, so its values win. `organizer` is
 * read-only "except when importing an event"; `iCalUID` is kept only on import, or on an
 * insert that gives no `id` ("only one of them should be supplied at event creation").
 */
function writable(
  body: Record<string, unknown>,
  how: 'insert' | 'import' | 'write',
): Record<string, unknown> {
  const drop = new Set(SERVER_FIELDS);
  if (how !== 'import') drop.add('organizer');
  if (how === 'write' || (how === 'insert' && body.id !== undefined)) drop.add('iCalUID');
  return Object.fromEntries(Object.entries(body).filter(([k]) => !drop.has(k)));
}

/** events.* on one calendar the caller can reach; `as` is the acting account's email. */
export class EventEndpoints {
  private readonly listing: EventListing;

  constructor(
    private readonly state: GoogleState,
    private readonly now: () => number,
  ) {
    this.listing = new EventListing(state, now);
  }

  list(
    calendar: Calendar,
    query: URLSearchParams,
    accessRole?: string,
    availabilityOnly = false,
  ): EmulatorResponse {
    return this.listing.list(calendar, query, accessRole, availabilityOnly);
  }

  instances(calendar: Calendar, eventId: string, query: URLSearchParams): EmulatorResponse {
    return this.listing.instances(calendar, eventId, query);
  }

  get(calendar: Calendar, eventId: string): EmulatorResponse {
    const stored = this.state.events.get(calendar.id)?.get(eventId);
    if (stored) return { status: 200, body: stored.resource };
    const instance = this.generatedInstance(calendar, eventId);
    if (!instance) throw errors.notFound();
    return { status: 200, body: instance.resource };
  }

  insert(
    calendar: Calendar,
    as: string,
    request: Record<string, unknown>,
    how: 'insert' | 'import' = 'insert',
  ): EmulatorResponse {
    const body = writable(request, how);
    const events = this.state.events.get(calendar.id);
    if (!events) throw errors.notFound();
    const id = typeof body.id === 'string' ? body.id : randomBytes(13).toString('hex').replace(/[w-z]/g, 'a');
    if (!EVENT_ID.test(id)) throw errors.invalid('Invalid resource id value.');
    // Ids stay taken after a delete: a retried insert of a deleted event is still a duplicate.
    if (events.has(id)) throw errors.duplicate();
    checkTimes(body);
    checkRecurrence(body, calendar.timeZone);
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

  /**
   * events.import: a private copy of an event from elsewhere, keyed by its iCalUID. Importing
   * the same iCalUID again replaces the copy (same id) instead of adding a second one.
   */
  import(calendar: Calendar, as: string, body: Record<string, unknown>): EmulatorResponse {
    if (typeof body.iCalUID !== 'string' || body.iCalUID === '') throw errors.required('iCalUID');
    if (body.eventType !== undefined && body.eventType !== 'default')
      throw errors.invalid('Only events of type default can be imported.');
    const existing = [...(this.state.events.get(calendar.id)?.values() ?? [])].find(
      (e) =>
        !e.ruleTombstone && e.resource.recurringEventId === undefined && e.resource.iCalUID === body.iCalUID,
    );
    if (!existing) return this.insert(calendar, as, body, 'import');
    const { id: _ignored, ...rest } = body;
    return this.patch(
      calendar,
      existing.resource.id,
      { status: 'confirmed', ...rest },
      undefined,
      true,
      'import',
    );
  }

  /** patch (merge) or update (`replace`); on an instance id it writes an exception to the series. */
  patch(
    calendar: Calendar,
    eventId: string,
    request: Record<string, unknown>,
    ifMatch: string | undefined,
    replace: boolean,
    how: 'import' | 'write' = 'write',
  ): EmulatorResponse {
    const body = writable(request, how);
    const events = this.state.events.get(calendar.id);
    const stored = events?.get(eventId) ?? this.generatedInstance(calendar, eventId);
    if (!events || !stored) throw errors.notFound();
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
          'recurringEventId',
          'originalStartTime',
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
    if (merged.recurringEventId === undefined) checkRecurrence(merged, calendar.timeZone);
    const previous = stored.resource;
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
    events.set(eventId, stored);
    if (isMaster(previous) || isMaster(stored.resource)) this.retireInstances(calendar, previous, stored);
    return { status: 200, body: stored.resource };
  }

  remove(calendar: Calendar, eventId: string, ifMatch?: string): EmulatorResponse {
    const events = this.state.events.get(calendar.id);
    const stored = events?.get(eventId) ?? this.generatedInstance(calendar, eventId);
    if (!events || !stored) throw errors.notFound();
    if (stored.resource.status === 'cancelled') throw errors.deleted();
    if (ifMatch && ifMatch !== stored.resource.etag) throw errors.conditionNotMet();
    const seq = this.state.nextSeq();
    const updated = new Date(this.now()).toISOString();
    const cancel = (e: StoredEvent) => {
      e.resource = { ...e.resource, status: 'cancelled', etag: `"${seq}"`, updated };
      e.seq = seq;
      events.set(e.resource.id, e);
    };
    cancel(stored);
    // Deleting a series deletes its exceptions with it.
    if (isMaster(stored.resource))
      for (const e of events.values())
        if (e.resource.recurringEventId === eventId && e.resource.status !== 'cancelled') cancel(e);
    return { status: 204 };
  }

  /** An instance of a stored series named by its id, not yet written as an exception. */
  private generatedInstance(calendar: Calendar, eventId: string): StoredEvent | undefined {
    const events = this.state.events.get(calendar.id);
    const master = events && masterOf(events, eventId);
    if (!master || master.resource.status === 'cancelled') return undefined;
    const occurrence = occurrenceFor(master.resource, eventId, calendar.timeZone, this.now());
    if (!occurrence) return undefined;
    return { resource: instanceResource(master.resource, occurrence, master.seq), seq: master.seq };
  }

  /**
   * After a write to a master: an instance the series no longer produces (a new EXDATE, a
   * shorter rule) gets a cancelled tombstone, so `singleEvents=true` incremental results
   * report it; a tombstone whose instance is back is dropped.
   */
  private retireInstances(calendar: Calendar, before: StoredEvent['resource'], master: StoredEvent): void {
    const events = this.state.events.get(calendar.id);
    if (!events) return;
    const zone = calendar.timeZone;
    const horizon = this.now() + RECURRENCE_HORIZON_MS;
    const now = instanceIds(master.resource, zone, horizon);
    for (const id of now) if (events.get(id)?.ruleTombstone) events.delete(id);
    if (!isMaster(before) || before.status === 'cancelled') return;
    for (const occurrence of occurrencesOf(before, zone, horizon)) {
      const old = instanceResource(before, occurrence, master.seq);
      if (now.has(old.id) || events.has(old.id)) continue;
      events.set(old.id, {
        resource: { ...old, status: 'cancelled', etag: `"${master.seq}"`, updated: master.resource.updated },
        seq: master.seq,
        ruleTombstone: true,
      });
    }
  }
}

function checkTimes(body: Record<string, unknown>): void {
  const start = body.start as { date?: string; dateTime?: string } | undefined;
  const end = body.end as { date?: string; dateTime?: string } | undefined;
  if (!start || (!start.date && !start.dateTime)) throw errors.required('start');
  if (!end || (!end.date && !end.dateTime)) throw errors.required('end');
  // Which zone an all-day date sits in does not matter for comparing two of them.
  const [from, to] = [startOf(body, 'UTC'), endOf(body, 'UTC')];
  if (Number.isNaN(from) || Number.isNaN(to)) throw errors.invalid('Bad Request');
  if (to < from) throw errors.timeRangeEmpty();
}

function pick(r: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((k) => k in r).map((k) => [k, r[k]]));
}
