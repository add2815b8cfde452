import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { calendar_v3 } from '@googleapis/calendar';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DEMO_STUDENT_EMAIL } from '../../emulators/google/demo-seed.ts';
import { type GoogleEmulator, startGoogleEmulator } from '../../emulators/google/google-emulator.ts';
import { SCOPES } from '../../src/google/scopes.ts';
import {
  type DiscoveryDocument,
  loadCalendarDiscovery,
  methodForRequest,
  validateAgainstSchema,
} from '../support/discovery-schema.ts';
import { emulatorAccessToken } from '../support/emulator-token.ts';
import { describeWithFixtures, readJsonFixture } from '../support/fixtures.ts';
import { googleReason, officialCalendar } from '../support/official-calendar.ts';

interface Recorded {
  method: string;
  path: string;
  status: number;
  text: string;
}

interface ErrorItem {
  domain?: unknown;
  reason?: unknown;
  message?: unknown;
  locationType?: unknown;
  location?: unknown;
}

const ERROR_FIXTURES = [
  '400-timeRangeEmpty',
  '401-authError',
  '403-rateLimitExceeded',
  '404-notFound',
  '409-duplicate',
  '410-deleted',
  '410-fullSyncRequired',
  '412-conditionNotMet',
  '429-rateLimitExceeded',
  '500-backendError',
];
// Google's documented error bodies carry these; live ones add `status` (and sometimes `details`).
const ERROR_KEYS = new Set(['errors', 'code', 'message', 'status', 'details']);
const ITEM_KEYS = new Set(['domain', 'reason', 'message', 'locationType', 'location']);

/** What is wrong with a Google error body: its shape, and, where a documented body exists for its reason, any difference from it. */
function errorProblems(status: number, body: unknown): string[] {
  const error = (body as { error?: Record<string, unknown> } | undefined)?.error;
  if (!error || Object.keys(body as object).length !== 1) return ['not { error: {...} }'];
  const problems = Object.keys(error)
    .filter((k) => !ERROR_KEYS.has(k))
    .map((k) => `unknown error.${k}`);
  if (error.code !== status)
    problems.push(`error.code ${String(error.code)} is not the HTTP status ${status}`);
  if (typeof error.message !== 'string') problems.push('error.message is not a string');
  const items = error.errors as ErrorItem[] | undefined;
  if (!Array.isArray(items) || items.length === 0)
    return [...problems, 'error.errors is not a non-empty array'];
  for (const item of items) {
    problems.push(
      ...Object.keys(item)
        .filter((k) => !ITEM_KEYS.has(k))
        .map((k) => `unknown errors[].${k}`),
    );
    for (const k of ['domain', 'reason', 'message'] as const)
      if (typeof item[k] !== 'string') problems.push(`errors[].${k} is not a string`);
  }
  const name = `${status}-${String(items[0]?.reason)}`;
  if (ERROR_FIXTURES.includes(name)) {
    const documented = readJsonFixture<{ error: { errors: ErrorItem[] } }>(`google/errors/${name}.json`).error
      .errors[0];
    expect.soft(items[0], `${name} as documented`).toEqual(documented);
  }
  return problems;
}

