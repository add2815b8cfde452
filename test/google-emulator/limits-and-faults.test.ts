import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_STUDENT_EMAIL } from '../../emulators/google/demo-seed.ts';
import { type GoogleEmulator, startGoogleEmulator } from '../../emulators/google/google-emulator.ts';
import { createGoogleCalendarClient } from '../../src/google/google-calendar-client.ts';
import { SCOPES } from '../../src/google/scopes.ts';
import { emulatorAccessToken } from '../support/emulator-token.ts';
import { hasFixtures, readJsonFixture } from '../support/fixtures.ts';
import { googleReason, officialCalendar } from '../support/official-calendar.ts';

const START = Date.parse('2026-12-01T15:00:00Z');
let clock = START;
let emulator: GoogleEmulator;

afterEach(() => emulator.close());

async function start(options: { rateLimitPerMinute?: number; projectRateLimitPerMinute?: number } = {}) {
  clock = START;
  emulator = await startGoogleEmulator({ now: () => clock, ...options });
}

const event = (id: string) => ({
  id,
  summary: id,
  start: { dateTime: '2026-12-02T10:00:00Z' },
  end: { dateTime: '2026-12-02T10:30:00Z' },
});
const ids = (prefix: string) =>
  Array.from({ length: 16 }, (_, i) => `${prefix}${String(i).padStart(3, '0')}`);

describe('per-user sliding-window rate limit', () => {
  it('answers 403 rateLimitExceeded past the limit, and lets calls through as the window slides', async () => {
    await start({ rateLimitPerMinute: 3 });
    const api = officialCalendar(
      emulator.url,
      await emulatorAccessToken(emulator, [SCOPES.calendarListReadonly]),
    );
    const list = () => googleReason(api.calendarList.list());
    expect([await list(), await list(), await list()]).toEqual(['no error', 'no error', 'no error']);
    clock = START + 30_000;
    const refused = await api.calendarList.list().catch((e: unknown) => e);
    const response = (
      refused as { response?: { status?: number; data?: { error?: { errors?: unknown; code?: number } } } }
    ).response;
    expect(response?.status).toBe(403);
    expect(response?.data?.error?.errors).toEqual(
      hasFixtures
        ? readJsonFixture<{ error: { errors: unknown } }>('google/errors/403-rateLimitExceeded.json').error
            .errors
        : [{ domain: 'usageLimits', reason: 'rateLimitExceeded', message: 'Rate Limit Exceeded' }],
    );
    // The three calls at START leave the window; the refused one at +30 s is still in it.
    clock = START + 60_001;
    expect([await list(), await list()]).toEqual(['no error', 'no error']);
    expect(await list()).toBe('403 rateLimitExceeded');
    // Refused calls count too: only once those at +60 s have left is there room again.
    clock = START + 90_001;
    expect(await list()).toBe('403 rateLimitExceeded');
    clock = START + 150_002;
    expect(await list()).toBe('no error');
    expect(emulator.control.requestCounts().byOutcome['calendar.calendarList.list 403']).toBe(3);
  });
});

describe('per-project sliding-window rate limit', () => {
  it('answers 429 once every user together passes the project quota, though each is under their own', async () => {
    await start({ rateLimitPerMinute: 3, projectRateLimitPerMinute: 4 });
    emulator.control.addAccount('second@example.edu', 'UTC');
    const first = officialCalendar(
      emulator.url,
      await emulatorAccessToken(emulator, [SCOPES.calendarListReadonly]),
    );
    const second = officialCalendar(
      emulator.url,
      await emulatorAccessToken(emulator, [SCOPES.calendarListReadonly], 'second@example.edu'),
    );
    const calls = [first, first, second, second, second].map((api) => googleReason(api.calendarList.list()));
    expect(await Promise.all(calls)).toEqual([
      'no error',
      'no error',
      'no error',
      'no error',
      '429 rateLimitExceeded',
    ]);
    clock = START + 60_001;
    expect(await googleReason(second.calendarList.list())).toBe('no error');
  });

  it('defaults to Google’s standard quotas: 600 calls a minute for one user pass, the 601st is refused', async () => {
    await start();
    const token = await emulatorAccessToken(emulator, [SCOPES.appCreated]);
    const ours = createGoogleCalendarClient({ rootUrl: `${emulator.url}/`, accessToken: async () => token });
    const calendarId = (await ours.insertCalendar({ summary: 'CanvasCal', timeZone: 'UTC' })).id;
    const inserts = Array.from({ length: 50 }, (_, i) => ({
      kind: 'insert' as const,
      calendarId,
      event: event(`q${String(i).padStart(4, '0')}`),
    }));
    // One call so far; 11 full batches and 49 parts more make 600.
    for (let i = 0; i < 11; i++)
      await ours.batch(
        inserts.map((op, j) => ({ ...op, event: event(`b${String(i * 100 + j).padStart(5, '0')}`) })),
      );
    const last = await ours.batch(
      inserts.map((op, j) => ({ ...op, event: event(`c${String(j).padStart(5, '0')}`) })),
    );
    expect(last.filter((r) => r.ok)).toHaveLength(49);
    expect(last.at(-1)).toMatchObject({ ok: false, status: 403, reason: 'rateLimitExceeded' });
  });
});

