import { randomBytes } from 'node:crypto';
import { readBatchRequest, writeBatchResponse } from './batch-multipart.ts';
import { CalendarEndpoints, calendarResource } from './calendar-endpoints.ts';
import { CalendarListEndpoint } from './calendar-list-endpoint.ts';
import { EventEndpoints } from './event-endpoints.ts';
import { inZone, isTimeZone } from './event-listing.ts';
import { freeBusyBody } from './free-busy-view.ts';
import { EmulatedGoogleError, errors } from './google-errors.ts';
import type { AccessToken, Calendar, GoogleState } from './google-state.ts';
import type { EmulatorResponse } from './oauth-endpoints.ts';
import type { PushChannels } from './push-channels.ts';

/** Scopes each method accepts, as the discovery document lists them (a test checks this table against it). */
export const METHOD_SCOPES: Record<string, string[]> = {
  'calendar.calendarList.list': [
    'calendar',
    'calendar.calendarlist',
    'calendar.calendarlist.readonly',
    'calendar.readonly',
  ],
  'calendar.calendars.insert': ['calendar', 'calendar.app.created', 'calendar.calendars'],
  'calendar.calendars.get': [
    'calendar',
    'calendar.app.created',
    'calendar.calendars',
    'calendar.calendars.readonly',
    'calendar.readonly',
  ],
  'calendar.calendars.delete': ['calendar', 'calendar.app.created', 'calendar.calendars'],
  'calendar.calendars.patch': ['calendar', 'calendar.app.created', 'calendar.calendars'],
  'calendar.calendars.update': ['calendar', 'calendar.app.created', 'calendar.calendars'],
  'calendar.events.list': [
    'calendar',
    'calendar.app.created',
    'calendar.events',
    'calendar.events.freebusy',
    'calendar.events.owned',
    'calendar.events.owned.readonly',
    'calendar.events.public.readonly',
    'calendar.events.readonly',
    'calendar.readonly',
  ],
  'calendar.events.get': [
    'calendar',
    'calendar.app.created',
    'calendar.events',
    'calendar.events.freebusy',
    'calendar.events.owned',
    'calendar.events.owned.readonly',
    'calendar.events.public.readonly',
    'calendar.events.readonly',
    'calendar.readonly',
  ],
  'calendar.events.insert': ['calendar', 'calendar.app.created', 'calendar.events', 'calendar.events.owned'],
  'calendar.events.patch': ['calendar', 'calendar.app.created', 'calendar.events', 'calendar.events.owned'],
  'calendar.events.update': ['calendar', 'calendar.app.created', 'calendar.events', 'calendar.events.owned'],
  'calendar.events.delete': ['calendar', 'calendar.app.created', 'calendar.events', 'calendar.events.owned'],
  'calendar.events.import': ['calendar', 'calendar.app.created', 'calendar.events', 'calendar.events.owned'],
  'calendar.events.instances': [
    'calendar',
    'calendar.app.created',
    'calendar.events',
    'calendar.events.freebusy',
    'calendar.events.owned',
    'calendar.events.owned.readonly',
    'calendar.events.public.readonly',
    'calendar.events.readonly',
    'calendar.readonly',
  ],
  'calendar.freebusy.query': [
    'calendar',
    'calendar.events.freebusy',
    'calendar.freebusy',
    'calendar.readonly',
  ],
  'calendar.events.watch': [
    'calendar',
    'calendar.app.created',
    'calendar.events',
    'calendar.events.freebusy',
    'calendar.events.owned',
    'calendar.events.owned.readonly',
    'calendar.events.public.readonly',
    'calendar.events.readonly',
    'calendar.readonly',
  ],
  'calendar.calendarList.watch': [
    'calendar',
    'calendar.calendarlist',
    'calendar.calendarlist.readonly',
    'calendar.readonly',
  ],
  'calendar.channels.stop': [
    'calendar',
    'calendar.acls',
    'calendar.acls.readonly',
    'calendar.app.created',
    'calendar.calendarlist',
    'calendar.calendarlist.readonly',
    'calendar.events',
    'calendar.events.freebusy',
    'calendar.events.owned',
    'calendar.events.owned.readonly',
    'calendar.events.public.readonly',
    'calendar.events.readonly',
    'calendar.readonly',
    'calendar.settings.readonly',
  ],
};