describeWithFixtures('every emulator response validates against the real discovery document', () => {
  let doc: DiscoveryDocument;
  let emulator: GoogleEmulator;
  // A webhook receiver for the push channel the scenario opens.
  const receiver = createServer((_req, res) => res.writeHead(200).end());
  const recorded: Recorded[] = [];
  const recording: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    const url = new URL(input instanceof Request ? input.url : String(input));
    recorded.push({
      method: init?.method ?? (input instanceof Request ? input.method : 'GET'),
      path: url.pathname,
      status: response.status,
      text: await response.clone().text(),
    });
    return response;
  };

  beforeAll(async () => {
    doc = loadCalendarDiscovery();
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const hook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    emulator = await startGoogleEmulator({ now: () => Date.parse('2026-12-01T15:00:00Z') });
    // app.created first: include_granted_scopes would otherwise widen it with the full scope.
    const narrow = officialCalendar(
      emulator.url,
      await emulatorAccessToken(emulator, [SCOPES.appCreated]),
      recording,
    );
    const api = officialCalendar(
      emulator.url,
      await emulatorAccessToken(emulator, ['https://www.googleapis.com/auth/calendar']),
      recording,
    );
    await driveScenario(emulator, api, narrow, hook);
    await emulator.control.flushDeliveries();
  });
  afterAll(async () => {
    await emulator?.close();
    await new Promise((resolve) => receiver.close(resolve));
  });

  it('the validator itself catches unknown properties, wrong types, bad dates, and reads $ref, arrays and maps', () => {
    expect(
      validateAgainstSchema(doc, 'Event', {
        id: 'x',
        start: { dateTime: '2026-12-01 10:00' },
        attendees: [{ email: 'a@b.c', responseStatus: 3 }],
        mystery: true,
      }),
    ).toEqual([
      expect.stringContaining('$.start.dateTime: expected an RFC 3339 date-time'),
      expect.stringContaining('$.attendees[0].responseStatus: expected a string'),
      expect.stringContaining('$.mystery: not a property of Event'),
    ]);
    expect(
      validateAgainstSchema(doc, 'FreeBusyResponse', {
        kind: 'calendar#freeBusy',
        calendars: { 'a@b.c': { busy: [{ start: '2026-12-01T10:00:00Z', end: 'soon' }] } },
      }),
    ).toEqual([expect.stringContaining('$.calendars.a@b.c.busy[0].end: expected an RFC 3339 date-time')]);
    expect(validateAgainstSchema(doc, 'EventDateTime', { date: '2026-12-01' })).toEqual([]);
  });

  it('every successful JSON body matches its method’s response schema', () => {
    const problems: string[] = [];
    const seen = new Set<string>();
    for (const r of recorded.filter((x) => x.status < 300 && x.path.startsWith('/calendar/v3/'))) {
      const method = methodForRequest(doc, r.method, r.path);
      if (!method) {
        problems.push(`${r.method} ${r.path}: no discovery method`);
        continue;
      }
      seen.add(method.id);
      if (r.status === 204 || !method.response) {
        if (r.text !== '') problems.push(`${method.id}: a body where Google sends none`);
        continue;
      }
      for (const p of validateAgainstSchema(doc, method.response.$ref, JSON.parse(r.text)))
        problems.push(`${method.id}: ${p}`);
    }
    expect(problems).toEqual([]);
    // The scenario really reached every method the emulator serves.
    expect([...seen].sort()).toEqual(
      [
        'calendar.calendarList.list',
        'calendar.channels.stop',
        'calendar.calendars.delete',
        'calendar.calendars.get',
        'calendar.calendars.insert',
        'calendar.events.delete',
        'calendar.events.get',
        'calendar.events.import',
        'calendar.events.insert',
        'calendar.events.instances',
        'calendar.events.list',
        'calendar.events.patch',
        'calendar.events.update',
        'calendar.events.watch',
        'calendar.freebusy.query',
      ].sort(),
    );
  });

  it('every error body has Google’s error shape, and matches the documented body for its reason', () => {
    const failures = recorded.filter((x) => x.status >= 400);
    const problems = failures.flatMap((r) =>
      errorProblems(r.status, JSON.parse(r.text)).map((p) => `${r.method} ${r.path} ${r.status}: ${p}`),
    );
    expect(problems).toEqual([]);
    const reasons = new Set(
      failures.map(
        (r) =>
          `${r.status} ${(JSON.parse(r.text) as { error: { errors: ErrorItem[] } }).error.errors[0]?.reason}`,
      ),
    );
    expect([...reasons].sort()).toEqual(
      [
        '400 invalid',
        '400 required',
        '400 timeRangeEmpty',
        '401 authError',
        '403 insufficientPermissions',
        '403 rateLimitExceeded',
        '404 notFound',
        '409 duplicate',
        '410 deleted',
        '410 fullSyncRequired',
        '412 conditionNotMet',
        '429 rateLimitExceeded',
        '500 backendError',
      ].sort(),
    );
  });
});

