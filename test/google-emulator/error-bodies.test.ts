import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type GoogleEmulator, startGoogleEmulator } from '../../emulators/google/google-emulator.ts';
import { SCOPES } from '../../src/google/scopes.ts';
import { emulatorAccessToken } from '../support/emulator-token.ts';

const STUDENT = 'student@example.edu';
let emulator: GoogleEmulator;

beforeEach(async () => {
  emulator = await startGoogleEmulator({ seed: false, now: () => Date.parse('2026-12-01T15:00:00Z') });
  emulator.control.addAccount(STUDENT, 'UTC');
});
afterEach(() => emulator.close());

const call = async (token: string, path: string, init: RequestInit = {}) => {
  const response = await fetch(`${emulator.url}/calendar/v3${path}`, {
    ...init,
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      ...(init.headers as Record<string, string> | undefined),
    },
  });
  const text = await response.text();
  return { response, body: (text ? JSON.parse(text) : {}) as { error: Record<string, unknown> } };
};

describe('403 for a missing scope', () => {
  it('is the body and challenge live Google sends', async () => {
    // Live body quoted in https://github.com/analogdotnow/Analog/issues/296 (calendarList.list):
    // top-level "Request had insufficient authentication scopes.", errors[0] "Insufficient
    // Permission", status PERMISSION_DENIED, an ErrorInfo ACCESS_TOKEN_SCOPE_INSUFFICIENT.
    const token = await emulatorAccessToken(emulator, [SCOPES.appCreated], STUDENT);
    const { response, body } = await call(token, '/users/me/calendarList');
    expect(response.status).toBe(403);
    expect(body).toEqual({
      error: {
        code: 403,
        message: 'Request had insufficient authentication scopes.',
        errors: [{ message: 'Insufficient Permission', domain: 'global', reason: 'insufficientPermissions' }],
        status: 'PERMISSION_DENIED',
        details: [
          {
            '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
            reason: 'ACCESS_TOKEN_SCOPE_INSUFFICIENT',
            domain: 'googleapis.com',
            metadata: { service: 'calendar-json.googleapis.com', method: 'calendar.v3.CalendarList.List' },
          },
        ],
      },
    });
    // RFC 6750 §3.1: the challenge names the scopes that would do, space-separated.
    const challenge = response.headers.get('www-authenticate') ?? '';
    expect(challenge).toMatch(
      /^Bearer realm="https:\/\/accounts\.google\.com\/", error="insufficient_scope", scope="/,
    );
    const scopes = /scope="([^"]*)"/.exec(challenge)?.[1]?.split(' ');
    expect(scopes).toContain('https://www.googleapis.com/auth/calendar.calendarlist.readonly');
    expect(scopes).toContain('https://www.googleapis.com/auth/calendar');
    expect(scopes).not.toContain(SCOPES.appCreated);
  });

  it('names the method in the ErrorInfo, as calendar.v3.Events.List for events.list', async () => {
    // GeneralTask/task-manager#2160 quotes method "calendar.v3.Events.List" for events.list.
    const token = await emulatorAccessToken(emulator, [SCOPES.calendarListReadonly], STUDENT);
    const { body } = await call(token, `/calendars/${encodeURIComponent(STUDENT)}/events`);
    expect(body.error.details).toMatchObject([{ metadata: { method: 'calendar.v3.Events.List' } }]);
  });
});

describe('404, 409, 410 and 412 bodies', () => {
  it("carry no `status`, as none of the bodies in Google's error guide does", async () => {
    // https://developers.google.com/workspace/calendar/api/guides/errors (fixtures/google/errors/*.json).
    const token = await emulatorAccessToken(emulator, ['https://www.googleapis.com/auth/calendar'], STUDENT);
    const events = `/calendars/${encodeURIComponent(STUDENT)}/events`;
    const event = {
      id: 'abcdef0123456789',
      start: { dateTime: '2026-12-02T10:00:00Z' },
      end: { dateTime: '2026-12-02T11:00:00Z' },
    };
    await call(token, events, { method: 'POST', body: JSON.stringify(event) });
    const { body: listed } = await call(token, events);
    const syncToken = String((listed as unknown as { nextSyncToken: string }).nextSyncToken);
    const answers = [
      await call(token, `${events}/nosuchevent0`),
      await call(token, events, { method: 'POST', body: JSON.stringify(event) }),
      await call(token, `${events}/${event.id}`, {
        method: 'PATCH',
        body: JSON.stringify({ summary: 'x' }),
        headers: { 'if-match': '"stale"' },
      }),
    ];
    await call(token, `${events}/${event.id}`, { method: 'DELETE' });
    answers.push(await call(token, `${events}/${event.id}`, { method: 'DELETE' }));
    emulator.control.expireSyncTokens();
    answers.push(await call(token, `${events}?syncToken=${encodeURIComponent(syncToken)}`));
    expect(
      answers.map(
        (a) =>
          `${a.response.status} ${String((a.body.error.errors as Array<{ reason: string }>)[0]?.reason)}`,
      ),
    ).toEqual([
      '404 notFound',
      '409 duplicate',
      '412 conditionNotMet',
      '410 deleted',
      '410 fullSyncRequired',
    ]);
    for (const { body } of answers) expect(body.error).not.toHaveProperty('status');
  });
});
