import { type calendar_v3, calendar as createCalendar } from '@googleapis/calendar';
import { OAuth2Client } from 'google-auth-library';
import { BatchCodecError, encodeBatchRequest, parseBatchResponse } from './batch-codec.ts';
import type {
  BatchOperation,
  BatchResult,
  CalendarApi,
  ChannelApi,
  ChannelRequest,
  GoogleEvent,
} from './calendar-api.ts';
import { MAX_BATCH_SIZE } from './calendar-api.ts';
import { fromGaxiosError, GoogleApiError, googleErrorFrom } from './google-api-error.ts';
import type { RequestGate } from './request-gate.ts';

export const GOOGLE_API_ROOT = 'https://www.googleapis.com/';

export interface GoogleCalendarClientOptions {
  /** `https://www.googleapis.com/` or the emulator's URL, with a trailing slash. */
  rootUrl: string;
  /** A valid access token for the user (refreshed by the caller as needed). */
  accessToken(): Promise<string>;
  /** Called when Google answers 401, so the caller can drop its cached token. */
  onUnauthorized?(): void;
  /** Sees every HTTP request, for counting (metrics, per-run call counts). */
  onRequest?(method: string, url: string): void;
  fetch?: typeof fetch;
  /**
   * How long one HTTP request (answer and body) may take; past it the call fails as a
   * `transient` GoogleApiError with reason `timeout`, retried like a 5xx. Default 30 s.
   */
  timeoutMs?: number;
  /**
   * Asked before every request, for its cost in Google's quota (a batch costs its parts), and
   * told when Google refuses one for its rate. Without it requests go out unpaced.
   */
  gate?: RequestGate;
}

export const DEFAULT_GOOGLE_TIMEOUT_MS = 30_000;

/**
 * CalendarApi over Google's official client for single calls and our multipart codec for
 * batches. A 401 is retried once with a fresh token (the official client does this through
 * its refresh handler); a second 401 is an `auth` GoogleApiError.
 */