const WRITES = new Set([
  'calendar.events.insert',
  'calendar.events.patch',
  'calendar.events.update',
  'calendar.events.delete',
  'calendar.events.import',
  'calendar.calendars.delete',
  'calendar.calendars.patch',
  'calendar.calendars.update',
]);
const SCOPE_PREFIX = 'https://www.googleapis.com/auth/';
/** Headers of the outer batch request that describe that connection, not the calls in it. */
const HOP_HEADERS = new Set(['host', 'connection', 'keep-alive', 'transfer-encoding', 'te', 'upgrade']);

export interface ApiRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | undefined>;
  body: string;
}

/** Routes one Calendar v3 request (direct or a batch part) once the caller's token is known. */
export class CalendarApiRouter {
  private readonly calendars: CalendarEndpoints;
  private readonly events: EventEndpoints;
  private readonly calendarList: CalendarListEndpoint;

  constructor(
    private readonly state: GoogleState,
    now: () => number,
    private readonly push?: PushChannels,
  ) {
    this.calendars = new CalendarEndpoints(state);
    this.calendarList = new CalendarListEndpoint(state);
    this.events = new EventEndpoints(state, now);
  }

  /** The method id of a request, for counting, scopes and faults; undefined when no route matches. */
  methodOf(method: string, path: string): string | undefined {
    const p = path.replace(/^\/calendar\/v3/, '');
    if (method === 'GET' && p === '/users/me/calendarList') return 'calendar.calendarList.list';
    if (method === 'POST' && p === '/users/me/calendarList/watch') return 'calendar.calendarList.watch';
    if (method === 'POST' && p === '/calendars') return 'calendar.calendars.insert';
    if (method === 'POST' && p === '/freeBusy') return 'calendar.freebusy.query';
    if (method === 'POST' && p === '/channels/stop') return 'calendar.channels.stop';
    if (method === 'POST' && /^\/calendars\/[^/]+\/events\/watch$/.test(p)) return 'calendar.events.watch';
    if (/^\/calendars\/[^/]+$/.test(p))
      return {
        GET: 'calendar.calendars.get',
        PATCH: 'calendar.calendars.patch',
        PUT: 'calendar.calendars.update',
        DELETE: 'calendar.calendars.delete',
      }[method];
    if (method === 'POST' && /^\/calendars\/[^/]+\/events\/import$/.test(p)) return 'calendar.events.import';
    if (method === 'GET' && /^\/calendars\/[^/]+\/events\/[^/]+\/instances$/.test(p))
      return 'calendar.events.instances';
    if (/^\/calendars\/[^/]+\/events$/.test(p))
      return { GET: 'calendar.events.list', POST: 'calendar.events.insert' }[method];
    if (/^\/calendars\/[^/]+\/events\/[^/]+$/.test(p)) {
      return {
        GET: 'calendar.events.get',
        PATCH: 'calendar.events.patch',
        PUT: 'calendar.events.update',
        DELETE: 'calendar.events.delete',
      }[method];
    }
    return undefined;
  }