describe('seeded random faults', () => {
  it('fails the same calls for the same seed, direct or as batch parts, and only the methods named', async () => {
    await start();
    const token = await emulatorAccessToken(emulator, [SCOPES.appCreated, SCOPES.calendarListReadonly]);
    const api = officialCalendar(emulator.url, token);
    const ours = createGoogleCalendarClient({ rootUrl: `${emulator.url}/`, accessToken: async () => token });
    const cal = (await api.calendars.insert({ requestBody: { summary: 'CanvasCal' } })).data.id ?? '';
    const faults = {
      rate: 0.4,
      seed: 42,
      kinds: [503, 429] as Array<503 | 429>,
      methods: ['calendar.events.insert'],
    };

    const direct = async (prefix: string) => {
      const outcomes: string[] = [];
      for (const id of ids(prefix)) {
        outcomes.push(await googleReason(api.events.insert({ calendarId: cal, requestBody: event(id) })));
        // Other methods draw nothing from the sequence and never fail.
        expect(await googleReason(api.calendarList.list())).toBe('no error');
      }
      return outcomes.map((o) => (o === 'no error' ? 'ok' : o.slice(0, 3)));
    };
    emulator.control.randomFaults(faults);
    const first = await direct('aaaa');
    emulator.control.randomFaults(faults);
    expect(await direct('bbbb')).toEqual(first);
    expect(first).toContain('ok');
    expect(first).toContain('503');
    expect(first).toContain('429');

    emulator.control.randomFaults(faults);
    const parts = await ours.batch(
      ids('cccc').map((id) => ({ kind: 'insert' as const, calendarId: cal, event: event(id) })),
    );
    expect(parts.map((p) => (p.ok ? 'ok' : String(p.status)))).toEqual(first);

    emulator.control.randomFaults({ ...faults, seed: 7 });
    expect(await direct('dddd')).not.toEqual(first);
    emulator.control.randomFaults(undefined);
    expect((await direct('eeee')).every((o) => o === 'ok')).toBe(true);
  });

  it('drops the connection for a drawn reset, and failNext resets only the method named', async () => {
    await start();
    const token = await emulatorAccessToken(emulator, [
      SCOPES.calendarListReadonly,
      SCOPES.eventsOwnedReadonly,
    ]);
    const get = (path: string) =>
      fetch(`${emulator.url}/calendar/v3/${path}`, { headers: { authorization: `Bearer ${token}` } }).then(
        (r) => r.status,
        () => 'reset',
      );
    emulator.control.randomFaults({
      rate: 1,
      seed: 1,
      kinds: ['reset'],
      methods: ['calendar.calendarList.list'],
    });
    expect(await get('users/me/calendarList')).toBe('reset');
    expect(await get(`calendars/${DEMO_STUDENT_EMAIL}/events`)).toBe(200);
    emulator.control.randomFaults(undefined);
    emulator.control.failNext('calendar.events.list', 'reset');
    expect(await get('users/me/calendarList')).toBe(200);
    expect(await get(`calendars/${DEMO_STUDENT_EMAIL}/events`)).toBe('reset');
    expect(await get(`calendars/${DEMO_STUDENT_EMAIL}/events`)).toBe(200);
    expect(emulator.control.requestCounts().byOutcome).toMatchObject({
      'calendar.calendarList.list reset': 1,
      'calendar.events.list reset': 1,
    });
  });

  it('refuses bad options when they are set', async () => {
    await start();
    expect(() => emulator.control.randomFaults({ rate: 2, seed: 1 })).toThrow(/rate/);
    expect(() => emulator.control.randomFaults({ rate: 0.1, seed: 1.5 })).toThrow(/seed/);
    expect(() => emulator.control.randomFaults({ rate: 0.1, seed: 1, kinds: [] })).toThrow(/kinds/);
  });
});

describe('userRateLimitExceeded', () => {
  it('answers a scripted userRateLimit fault with Google’s documented body', async () => {
    await start();
    const api = officialCalendar(
      emulator.url,
      await emulatorAccessToken(emulator, [SCOPES.calendarListReadonly]),
    );
    emulator.control.failNext('calendar.calendarList.list', 'userRateLimit');
    const refused = await api.calendarList.list().catch((e: unknown) => e);
    const response = (refused as { response?: { status?: number; data?: { error?: { errors?: unknown } } } })
      .response;
    expect(response?.status).toBe(403);
    expect(response?.data?.error?.errors).toEqual(
      hasFixtures
        ? readJsonFixture<{ error: { errors: unknown } }>('google/errors/403-userRateLimitExceeded.json')
            .error.errors
        : [{ domain: 'usageLimits', reason: 'userRateLimitExceeded', message: 'User Rate Limit Exceeded' }],
    );
    expect(await googleReason(api.calendarList.list())).toBe('no error');
  });
});
