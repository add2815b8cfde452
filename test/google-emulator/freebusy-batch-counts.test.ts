import type { calendar_v3 } from '@googleapis/calendar';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_STUDENT_EMAIL } from '../../emulators/google/demo-seed.ts';
import { type GoogleEmulator, startGoogleEmulator } from '../../emulators/google/google-emulator.ts';
import { encodeBatchRequest, parseBatchResponse } from '../../src/google/batch-codec.ts';
import { emulatorAccessToken } from '../support/emulator-token.ts';
import { googleReason, officialCalendar } from '../support/official-calendar.ts';

const FULL = 'https://www.googleapis.com/auth/calendar';
let emulator: GoogleEmulator;
let api: calendar_v3.Calendar;
let token: string;

async function start(options: { rateLimitPerMinute?: number } = {}) {
  emulator = await startGoogleEmulator({ now: () => Date.parse('2026-12-01T15:00:00Z'), ...options });
  token = await emulatorAccessToken(emulator, [FULL]);
  api = officialCalendar(emulator.url, token);
}
afterEach(() => emulator.close());

const range = { timeMin: '2026-12-02T00:00:00Z', timeMax: '2026-12-03T00:00:00Z' };

describe('freebusy.query expansion limits', () => {
  it('refuses calendarExpansionMax over 50 and groupExpansionMax over 100', async () => {
    await start();
    const query = (extra: calendar_v3.Schema$FreeBusyRequest) =>
      googleReason(api.freebusy.query({ requestBody: { ...range, items: [{ id: 'primary' }], ...extra } }));
    expect(await query({ calendarExpansionMax: 51 })).toBe('400 invalid');
    expect(await query({ calendarExpansionMax: 0 })).toBe('400 invalid');
    expect(await query({ groupExpansionMax: 101 })).toBe('400 invalid');
    expect(await query({ calendarExpansionMax: 50, groupExpansionMax: 100 })).toBe('no error');
  });

  it('answers only calendarExpansionMax calendars; the rest get tooManyCalendarsRequested', async () => {
    await start();
    const ids = ['a', 'b', 'c'].map((s) => emulator.control.addCalendar(DEMO_STUDENT_EMAIL, { summary: s }));
    const { data } = await api.freebusy.query({
      requestBody: { ...range, calendarExpansionMax: 2, items: ids.map((id) => ({ id })) },
    });
    expect(ids.map((id) => data.calendars?.[id]?.errors?.[0]?.reason ?? 'ok')).toEqual([
      'ok',
      'ok',
      'tooManyCalendarsRequested',
    ]);
  });

  it('requires timeMin and timeMax', async () => {
    await start();
    const items = [{ id: 'primary' }];
    expect(await googleReason(api.freebusy.query({ requestBody: { timeMax: range.timeMax, items } }))).toBe(
      '400 required',
    );
    expect(await googleReason(api.freebusy.query({ requestBody: { timeMin: range.timeMin, items } }))).toBe(
      '400 required',
    );
  });
});

/** POSTs a batch of `parts` the way our client does; the status and the parsed parts. */
async function sendBatch(parts: Parameters<typeof encodeBatchRequest>[0]) {
  const { body, contentType } = encodeBatchRequest(parts);
  const response = await fetch(`${emulator.url}/batch/calendar/v3`, {
    method: 'POST',
    headers: { 'content-type': contentType, authorization: `Bearer ${token}` },
    body,
  });
  const type = response.headers.get('content-type') ?? '';
  const text = await response.text();
  return {
    status: response.status,
    parts: type.startsWith('multipart/') ? parseBatchResponse(text, type) : [],
  };
}

const listPart = (i: number) => ({
  contentId: `p${i}`,
  method: 'GET',
  path: '/calendar/v3/users/me/calendarList?maxResults=1',
});

describe('batch limits', () => {
  it('takes 1000 parts and refuses 1001 with 400, counted as such', async () => {
    await start({ rateLimitPerMinute: 5000 });
    emulator.control.resetCounts();
    const full = await sendBatch(Array.from({ length: 1000 }, (_, i) => listPart(i)));
    expect(full.status).toBe(200);
    expect(full.parts).toHaveLength(1000);
    expect(new Set(full.parts.map((p) => p.status))).toEqual(new Set([200]));
    expect((await sendBatch(Array.from({ length: 1001 }, (_, i) => listPart(i)))).status).toBe(400);
    expect(emulator.control.requestCounts().byOutcome).toEqual({
      'batch 200': 1,
      'batch 400': 1,
      'calendar.calendarList.list 200': 1000,
    });
  });

  it('answers a part outside the Calendar API 404, and the others normally', async () => {
    await start();
    const { status, parts } = await sendBatch([
      listPart(0),
      { contentId: 'drive', method: 'GET', path: '/drive/v3/files' },
      listPart(2),
    ]);
    expect(status).toBe(200);
    expect(parts.map((p) => [p.contentId, p.status])).toEqual([
      ['p0', 200],
      ['drive', 404],
      ['p2', 200],
    ]);
    expect(parts[1]?.json).toMatchObject({ error: { code: 404, errors: [{ reason: 'notFound' }] } });
  });
});

describe('request counts', () => {
  it('count OAuth requests by endpoint and outcome, beside Calendar methods', async () => {
    await start();
    // emulatorAccessToken exchanged its code over HTTP; the consent itself went through control.
    expect(emulator.control.requestCounts().byOutcome).toEqual({ 'oauth.token 200': 1 });
    emulator.control.resetCounts();
    await fetch(`${emulator.url}/o/oauth2/v2/auth?client_id=nobody`);
    await fetch(`${emulator.url}/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'x' }) });
    await fetch(`${emulator.url}/revoke?token=${encodeURIComponent(token)}`, { method: 'POST' });
    expect(await googleReason(api.calendarList.list())).toBe('401 authError');
    await fetch(`${emulator.url}/nowhere`);
    expect(emulator.control.requestCounts()).toEqual({
      total: 5,
      byMethod: {
        'oauth.authorize': 1,
        'oauth.token': 1,
        'oauth.revoke': 1,
        'calendar.calendarList.list': 1,
        unknown: 1,
      },
      byOutcome: {
        'oauth.authorize 400': 1,
        'oauth.token 401': 1,
        'oauth.revoke 200': 1,
        'calendar.calendarList.list 401': 1,
        'unknown 404': 1,
      },
    });
  });
});