  handle(request: ApiRequest, token: AccessToken, methodId: string): EmulatorResponse {
    const segments = request.path
      .replace(/^\/calendar\/v3/, '')
      .split('/')
      .map(decodeURIComponent);
    const calendarId = segments[1] === 'calendars' ? segments[2] : undefined;
    const body = parseBody(request.body);
    // Methods not bound to one calendar: the token's scopes alone decide.
    if (
      methodId === 'calendar.calendarList.list' ||
      methodId === 'calendar.calendarList.watch' ||
      methodId === 'calendar.calendars.insert' ||
      methodId === 'calendar.freebusy.query' ||
      methodId === 'calendar.channels.stop'
    ) {
      this.checkScope(methodId, token, undefined);
      if (methodId === 'calendar.calendarList.list')
        return this.calendarList.list(token.email, request.query);
      if (methodId === 'calendar.calendarList.watch')
        return this.pushChannels().watchCalendarList(token, body);
      if (methodId === 'calendar.channels.stop') return this.pushChannels().stop(token, body);
      if (methodId === 'calendar.calendars.insert')
        return this.calendars.insert(token.email, token.clientId, body);
      return this.calendars.freeBusy(token.email, body);
    }

    const reachable = calendarId ? this.state.calendarFor(token.email, calendarId) : undefined;
    // A token with no scope this method accepts is refused outright; one that has such a
    // scope learns the calendar is gone (404) before per-calendar scope rules apply.
    if (!reachable) {
      this.checkScope(methodId, token, 'any');
      throw errors.notFound();
    }
    // Reads under calendar.events.freebusy alone show availability, not the events' details.
    const availabilityOnly = this.checkScope(methodId, token, reachable).every(
      (scope) => scope === 'calendar.events.freebusy',
    );
    const { calendar, entry } = reachable;
    if (WRITES.has(methodId) && entry.accessRole !== 'owner' && entry.accessRole !== 'writer') {
      throw errors.forbidden('You need to have writer access to this calendar.');
    }
    if (entry.accessRole === 'freeBusyReader' && methodId !== 'calendar.calendars.get')
      throw errors.notFound();
    const eventId = segments[4];
    switch (methodId) {
      case 'calendar.calendars.get':
        return { status: 200, body: calendarResource(calendar) };
      case 'calendar.calendars.delete':
        checkIfMatch(request, calendarResource(calendar).etag);
        return this.calendars.remove(calendar, token.email);
      case 'calendar.calendars.patch':
        checkIfMatch(request, calendarResource(calendar).etag);
        return this.calendars.modify(calendar, body, 'patch');
      case 'calendar.calendars.update':
        checkIfMatch(request, calendarResource(calendar).etag);
        return this.calendars.modify(calendar, body, 'update');
      case 'calendar.events.list':
        return availability(
          this.events.list(calendar, request.query, entry.accessRole, availabilityOnly),
          availabilityOnly,
        );
      case 'calendar.events.import':
        return inCalendarZone(this.events.import(calendar, token.email, body), calendar);
      case 'calendar.events.instances':
        return availability(this.events.instances(calendar, eventId ?? '', request.query), availabilityOnly);
      case 'calendar.events.insert':
        return inCalendarZone(this.events.insert(calendar, token.email, body), calendar);
      case 'calendar.events.get':
        return availability(
          inCalendarZone(this.events.get(calendar, eventId ?? ''), calendar, request.query.get('timeZone')),
          availabilityOnly,
        );
      case 'calendar.events.patch':
        return inCalendarZone(
          this.events.patch(calendar, eventId ?? '', body, request.headers['if-match'], false),
          calendar,
        );
      case 'calendar.events.update':
        return inCalendarZone(
          this.events.patch(calendar, eventId ?? '', body, request.headers['if-match'], true),
          calendar,
        );
      case 'calendar.events.delete':
        return this.events.remove(calendar, eventId ?? '', request.headers['if-match']);
      case 'calendar.events.watch':
        return this.pushChannels().watch(calendar, calendarId ?? '', token, body);
      default:
        throw errors.notFound();
    }
  }

