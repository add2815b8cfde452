import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_STUDENT_EMAIL } from '../../emulators/google/demo-seed.ts';
import {
  DEMO_GOOGLE_CLIENT,
  type GoogleEmulator,
  startGoogleEmulator,
} from '../../emulators/google/google-emulator.ts';
import { createGoogleOAuth, endpointsAt } from '../../src/google/oauth-client.ts';
import { SCOPES } from '../../src/google/scopes.ts';
import { emulatorAccessToken } from '../support/emulator-token.ts';
import { googleReason, officialCalendar } from '../support/official-calendar.ts';

let emulator: GoogleEmulator;

beforeEach(async () => {
  emulator = await startGoogleEmulator({ now: () => Date.parse('2026-12-01T15:00:00Z') });
});
afterEach(() => emulator.close());

/** `POST /_emulator/<name>` over plain fetch: the status and the parsed answer. */
async function call(
  name: string,
  body?: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${emulator.url}/_emulator/${name}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}
const result = async (name: string, args: unknown[] = []) => {
  const answer = await call(name, args);
  expect(answer.status, `${name}: ${JSON.stringify(answer.json)}`).toBe(200);
  return answer.json.result;
};

const event = {
  summary: 'Seminar',
  start: { dateTime: '2026-12-02T15:00:00Z' },
  end: { dateTime: '2026-12-02T16:00:00Z' },
};

