import { endOf, singleEventsView, startOf } from './event-instances.ts';
import { isTimeZone } from './event-listing.ts';
import { EmulatedGoogleError, errors } from './google-errors.ts';
import type { Calendar, GoogleState } from './google-state.ts';
import type { EmulatorResponse } from './oauth-endpoints.ts';

const FREEBUSY_MAX_ITEMS = 50;
/** Documented maxima of freebusy.query's expansion parameters; a larger value is refused. */
const EXPANSION_MAX = { calendarExpansionMax: 50, groupExpansionMax: 100 } as const;
const FREEBUSY_MAX_RANGE_MS = 90 * 86_400_000;

export function calendarResource(calendar: Calendar) {
  return {
    kind: 'calendar#calendar',
    etag: `"${calendar.etagSeq}"`,
    id: calendar.id,
    summary: calendar.summary,
    ...(calendar.description ? { description: calendar.description } : {}),
    timeZone: calendar.timeZone,
    conferenceProperties: { allowedConferenceSolutionTypes: ['hangoutsMeet'] },
  };
}

/** calendars.insert|get|delete and freebusy.query for one account (calendarList.list: calendar-list-endpoint.ts). */
export class CalendarEndpoints {
  constructor(private readonly state: GoogleState) {}

  insert(email: string, clientId: string, body: Record<string, unknown>): EmulatorResponse {
    if (typeof body.summary !== 'string' || body.summary.trim() === '') throw errors.required('summary');
    checkTimeZone(body);
    const timeZone =
      typeof body.timeZone === 'string' ? body.timeZone : (this.state.accounts.get(email)?.timeZone ?? 'UTC');
    const calendar = this.state.addCalendar(email, body.summary, timeZone, clientId);
    if (typeof body.description === 'string') calendar.description = body.description;
    return { status: 200, body: calendarResource(calendar) };
  }

  /**
   * calendars.patch changes only the fields sent; calendars.update replaces the resource, so
   * `summary` is required and a description left out is cleared. `id`, `etag` and `kind`
   * are the server's.
   */
  modify(calendar: Calendar, body: Record<string, unknown>, how: 'patch' | 'update'): EmulatorResponse {
    checkTimeZone(body);
    if (body.summary !== undefined || how === 'update') {
      if (typeof body.summary !== 'string' || body.summary.trim() === '') throw errors.required('summary');
      calendar.summary = body.summary;
    }
    if (typeof body.timeZone === 'string') calendar.timeZone = body.timeZone;
    if (typeof body.description === 'string') calendar.description = body.description;
    else if (how === 'update' || body.description === null) delete calendar.description;
    calendar.etagSeq = this.state.nextSeq();
    return { status: 200, body: calendarResource(calendar) };
  }

  remove(calendar: Calendar, email: string): EmulatorResponse {
    if (calendar.id === email)
      // The discovery document: calendars.delete "Deletes a secondary calendar"; the reason and
      // wording are not verified against a live answer (body shaped as the error guide's).
      throw new EmulatedGoogleError(400, 'cannotDeletePrimaryCalendar', 'Cannot delete primary calendar.');
    calendar.deleted = true;
    return { status: 204 };
  }