/** A broad pass over the API through the official client: every method, each error path. */
async function driveScenario(
  emulator: GoogleEmulator,
  api: calendar_v3.Calendar,
  narrow: calendar_v3.Calendar,
  hook: string,
) {
  let pageToken: string | undefined;
  do {
    const page = (
      await api.calendarList.list({ maxResults: 2, showHidden: true, ...(pageToken ? { pageToken } : {}) })
    ).data;
    pageToken = page.nextPageToken ?? undefined;
  } while (pageToken);
  const cal = (
    await api.calendars.insert({ requestBody: { summary: 'Conformance', timeZone: 'Asia/Kolkata' } })
  ).data.id as string;
  await api.calendars.get({ calendarId: cal });
  const channel = (
    await api.events.watch({
      calendarId: cal,
      requestBody: { id: 'conformance-channel', type: 'web_hook', address: hook, token: 'conformance' },
    })
  ).data;
  const timed = (
    await api.events.insert({
      calendarId: cal,
      requestBody: {
        id: 'conformance01',
        summary: 'Seminar',
        location: 'Room 4',
        colorId: '5',
        transparency: 'opaque',
        start: { dateTime: '2026-12-03T10:00:00+05:30', timeZone: 'Asia/Kolkata' },
        end: { dateTime: '2026-12-03T11:00:00+05:30', timeZone: 'Asia/Kolkata' },
        attendees: [{ email: DEMO_STUDENT_EMAIL, self: true, responseStatus: 'accepted' }],
        reminders: { useDefault: false, overrides: [{ method: 'popup', minutes: 10 }] },
        extendedProperties: { private: { canvascal: 'x' } },
      },
    })
  ).data;
  await api.events.insert({
    calendarId: cal,
    requestBody: { summary: 'Holiday', start: { date: '2026-12-04' }, end: { date: '2026-12-05' } },
  });
  await api.events.insert({
    calendarId: cal,
    requestBody: {
      id: 'conformanceseries',
      summary: 'Standup',
      start: { dateTime: '2026-12-01T09:00:00+05:30', timeZone: 'Asia/Kolkata' },
      end: { dateTime: '2026-12-01T09:15:00+05:30', timeZone: 'Asia/Kolkata' },
      recurrence: ['RRULE:FREQ=DAILY;COUNT=5', 'EXDATE;TZID=Asia/Kolkata:20261203T090000'],
    },
  });
  const full = (
    await api.events.list({ calendarId: cal, singleEvents: true, orderBy: 'startTime', maxResults: 3 })
  ).data;
  const lastPage = (
    await api.events.list({
      calendarId: cal,
      pageToken: full.nextPageToken ?? '',
      singleEvents: true,
      orderBy: 'startTime',
      maxResults: 3,
    })
  ).data;
  const masters = (await api.events.list({ calendarId: cal, showDeleted: true })).data;
  await api.events.instances({ calendarId: cal, eventId: 'conformanceseries' });
  await api.events.get({ calendarId: cal, eventId: 'conformanceseries_20261202T033000Z' });
  await api.events.patch({
    calendarId: cal,
    eventId: 'conformanceseries_20261202T033000Z',
    requestBody: { summary: 'Late standup' },
  });
  await api.events.delete({ calendarId: cal, eventId: 'conformanceseries_20261204T033000Z' });
  await api.events.patch({
    calendarId: cal,
    eventId: timed.id ?? '',
    requestBody: { summary: 'Seminar (moved)' },
  });
  await api.events.update({
    calendarId: cal,
    eventId: timed.id ?? '',
    requestBody: {
      summary: 'Seminar',
      start: { dateTime: '2026-12-03T12:00:00+05:30' },
      end: { dateTime: '2026-12-03T13:00:00+05:30' },
    },
  });
  const imported = {
    iCalUID: 'conf@example.edu',
    summary: 'Imported',
    start: { date: '2026-12-06' },
    end: { date: '2026-12-07' },
  };
  await api.events.import({ calendarId: cal, requestBody: imported });
  await api.events.import({ calendarId: cal, requestBody: { ...imported, summary: 'Imported again' } });
  await api.events.list({ calendarId: cal, syncToken: masters.nextSyncToken ?? '' });
  await api.events.list({ calendarId: cal, singleEvents: true, syncToken: lastPage.nextSyncToken ?? '' });
  await api.freebusy.query({
    requestBody: {
      timeMin: '2026-12-01T00:00:00Z',
      timeMax: '2026-12-08T00:00:00Z',
      items: [{ id: cal }, { id: DEMO_STUDENT_EMAIL }, { id: 'nobody@group.calendar.google.com' }],
    },
  });
  await api.events.list({
    calendarId: 'primary',
    singleEvents: true,
    timeMin: '2026-11-30T00:00:00Z',
    timeMax: '2026-12-14T00:00:00Z',
  });
  await api.channels.stop({ requestBody: { id: channel.id ?? '', resourceId: channel.resourceId ?? '' } });
  const scratch = (await api.calendars.insert({ requestBody: { summary: 'Scratch' } })).data.id as string;
  await api.calendars.delete({ calendarId: scratch });

  // The error paths.
  const errors = [
    () => api.events.get({ calendarId: cal, eventId: 'nosuchevent' }),
    () =>
      api.events.insert({
        calendarId: cal,
        requestBody: { id: timed.id ?? '', start: { date: '2026-12-01' }, end: { date: '2026-12-02' } },
      }),
    () =>
      api.events.insert({
        calendarId: cal,
        requestBody: {
          start: { dateTime: '2026-12-01T10:00:00Z', timeZone: 'UTC' },
          end: { dateTime: '2026-12-01T11:00:00Z' },
          recurrence: ['RRULE:FREQ=NEVER'],
        },
      }),
    () =>
      api.events.import({
        calendarId: cal,
        requestBody: { start: { date: '2026-12-01' }, end: { date: '2026-12-02' } },
      }),
    () =>
      api.events.patch(
        { calendarId: cal, eventId: timed.id ?? '', requestBody: { summary: 'x' } },
        { headers: { 'If-Match': timed.etag ?? '' } },
      ),
    () => api.events.list({ calendarId: cal, orderBy: 'startTime' }),
    () =>
      api.freebusy.query({
        requestBody: {
          timeMin: '2026-12-02T00:00:00Z',
          timeMax: '2026-12-01T00:00:00Z',
          items: [{ id: cal }],
        },
      }),
    () => narrow.calendarList.list(),
  ];
  for (const call of errors) await googleReason(call());
  await api.events.delete({ calendarId: cal, eventId: 'conformanceseries_20261205T033000Z' });
  await googleReason(api.events.delete({ calendarId: cal, eventId: 'conformanceseries_20261205T033000Z' }));
  emulator.control.expireSyncTokens(cal);
  await googleReason(api.events.list({ calendarId: cal, syncToken: masters.nextSyncToken ?? '' }));
  emulator.control.failNext('calendar.events.list', 500);
  emulator.control.failNext('calendar.events.get', 429);
  emulator.control.failNext('calendar.calendars.get', 403);
  await googleReason(api.events.list({ calendarId: cal }));
  await googleReason(api.events.get({ calendarId: cal, eventId: timed.id ?? '' }));
  await googleReason(api.calendars.get({ calendarId: cal }));
  emulator.control.expireAccessTokens();
  await googleReason(api.calendars.get({ calendarId: cal }));
}
