import type { calendar_v3 } from '@googleapis/calendar';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_STUDENT_EMAIL } from '../../emulators/google/demo-seed.ts';
import { type GoogleEmulator, startGoogleEmulator } from '../../emulators/google/google-emulator.ts';
import { getBusyMap } from '../../src/google/busy-map.ts';
import { createGoogleCalendarClient } from '../../src/google/google-calendar-client.ts';
import { SCOPES } from '../../src/google/scopes.ts';
import { emulatorAccessToken } from '../support/emulator-token.ts';
import { officialCalendar, googleReason as reason } from '../support/official-calendar.ts';

let emulator: GoogleEmulator;

beforeEach(async () => {
  emulator = await startGoogleEmulator({ now: () => Date.parse('2026-12-01T15:00:00Z') });
});
afterEach(() => emulator.close());

const accessToken = (scopes: string[]) => emulatorAccessToken(emulator, scopes);

/** The official client, pointed at the emulator, with a bare access token. */
const official = (token: string) => officialCalendar(emulator.url, token);

describe('scopes per method', () => {
  it('lets calendar.app.created create a calendar and write only there, and refuses calendarList', async () => {
    const api = official(await accessToken([SCOPES.appCreated]));
    expect(await reason(api.calendarList.list())).toBe('403 insufficientPermissions');
    const created = (
      await api.calendars.insert({ requestBody: { summary: 'CanvasCal', timeZone: 'America/Chicago' } })
    ).data;
    const event = {
      summary: 'HW 1',
      start: { dateTime: '2026-12-02T10:00:00Z' },
      end: { dateTime: '2026-12-02T10:30:00Z' },
    };
    expect((await api.events.insert({ calendarId: created.id ?? '', requestBody: event })).status).toBe(200);
    expect(await reason(api.events.insert({ calendarId: 'primary', requestBody: event }))).toBe(
      '403 insufficientPermissions',
    );
  });

  it('answers 401 with WWW-Authenticate for an expired or revoked token', async () => {
    const token = await accessToken([SCOPES.calendarListReadonly]);
    emulator.control.expireAccessTokens();
    const res = await fetch(`${emulator.url}/calendar/v3/users/me/calendarList`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('Bearer');
    const body = (await res.json()) as { error: { errors: Array<{ reason: string }> } };
    expect(body.error.errors[0]?.reason).toBe('authError');
  });
});

describe('events', () => {
  it('checks client ids, answers 409 for a duplicate (also after delete), 412 on a stale If-Match, 410 on a second delete', async () => {
    const api = official(await accessToken([SCOPES.appCreated]));
    const cal = (await api.calendars.insert({ requestBody: { summary: 'CanvasCal' } })).data.id ?? '';
    const body = {
      id: 'abcdef0123456789abcdef0123456789',
      summary: 'Quiz',
      start: { date: '2026-12-03' },
      end: { date: '2026-12-04' },
    };
    expect(
      await reason(api.events.insert({ calendarId: cal, requestBody: { ...body, id: 'NOT_base32hex!' } })),
    ).toBe('400 invalid');
    const inserted = (await api.events.insert({ calendarId: cal, requestBody: body })).data;
    expect(inserted).toMatchObject({ id: body.id, status: 'confirmed', sequence: 0 });
    expect(await reason(api.events.insert({ calendarId: cal, requestBody: body }))).toBe('409 duplicate');
    const patched = (
      await api.events.patch({
        calendarId: cal,
        eventId: body.id,
        requestBody: { start: { date: '2026-12-05' }, end: { date: '2026-12-06' } },
      })
    ).data;
    expect(patched.sequence).toBe(1);
    expect(patched.etag).not.toBe(inserted.etag);
    expect(
      await reason(
        api.events.patch(
          { calendarId: cal, eventId: body.id, requestBody: { summary: 'x' } },
          { headers: { 'If-Match': inserted.etag ?? '' } },
        ),
      ),
    ).toBe('412 conditionNotMet');
    expect((await api.events.delete({ calendarId: cal, eventId: body.id })).status).toBe(204);
    expect(await reason(api.events.delete({ calendarId: cal, eventId: body.id }))).toBe('410 deleted');
    expect(await reason(api.events.insert({ calendarId: cal, requestBody: body }))).toBe('409 duplicate');
  });

  it('syncs incrementally: nextSyncToken only on the last page, then exactly the changes, then 410 when expired', async () => {
    const token = await accessToken([SCOPES.appCreated]);
    const api = official(token);
    const cal = (await api.calendars.insert({ requestBody: { summary: 'CanvasCal' } })).data.id ?? '';
    for (let i = 0; i < 5; i++) {
      await api.events.insert({
        calendarId: cal,
        requestBody: {
          summary: `E${i}`,
          start: { dateTime: `2026-12-0${i + 1}T10:00:00Z` },
          end: { dateTime: `2026-12-0${i + 1}T11:00:00Z` },
        },
      });
    }
    const pages: calendar_v3.Schema$Events[] = [];
    let pageToken: string | undefined;
    do {
      const page = (
        await api.events.list({ calendarId: cal, maxResults: 2, ...(pageToken ? { pageToken } : {}) })
      ).data;
      pages.push(page);
      pageToken = page.nextPageToken ?? undefined;
    } while (pageToken);
    expect(pages.map((p) => [p.items?.length, Boolean(p.nextSyncToken)])).toEqual([
      [2, false],
      [2, false],
      [1, true],
    ]);
    const syncToken = pages[2]?.nextSyncToken ?? '';
    const first = pages[0]?.items?.[0];
    await api.events.delete({ calendarId: cal, eventId: first?.id ?? '' });
    await api.events.insert({
      calendarId: cal,
      requestBody: {
        summary: 'New',
        start: { dateTime: '2026-12-09T10:00:00Z' },
        end: { dateTime: '2026-12-09T11:00:00Z' },
      },
    });
    const delta = (await api.events.list({ calendarId: cal, syncToken })).data;
    expect(delta.items?.map((e) => [e.summary ?? null, e.status]).sort()).toEqual(
      [
        [first?.summary ?? '', 'cancelled'],
        ['New', 'confirmed'],
      ].sort(),
    );
    expect(
      await reason(api.events.list({ calendarId: cal, syncToken, timeMin: '2026-12-01T00:00:00Z' })),
    ).toBe('400 invalid');
    emulator.control.expireSyncTokens(cal);
    expect(await reason(api.events.list({ calendarId: cal, syncToken: delta.nextSyncToken ?? '' }))).toBe(
      '410 fullSyncRequired',
    );
  });
});

describe('batch and free/busy through our CalendarApi', () => {
  it('sends inserts, a patch and a delete in one batch and reads each part', async () => {
    const token = await accessToken([SCOPES.appCreated]);
    const api = createGoogleCalendarClient({ rootUrl: `${emulator.url}/`, accessToken: async () => token });
    const { id: cal } = await api.insertCalendar({ summary: 'CanvasCal', timeZone: 'UTC' });
    emulator.control.resetCounts();
    const event = (id: string) => ({
      id,
      summary: id,
      start: { dateTime: '2026-12-02T10:00:00Z' },
      end: { dateTime: '2026-12-02T10:30:00Z' },
    });
    const results = await api.batch([
      { kind: 'insert', calendarId: cal, event: event('aaaaa1') },
      { kind: 'insert', calendarId: cal, event: event('aaaaa1') },
      { kind: 'patch', calendarId: cal, eventId: 'bbbbb2', event: event('bbbbb2') },
      { kind: 'delete', calendarId: cal, eventId: 'aaaaa1' },
    ]);
    expect(results.map((r) => (r.ok ? r.status : `${r.status} ${r.reason}`))).toEqual([
      200,
      '409 duplicate',
      '404 notFound',
      204,
    ]);
    const counts = emulator.control.requestCounts();
    expect(counts.byMethod.batch).toBe(1);
    expect(api.requestCount).toBe(2);
  });

  it('merges busy time, leaves out transparent and declined events, and marks unknown calendars', async () => {
    const token = await accessToken([SCOPES.eventsFreebusy, SCOPES.calendarListReadonly]);
    const api = createGoogleCalendarClient({ rootUrl: `${emulator.url}/`, accessToken: async () => token });
    const calendars = (await api.listCalendars({})).items;
    expect(calendars.map((c) => c.summary).sort()).toEqual(['Lab group', 'Work', DEMO_STUDENT_EMAIL].sort());
    const ids = [...calendars.map((c) => c.id), 'deleted@group.calendar.google.com'];
    const map = await getBusyMap(
      api,
      ids,
      new Date('2026-11-30T06:00:00Z'),
      new Date('2026-12-07T06:00:00Z'),
    );
    expect(map.unknown).toEqual([
      expect.objectContaining({ calendarIds: ['deleted@group.calendar.google.com'], reason: 'notFound' }),
    ]);
    const busyText = map.busy.map((b) => `${b.start.toISOString()}/${b.end.toISOString()}`);
    // Declined club social (Thu 19:00 CST = Fri 01:00Z) and the transparent reminder are not busy.
    expect(busyText.some((b) => b.startsWith('2026-12-04T01:00'))).toBe(false);
    expect(busyText.some((b) => b.startsWith('2026-12-04T18:00'))).toBe(false);
    // The free/busy-only lab session (Thu 13:00–16:00 CST) is busy.
    expect(busyText).toContain('2026-12-03T19:00:00.000Z/2026-12-03T22:00:00.000Z');
  });

  it('answers tooManyCalendarsRequested past 50 items, and refuses ranges over 90 days', async () => {
    const token = await accessToken([SCOPES.eventsFreebusy]);
    const api = createGoogleCalendarClient({ rootUrl: `${emulator.url}/`, accessToken: async () => token });
    const ids = Array.from({ length: 51 }, (_, i) =>
      i === 0 ? DEMO_STUDENT_EMAIL : `c${i}@group.calendar.google.com`,
    );
    const answer = await api.freeBusy({
      timeMin: new Date('2026-12-01T00:00:00Z'),
      timeMax: new Date('2026-12-02T00:00:00Z'),
      calendarIds: ids,
    });
    expect(answer.calendars['c50@group.calendar.google.com']?.errors).toEqual([
      { reason: 'tooManyCalendarsRequested' },
    ]);
    expect(answer.calendars[DEMO_STUDENT_EMAIL]?.errors).toEqual([]);
    await expect(
      api.freeBusy({
        timeMin: new Date('2026-01-01T00:00:00Z'),
        timeMax: new Date('2026-06-01T00:00:00Z'),
        calendarIds: ids,
      }),
    ).rejects.toMatchObject({
      kind: 'bad_request',
    });
  });
});

describe('events.list timeZone', () => {
  it('names the zone of the answer, and refuses one that is not a time zone', async () => {
    const api = official(await accessToken([SCOPES.appCreated]));
    const cal =
      (await api.calendars.insert({ requestBody: { summary: 'CanvasCal', timeZone: 'America/Chicago' } }))
        .data.id ?? '';
    expect((await api.events.list({ calendarId: cal })).data.timeZone).toBe('America/Chicago');
    expect((await api.events.list({ calendarId: cal, timeZone: 'Asia/Kolkata' })).data.timeZone).toBe(
      'Asia/Kolkata',
    );
    expect(await reason(api.events.list({ calendarId: cal, timeZone: 'Mars/Olympus' }))).toBe('400 invalid');
  });
});