  freeBusy(email: string, body: Record<string, unknown>): EmulatorResponse {
    const timeMin = typeof body.timeMin === 'string' ? Date.parse(body.timeMin) : Number.NaN;
    const timeMax = typeof body.timeMax === 'string' ? Date.parse(body.timeMax) : Number.NaN;
    if (Number.isNaN(timeMin)) throw errors.required('timeMin');
    if (Number.isNaN(timeMax)) throw errors.required('timeMax');
    if (timeMax <= timeMin) throw errors.timeRangeEmpty();
    if (timeMax - timeMin > FREEBUSY_MAX_RANGE_MS) {
      // Undocumented limit and reason (see README "Chosen where Google is silent"); body shaped as timeRangeEmpty's.
      throw new EmulatedGoogleError(
        400,
        'timeRangeTooLong',
        'The requested time range is too long.',
        'calendar',
        { locationType: 'parameter', location: 'timeMax' },
      );
    }
    for (const [name, max] of Object.entries(EXPANSION_MAX)) {
      const value = body[name];
      if (value !== undefined && !(Number.isInteger(value) && Number(value) >= 1 && Number(value) <= max))
        throw errors.invalid(`Invalid ${name} value: ${String(value)}. Maximum is ${max}.`, name);
    }
    // calendarExpansionMax lowers how many calendars get answers; the rest get tooManyCalendarsRequested.
    const maxItems =
      typeof body.calendarExpansionMax === 'number' ? body.calendarExpansionMax : FREEBUSY_MAX_ITEMS;
    const items = Array.isArray(body.items) ? (body.items as Array<{ id?: unknown }>) : [];
    const calendars: Record<string, unknown> = {};
    items.forEach((item, index) => {
      const id = String(item.id ?? '');
      if (index >= maxItems) {
        calendars[id] = {
          errors: [{ domain: 'usageLimits', reason: 'tooManyCalendarsRequested' }],
          busy: [],
        };
        return;
      }
      const reachable = this.state.calendarFor(email, id);
      if (!reachable) {
        calendars[id] = { errors: [{ domain: 'global', reason: 'notFound' }], busy: [] };
        return;
      }
      calendars[id] = { busy: this.busyOf(reachable.calendar, timeMin, timeMax) };
    });
    return {
      status: 200,
      body: {
        kind: 'calendar#freeBusy',
        timeMin: new Date(timeMin).toISOString(),
        timeMax: new Date(timeMax).toISOString(),
        calendars,
      },
    };
  }

  /**
   * Busy time: confirmed, opaque events and instances not declined by the calendar's own
   * person, merged and clipped. Free/busy is the calendar's, not the caller's: on someone
   * else's calendar what they declined is free and what they attend is busy, whatever the
   * caller answered. An attendee is the calendar when it is `self` ("the calendar on which
   * this copy of the event appears", as the discovery document defines it) or has its address.
   */
  private busyOf(calendar: Calendar, from: number, to: number) {
    // Series count by their expanded instances; all-day events by their day in the calendar's zone.
    const zone = calendar.timeZone;
    const isOwner = (a: { email?: string; self?: boolean }) =>
      a.self === true || a.email === calendar.owner || a.email === calendar.id;
    const spans = singleEventsView(this.state.events.get(calendar.id), zone, to)
      .map((e) => e.resource)
      .filter((r) => r.status !== 'cancelled' && r.transparency !== 'transparent')
      .filter(
        (r) =>
          !(
            (r.attendees as Array<{ email?: string; self?: boolean; responseStatus?: string }> | undefined) ??
            []
          ).some((a) => isOwner(a) && a.responseStatus === 'declined'),
      )
      .map((r) => [Math.max(startOf(r, zone), from), Math.min(endOf(r, zone), to)] as const)
      .filter(([s, e]) => e > s)
      .sort((a, b) => a[0] - b[0]);
    const merged: Array<[number, number]> = [];
    for (const [s, e] of spans) {
      const last = merged[merged.length - 1];
      if (last && s <= last[1]) last[1] = Math.max(last[1], e);
      else merged.push([s, e]);
    }
    return merged.map(([s, e]) => ({ start: new Date(s).toISOString(), end: new Date(e).toISOString() }));
  }
}

function checkTimeZone(body: Record<string, unknown>): void {
  if (body.timeZone === undefined || body.timeZone === null) return;
  // Google's wording here is undocumented; chosen to match its events' "Invalid time zone definition …".
  if (typeof body.timeZone !== 'string' || !isTimeZone(body.timeZone))
    throw errors.invalid('Invalid time zone definition.');
}