describe('HTTP control API', () => {
  it('seeds accounts and calendars and acts as the user', async () => {
    expect(await result('addAccount', ['bob@example.com', 'Europe/Berlin'])).toBe('bob@example.com');
    const cal = String(await result('addCalendar', [DEMO_STUDENT_EMAIL, { summary: 'Seminars' }]));
    const id = String(await result('userInsertEvent', [cal, event]));
    const api = officialCalendar(
      emulator.url,
      await emulatorAccessToken(emulator, [SCOPES.eventsOwnedReadonly]),
    );
    expect((await api.events.get({ calendarId: cal, eventId: id })).data.summary).toBe('Seminar');
    expect(await result('userPatchEvent', [cal, id, { summary: 'Moved seminar' }])).toBeNull();
    expect((await api.events.get({ calendarId: cal, eventId: id })).data.summary).toBe('Moved seminar');
    expect(await result('userDeleteEvent', [cal, id])).toBeNull();
    expect((await api.events.get({ calendarId: cal, eventId: id })).data.status).toBe('cancelled');
    await result('userDeleteCalendar', [cal]);
    expect(await googleReason(api.events.get({ calendarId: cal, eventId: id }))).toBe('404 notFound');
  });

  it('approves consent, revokes grants and expires access tokens', async () => {
    const oauth = createGoogleOAuth({ ...DEMO_GOOGLE_CLIENT, endpoints: endpointsAt(emulator.url) });
    const { codeChallenge } = await oauth.createPkce();
    const authUrl = oauth.authUrl({
      state: 'st',
      codeChallenge,
      scopes: [SCOPES.calendarListReadonly],
      redirectUri: 'http://127.0.0.1/cb',
    });
    const redirect = new URL(
      String(await result('approveConsent', [authUrl, { email: DEMO_STUDENT_EMAIL }])),
    );
    expect(redirect.searchParams.get('state')).toBe('st');
    expect(redirect.searchParams.get('code')).toBeTruthy();

    const api = officialCalendar(
      emulator.url,
      await emulatorAccessToken(emulator, [SCOPES.calendarListReadonly]),
    );
    expect(await googleReason(api.calendarList.list())).toBe('no error');
    await result('expireAccessTokens');
    expect(await googleReason(api.calendarList.list())).toBe('401 authError');
    const again = officialCalendar(
      emulator.url,
      await emulatorAccessToken(emulator, [SCOPES.calendarListReadonly]),
    );
    await result('revokeGrants', [DEMO_STUDENT_EMAIL]);
    expect(await googleReason(again.calendarList.list())).toBe('401 authError');
  });

  it('expires sync tokens of events and of the calendar list', async () => {
    const api = officialCalendar(
      emulator.url,
      await emulatorAccessToken(emulator, [SCOPES.eventsOwnedReadonly, SCOPES.calendarListReadonly]),
    );
    const eventsToken = (await api.events.list({ calendarId: 'primary' })).data.nextSyncToken ?? '';
    const listToken = (await api.calendarList.list()).data.nextSyncToken ?? '';
    await result('expireSyncTokens', [DEMO_STUDENT_EMAIL]);
    expect(await googleReason(api.events.list({ calendarId: 'primary', syncToken: eventsToken }))).toBe(
      '410 fullSyncRequired',
    );
    expect(await googleReason(api.calendarList.list({ syncToken: listToken }))).toBe('no error');
    await result('expireCalendarListSyncTokens', []);
    expect(await googleReason(api.calendarList.list({ syncToken: listToken }))).toBe('410 fullSyncRequired');
  });

  it('scripts faults and latency, counts requests, and resets everything', async () => {
    const api = officialCalendar(
      emulator.url,
      await emulatorAccessToken(emulator, [SCOPES.calendarListReadonly]),
    );
    await result('resetCounts');
    await result('failNext', ['calendar.calendarList.list', 503, 1]);
    expect(await googleReason(api.calendarList.list())).toBe('503 backendError');
    await result('randomFaults', [
      { rate: 1, seed: 3, kinds: [429], methods: ['calendar.calendarList.list'] },
    ]);
    expect(await googleReason(api.calendarList.list())).toBe('429 rateLimitExceeded');
    // JSON has no undefined: null stops random faults too.
    await result('randomFaults', [null]);
    await result('setLatency', [5]);
    expect(await googleReason(api.calendarList.list())).toBe('no error');
    await result('setLatency', [0]);
    expect(await result('requestCounts')).toMatchObject({
      total: 3,
      byOutcome: {
        'calendar.calendarList.list 503': 1,
        'calendar.calendarList.list 429': 1,
        'calendar.calendarList.list 200': 1,
      },
    });

    await result('addAccount', ['bob@example.com', 'UTC']);
    await result('failNext', ['*', 500, 5]);
    await result('reset');
    expect(await result('requestCounts')).toEqual({ total: 0, byMethod: {}, byOutcome: {} });
    // Tokens, faults and extra accounts are gone; the demo student is seeded again.
    expect(await googleReason(api.calendarList.list())).toBe('401 authError');
    const fresh = officialCalendar(
      emulator.url,
      await emulatorAccessToken(emulator, [SCOPES.calendarListReadonly]),
    );
    expect(await googleReason(fresh.calendarList.list())).toBe('no error');
    expect((await call('userInsertEvent', ['bob@example.com', event])).status).toBe(400);
  });

  it('exposes push channels, delivery faults and flushing', async () => {
    const api = officialCalendar(
      emulator.url,
      await emulatorAccessToken(emulator, [SCOPES.eventsOwnedReadonly]),
    );
    await api.events.watch({
      calendarId: 'primary',
      // Nothing listens on port 1: the sync message fails, which deliveryCounts shows.
      requestBody: { id: 'http-1', type: 'web_hook', address: 'http://127.0.0.1:1/hook' },
    });
    expect(await result('failDeliveries', [{ drop: 1 }])).toBeNull();
    await result('userInsertEvent', [DEMO_STUDENT_EMAIL, event]);
    expect(await result('flushDeliveries')).toBeNull();
    expect(await result('deliveryCounts')).toEqual({ sent: 0, failed: 1, dropped: 1, duplicated: 0 });
    expect(await result('channels')).toEqual([
      expect.objectContaining({ id: 'http-1', calendarId: DEMO_STUDENT_EMAIL, messageNumber: 2 }),
    ]);
  });

  it('answers 400 for an unknown operation or a bad body', async () => {
    for (const name of ['nope', 'constructor', 'toString', 'state']) {
      const answer = await call(name, []);
      expect(answer.status, name).toBe(400);
      expect(answer.json).toMatchObject({ error: { code: 'unknownOperation' } });
    }
    expect(await call('addAccount', '{not json')).toMatchObject({
      status: 400,
      json: { error: { code: 'badBody' } },
    });
    expect(await call('addAccount', { email: 'x' })).toMatchObject({
      status: 400,
      json: { error: { code: 'badBody' } },
    });
    expect(await call('addCalendar', [DEMO_STUDENT_EMAIL])).toMatchObject({
      status: 400,
      json: { error: { code: 'badArguments' } },
    });
    expect(await call('userInsertEvent', ['missing@example.com', event])).toMatchObject({
      status: 400,
      json: { error: { code: 'badArguments', field: 'calendarId' } },
    });
    expect(await call('randomFaults', [{ rate: 5, seed: 1 }])).toMatchObject({
      status: 400,
      json: { error: { code: 'rejected' } },
    });
    // An empty body means no arguments.
    expect((await call('resetCounts')).status).toBe(200);
  });

  // Issue 12: control calls with bad arguments used to do nothing, or half of it, silently
  // (`addAssignment` with `title` made a nameless item; `userDeleteCalendar(email, id)` did nothing).
  it('answers 400 naming the field for arguments of the wrong shape, count or target', async () => {
    const calendarId = (await result('addCalendar', [DEMO_STUDENT_EMAIL, { summary: 'Club' }])) as string;
    const refused = async (name: string, args: unknown[], field: string) => {
      const answer = await call(name, args);
      expect(answer, `${name} ${JSON.stringify(args)}`).toMatchObject({
        status: 400,
        json: { error: { code: 'badArguments', field } },
      });
      expect(String((answer.json.error as { message: string }).message)).toContain(field);
    };
    await refused('userDeleteCalendar', [DEMO_STUDENT_EMAIL, calendarId], 'argument 2');
    await refused('userDeleteCalendar', ['nope@group.calendar.google.com'], 'calendarId');
    await refused('addCalendar', [DEMO_STUDENT_EMAIL, { title: 'Club' }], 'options.title');
    await refused(
      'addCalendar',
      [DEMO_STUDENT_EMAIL, { summary: 'Club', accessRole: 'admin' }],
      'options.accessRole',
    );
    await refused('addCalendar', ['stranger@example.com', { summary: 'Club' }], 'email');
    await refused('addAccount', ['someone@example.com', 'Mars/Olympus'], 'timeZone');
    await refused('addAccount', ['not an email', 'UTC'], 'email');
    await refused('userInsertEvent', [calendarId], 'event');
    await refused('userPatchEvent', [calendarId, 'nosuchevent0', { summary: 'x' }], 'eventId');
    await refused('userDeleteEvent', [calendarId, 'nosuchevent0'], 'eventId');
    await refused('userUpdateCalendarListEntry', [DEMO_STUDENT_EMAIL, 'other@example.com', {}], 'calendarId');
    await refused(
      'userUpdateCalendarListEntry',
      [DEMO_STUDENT_EMAIL, calendarId, { selected: 'yes' }],
      'change.selected',
    );
    await refused('approveConsent', ['http://x/auth', { mail: DEMO_STUDENT_EMAIL }], 'options.mail');
    await refused('failNext', ['calendar.events.list', 418], 'kind');
    await refused('failNext', ['calendar.events.list', 500, 0], 'count');
    await refused('setLatency', [-5], 'ms');
    await refused('failDeliveries', [{ dropped: 1 }], 'faults.dropped');
    await refused('revokeGrants', ['nobody@example.com'], 'email');
    await refused('expireSyncTokens', ['nope@group.calendar.google.com'], 'calendarId');
    await refused('resetCounts', [1], 'argument 1');
    // The calendar is untouched by all of that, and the right call still works.
    expect(await result('userDeleteCalendar', [calendarId])).toBeNull();
    expect(await result('expireSyncTokens', [null])).toBeNull();
  });

  it('throws the same refusal from a direct call', () => {
    expect(() => emulator.control.addCalendar(DEMO_STUDENT_EMAIL, { title: 'x' } as never)).toThrow(
      /options\.title is not a known field/,
    );
  });
});
