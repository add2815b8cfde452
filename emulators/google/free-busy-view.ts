/**
 * What a read of events shows when the only scope that reaches the calendar is
 * `calendar.events.freebusy`, "See the availability on Google calendars you have access to"
 * (its description in the discovery document; compare the `freeBusyReader` role, "Provides
 * read access to free/busy information", and `reader`, where "Private events will appear ...
 * but event details will be hidden"). Google documents no field list for it, so the
 * emulator keeps what availability is made of: when (`start`, `end`, `endTimeUnspecified`,
 * `originalStartTime`), whether it blocks time (`transparency`, `status`), and what a client
 * needs to page, sync and tell instances apart (`kind`, `etag`, `id`, `recurringEventId`,
 * `updated`). Summary, description, location, attendees, organizer, creator, links,
 * recurrence rules, extended properties and the rest are left out.
 */
const AVAILABILITY_FIELDS = [
  'kind',
  'etag',
  'id',
  'status',
  'updated',
  'start',
  'end',
  'endTimeUnspecified',
  'transparency',
  'recurringEventId',
  'originalStartTime',
] as const;

export function freeBusyEvent(event: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(AVAILABILITY_FIELDS.filter((k) => k in event).map((k) => [k, event[k]]));
}

/** An events.list / events.instances / events.get body reduced to availability. */
export function freeBusyBody(body: unknown): unknown {
  if (typeof body !== 'object' || body === null) return body;
  const record = body as Record<string, unknown>;
  if (record.kind === 'calendar#event') return freeBusyEvent(record);
  if (record.kind !== 'calendar#events') return body;
  // The calendar's own title and description are calendar metadata, not availability.
  const { summary: _summary, description: _description, ...envelope } = record;
  const items = Array.isArray(record.items) ? record.items : [];
  return { ...envelope, items: items.map((e) => freeBusyEvent(e as Record<string, unknown>)) };
}