export function createGoogleCalendarClient(options: GoogleCalendarClientOptions): CalendarApi & ChannelApi {
  const baseFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? DEFAULT_GOOGLE_TIMEOUT_MS;
  let requests = 0;
  const countingFetch: typeof fetch = (input, init) => {
    requests += 1;
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    options.onRequest?.(init?.method ?? 'GET', url);
    // The signal also bounds reading the body: a held answer cannot hang a sync.
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    return baseFetch(input, { ...init, signal });
  };
  const timedOut = () =>
    new GoogleApiError('transient', 0, 'timeout', `Google did not answer within ${timeoutMs} ms`);

  const auth = new OAuth2Client({ transporterOptions: { fetchImplementation: countingFetch } });
  auth.refreshHandler = async () => ({
    access_token: await options.accessToken(),
    expiry_date: Date.now() + 60_000,
  });
  const api: calendar_v3.Calendar = createCalendar({
    version: 'v3',
    rootUrl: options.rootUrl,
    auth,
    fetchImplementation: countingFetch,
    retry: false,
  });

  const gate = options.gate;
  const call = async <T>(fn: () => Promise<{ data: T }>, retried = false): Promise<T> => {
    await gate?.acquire(1);
    try {
      return (await fn()).data;
    } catch (error) {
      if (error instanceof Error && error.name === 'AppError') throw error;
      const classified = isTimeout(error) ? timedOut() : fromGaxiosError(error);
      if (classified.kind === 'rate_limited') await gate?.refused();
      if (classified.kind === 'auth') {
        options.onUnauthorized?.();
        if (!retried) {
          // Once more with a freshly refreshed token: a merely expired token recovers, and a
          // dead grant surfaces from the refresh as invalid_grant, which marks it for reconnect.
          auth.setCredentials({});
          return call(fn, true);
        }
      }
      throw classified;
    }
  };

  const sendBatch = async (operations: readonly BatchOperation[], token: string): Promise<Response> => {
    const { body, contentType } = encodeBatchRequest(
      operations.map((op, index) => ({ contentId: `op${index}`, ...toRequest(op) })),
    );
    return countingFetch(`${options.rootUrl}batch/calendar/v3`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': contentType },
      body,
    });
  };

  return {
    get requestCount() {
      return requests;
    },
    async insertCalendar(calendar) {
      const created = await call(() => api.calendars.insert({ requestBody: calendar }));
      if (!created.id)
        throw new GoogleApiError('bad_request', 200, undefined, 'Google created a calendar without an id');
      return { id: created.id };
    },
    async getCalendar(calendarId) {
      try {
        const found = await call(() => api.calendars.get({ calendarId }));
        return { id: found.id ?? calendarId, timeZone: found.timeZone ?? 'UTC' };
      } catch (error) {
        if (error instanceof GoogleApiError && (error.kind === 'not_found' || error.kind === 'gone'))
          return undefined;
        throw error;
      }
    },
    async watchEvents(calendarId, channel) {
      return grantedChannel(
        channel,
        await call(() => api.events.watch({ calendarId, requestBody: channelBody(channel) })),
      );
    },
    async watchCalendarList(channel) {
      return grantedChannel(
        channel,
        await call(() => api.calendarList.watch({ requestBody: channelBody(channel) })),
      );
    },
    async stopChannel(channel) {
      try {
        await call(() =>
          api.channels.stop({ requestBody: { id: channel.id, resourceId: channel.resourceId } }),
        );
      } catch (error) {
        if (error instanceof GoogleApiError && error.kind === 'not_found') return;
        throw error;
      }
    },
    async deleteCalendar(calendarId) {
      try {
        await call(() => api.calendars.delete({ calendarId }));
      } catch (error) {
        if (!(error instanceof GoogleApiError && (error.kind === 'not_found' || error.kind === 'gone')))
          throw error;
      }
    },
    async patchCalendar(calendarId, changes) {
      await call(() => api.calendars.patch({ calendarId, requestBody: changes }));
    },
    async listEvents(calendarId, params) {
      const page = await call(() =>
        api.events.list({
          calendarId,
          ...(params.syncToken ? { syncToken: params.syncToken } : {}),
          ...(params.pageToken ? { pageToken: params.pageToken } : {}),
          ...(params.singleEvents !== undefined ? { singleEvents: params.singleEvents } : {}),
          ...(params.showDeleted !== undefined ? { showDeleted: params.showDeleted } : {}),
          maxResults: params.maxResults ?? 2500,
        }),
      );
      return {
        items: (page.items ?? []).flatMap((event) => (event.id ? [toGoogleEvent(event)] : [])),
        nextPageToken: page.nextPageToken ?? undefined,
        nextSyncToken: page.nextSyncToken ?? undefined,
        timeZone: page.timeZone ?? undefined,
      };
    },
    async listCalendars(params) {
      const page = await call(() =>
        api.calendarList.list({
          maxResults: params.maxResults ?? 250,
          ...(params.pageToken ? { pageToken: params.pageToken } : {}),
        }),
      );
      return {
        items: (page.items ?? []).flatMap((entry) =>
          entry.id
            ? [
                {
                  id: entry.id,
                  summary: entry.summaryOverride ?? entry.summary ?? entry.id,
                  description: entry.description ?? undefined,
                  timeZone: entry.timeZone ?? undefined,
                  accessRole: entry.accessRole ?? 'freeBusyReader',
                  primary: entry.primary === true,
                  selected: entry.selected === true,
                  hidden: entry.hidden === true,
                },
              ]
            : [],
        ),
        nextPageToken: page.nextPageToken ?? undefined,
      };
    },
    async freeBusy(query) {
      const answer = await call(() =>
        api.freebusy.query({
          requestBody: {
            timeMin: query.timeMin.toISOString(),
            timeMax: query.timeMax.toISOString(),
            items: query.calendarIds.map((id) => ({ id })),
          },
        }),
      );
      const calendars: Awaited<ReturnType<CalendarApi['freeBusy']>>['calendars'] = {};
      for (const [id, value] of Object.entries(answer.calendars ?? {})) {
        calendars[id] = {
          busy: (value.busy ?? []).flatMap((b) => (b.start && b.end ? [{ start: b.start, end: b.end }] : [])),
          errors: (value.errors ?? []).map((e) => ({ reason: e.reason ?? 'unknown' })),
        };
      }
      return { calendars };
    },
    async batch(operations) {
      if (operations.length === 0) return [];
      if (operations.length > MAX_BATCH_SIZE)
        throw new RangeError(`at most ${MAX_BATCH_SIZE} operations per batch`);
      const exchange = async (token: string): Promise<{ response: Response; text: string }> => {
        // Google counts each part of a batch as one request.
        await gate?.acquire(operations.length);
        try {
          const response = await sendBatch(operations, token);
          return { response, text: await response.text() };
        } catch (error) {
          if (isTimeout(error)) throw timedOut();
          // A refused or reset connection: nothing was answered, so the batch may be sent again.
          if (error instanceof TypeError) throw fromGaxiosError(error.cause ?? error);
          throw error;
        }
      };
      let { response, text } = await exchange(await options.accessToken());
      if (response.status === 401) {
        options.onUnauthorized?.();
        ({ response, text } = await exchange(await options.accessToken()));
      }
      const contentType = response.headers.get('content-type') ?? '';
      if (!response.ok || !contentType.startsWith('multipart/')) {
        const error = googleErrorFrom(response.status, safeJson(text));
        if (error.kind === 'rate_limited') await gate?.refused();
        throw error;
      }
      let parts: ReturnType<typeof parseBatchResponse>;
      try {
        parts = parseBatchResponse(text, contentType);
      } catch (error) {
        if (error instanceof BatchCodecError) {
          throw new GoogleApiError(
            'transient',
            response.status,
            'malformedBatch',
            'Google sent a batch answer we could not read',
          );
        }
        throw error;
      }
      // Answers are matched by Content-ID, falling back to order, as Google documents.
      const byId = new Map(parts.map((part) => [part.contentId?.replace(/^response-/, ''), part]));
      if (parts.some((part) => googleErrorFrom(part.status, part.json).kind === 'rate_limited'))
        await gate?.refused();
      return operations.map((_op, index): BatchResult => {
        const part = byId.get(`op${index}`) ?? parts[index];
        if (!part)
          return {
            ok: false,
            status: 500,
            reason: 'missingPart',
            message: 'Google answered fewer parts than were sent',
          };
        if (part.status >= 200 && part.status < 300) {
          const etag = (part.json as { etag?: unknown } | undefined)?.etag;
          return { ok: true, status: part.status, etag: typeof etag === 'string' ? etag : undefined };
        }
        const error = googleErrorFrom(part.status, part.json ?? safeJson(part.body));
        return { ok: false, status: part.status, reason: error.reason, message: error.message };
      });
    },
  };
}