  /**
   * Unwraps a multipart batch and answers each call as if it were sent alone. The outer
   * request's headers, except its `Content-*` ones, apply to every call unless the call sets
   * its own (the batch guide: "If you specify a given HTTP header in both the outer request
   * and an individual call, then the individual call header's value overrides").
   */
  batch(
    body: string,
    outerHeaders: Record<string, string | undefined>,
    dispatch: (part: ApiRequest) => EmulatorResponse,
  ): EmulatorResponse {
    const calls = readBatchRequest(body, outerHeaders['content-type'] ?? '');
    if (calls.length > 1000) throw errors.invalid('A batch request may contain at most 1000 calls.');
    const inherited = Object.fromEntries(
      Object.entries(outerHeaders).filter(([name]) => !name.startsWith('content-') && !HOP_HEADERS.has(name)),
    );
    const boundary = `batch_${randomBytes(12).toString('hex')}`;
    const answers = calls.map((call) => {
      const url = new URL(call.target, 'http://batch.local');
      // Only Calendar calls may ride in this batch endpoint.
      const response: EmulatorResponse = url.pathname.startsWith('/calendar/v3/')
        ? dispatch({
            method: call.method,
            path: url.pathname,
            query: url.searchParams,
            headers: { ...inherited, ...call.headers },
            body: call.body,
          })
        : { status: 404, body: errors.notFound().body() };
      const text = response.body === undefined ? '' : JSON.stringify(response.body, null, 1);
      const etag = response.headers?.etag;
      return {
        ...(call.contentId !== undefined ? { contentId: call.contentId } : {}),
        status: response.status,
        headers: {
          ...(text ? { 'Content-Type': 'application/json; charset=UTF-8' } : {}),
          ...(etag ? { ETag: etag } : {}),
        },
        body: text,
      };
    });
    return {
      status: 200,
      headers: { 'content-type': `multipart/mixed; boundary=${boundary}` },
      body: writeBatchResponse(answers, boundary),
    };
  }

  private pushChannels(): PushChannels {
    if (!this.push) throw errors.notFound();
    return this.push;
  }

  private checkScope(
    methodId: string,
    token: AccessToken,
    reachable: ReturnType<GoogleState['calendarFor']> | 'any',
  ): string[] {
    const accepted = METHOD_SCOPES[methodId] ?? [];
    // Only full scope URLs count: Google has no short name for a Calendar scope.
    const usable = token.scopes
      .filter((s) => s.startsWith(SCOPE_PREFIX))
      .map((s) => s.slice(SCOPE_PREFIX.length))
      .filter((s) => accepted.includes(s))
      .filter((s) => {
        // Without a calendar (channels.stop, calendars.insert, ...) every accepted scope serves.
        if (reachable === 'any' || reachable === undefined) return true;
        // app.created reaches only calendars this OAuth client created (and may create them).
        if (s === 'calendar.app.created')
          return (
            methodId === 'calendar.calendars.insert' || reachable?.calendar.createdByClient === token.clientId
          );
        if (s.startsWith('calendar.events.owned')) return reachable?.entry.accessRole === 'owner';
        return true;
      });
    if (usable.length === 0)
      throw errors.insufficientPermissions(
        methodId,
        accepted.map((scope) => `${SCOPE_PREFIX}${scope}`),
      );
    return usable;
  }
}

/**
 * Conditional modification ("Get specific versions of resources": with a stale etag in
 * `If-Match` an update or delete answers 412), for calendars as events.* do for events.
 */
function checkIfMatch(request: ApiRequest, etag: string): void {
  const condition = request.headers['if-match'];
  if (condition !== undefined && condition.trim() !== '*' && condition.trim() !== etag)
    throw errors.conditionNotMet();
}

function availability(response: EmulatorResponse, availabilityOnly: boolean): EmulatorResponse {
  return availabilityOnly && response.status === 200
    ? { ...response, body: freeBusyBody(response.body) }
    : response;
}

function parseBody(text: string): Record<string, unknown> {
  if (!text.trim()) return {};
  try {
    const value: unknown = JSON.parse(text);
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // fall through
  }
  // Source not verified (chosen earlier): Google's JSON front end's answer to a body that is not JSON.
  throw new EmulatedGoogleError(400, 'parseError', 'Parse Error');
}

/**
 * Google writes an event's timed `dateTime`s in the calendar's zone (or the `timeZone` asked
 * for, on get), whatever offset the client sent; the event's own `timeZone` fields stay.
 */
function inCalendarZone(
  response: EmulatorResponse,
  calendar: Calendar,
  asked?: string | null,
): EmulatorResponse {
  const zone = asked ?? calendar.timeZone;
  if (!isTimeZone(zone)) throw errors.invalid('Invalid time zone definition for start time.', 'timeZone');
  if (response.status !== 200 || typeof response.body !== 'object' || response.body === null) return response;
  return { ...response, body: inZone(response.body as Record<string, unknown>, zone) };
}