function toRequest(op: BatchOperation): {
  method: string;
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
} {
  const events = `/calendar/v3/calendars/${encodeURIComponent(op.calendarId)}/events`;
  switch (op.kind) {
    case 'insert':
      return { method: 'POST', path: events, body: op.event };
    case 'patch':
      return {
        method: 'PATCH',
        path: `${events}/${encodeURIComponent(op.eventId)}`,
        body: op.event,
        ...(op.ifMatch ? { headers: { 'If-Match': op.ifMatch } } : {}),
      };
    case 'delete':
      return {
        method: 'DELETE',
        path: `${events}/${encodeURIComponent(op.eventId)}`,
        ...(op.ifMatch ? { headers: { 'If-Match': op.ifMatch } } : {}),
      };
  }
}

function toGoogleEvent(event: calendar_v3.Schema$Event): GoogleEvent {
  const time = (t: calendar_v3.Schema$EventDateTime | undefined) =>
    t
      ? {
          ...(t.date ? { date: t.date } : {}),
          ...(t.dateTime ? { dateTime: t.dateTime } : {}),
          ...(t.timeZone ? { timeZone: t.timeZone } : {}),
        }
      : undefined;
  const start = time(event.start);
  const end = time(event.end);
  return {
    id: event.id ?? '',
    status: event.status ?? 'confirmed',
    ...(event.summary ? { summary: event.summary } : {}),
    ...(event.description ? { description: event.description } : {}),
    ...(start ? { start } : {}),
    ...(end ? { end } : {}),
    ...(event.transparency ? { transparency: event.transparency } : {}),
    ...(event.recurringEventId ? { recurringEventId: event.recurringEventId } : {}),
    ...(event.etag ? { etag: event.etag } : {}),
    ...(event.updated ? { updated: event.updated } : {}),
    ...(event.extendedProperties?.private
      ? { extendedProperties: { private: event.extendedProperties.private as Record<string, string> } }
      : {}),
    ...(event.attendees
      ? {
          attendees: event.attendees.map((a) => ({
            ...(a.self ? { self: true } : {}),
            ...(a.responseStatus ? { responseStatus: a.responseStatus } : {}),
          })),
        }
      : {}),
  };
}

/** An aborted request: only our own timeout aborts them. gaxios wraps the platform's error. */
function isTimeout(error: unknown): boolean {
  for (let e = error, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    if (e.name === 'TimeoutError' || e.name === 'AbortError') return true;
  }
  return false;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function channelBody(channel: ChannelRequest) {
  return {
    id: channel.id,
    type: 'web_hook',
    address: channel.address,
    token: channel.token,
    params: { ttl: String(channel.ttlSeconds) },
  };
}

/** What Google granted for a watch request: its resource id, and the expiration it chose. */
function grantedChannel(
  channel: ChannelRequest,
  granted: { resourceId?: string | null; expiration?: string | null },
): { resourceId: string; expiration: Date } {
  if (!granted.resourceId)
    throw new GoogleApiError('bad_request', 200, undefined, 'Google opened a channel without a resource id');
  // Google answers the expiration in milliseconds since the epoch, as a string.
  const expiration = Number(granted.expiration);
  return {
    resourceId: granted.resourceId,
    expiration: new Date(
      Number.isFinite(expiration) && expiration > 0 ? expiration : Date.now() + channel.ttlSeconds * 1000,
    ),
  };
}
