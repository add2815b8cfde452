import { rm } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_STUDENT_EMAIL } from '../../emulators/google/demo-seed.ts';
import { type CanvasCalApp, createApp } from '../../src/app.ts';
import { parseConfig } from '../../src/config.ts';
import { SCOPES } from '../../src/google/scopes.ts';
import { freshDataDir } from '../support/data-dir.ts';

let app: CanvasCalApp;
let dir: string;
const logs: string[] = [];

beforeAll(async () => {
  dir = await freshDataDir('canvascal-google-');
  app = await createApp({
    config: parseConfig({
      CANVASCAL_DATA_DIR: dir,
      CANVASCAL_EMULATORS: 'on',
      NODE_ENV: 'test',
      LOG_LEVEL: 'debug',
      LOG_FORMAT: 'json',
    }),
    role: 'api',
    logDestination: new Writable({
      write(chunk, _encoding, done) {
        logs.push(String(chunk));
        done();
      },
    }),
  });
});
afterAll(async () => {
  await app.close();
  await rm(dir, { recursive: true, force: true });
});

const http = () => {
  if (!app.http) throw new Error('no http');
  return app.http;
};
const emulator = () => {
  if (!app.emulators) throw new Error('no emulators');
  return app.emulators.google.control;
};

async function signIn(email: string) {
  const res = await http().inject({ method: 'POST', url: '/api/v1/auth/local/login', payload: { email } });
  return { authorization: `Bearer ${res.json().accessToken}` };
}

/** Starts connecting and approves the consent screen in the emulator, as the student would. */
async function consent(headers: Record<string, string>, grantScopes?: string[]) {
  const start = await http().inject({ url: '/api/v1/auth/google/url', headers });
  expect(start.statusCode).toBe(200);
  const cookie = String(start.headers['set-cookie']).split(';')[0] ?? '';
  expect(String(start.headers['set-cookie'])).toMatch(/HttpOnly; SameSite=Lax/);
  const authUrl = new URL(start.json().url);
  expect(Object.fromEntries(authUrl.searchParams)).toMatchObject({
    access_type: 'offline',
    prompt: 'consent',
    include_granted_scopes: 'true',
    code_challenge_method: 'S256',
    response_type: 'code',
  });
  const redirect = new URL(
    emulator().approveConsent(authUrl.toString(), {
      email: DEMO_STUDENT_EMAIL,
      ...(grantScopes ? { grantScopes } : {}),
    }),
  );
  return {
    code: redirect.searchParams.get('code') ?? '',
    state: redirect.searchParams.get('state') ?? '',
    cookie,
  };
}

const storedEnvelope = async (userId: string) =>
  (
    await app.db.withSession((s) =>
      s.query<{ t: string | null }>('select encrypted_refresh_token as t from users where id = $1', [userId]),
    )
  )[0]?.t ?? null;

describe('connecting Google (offline OAuth) through the API, against the emulator', () => {
  it('refuses a grant without calendar.app.created and stores nothing', async () => {
    const headers = await signIn('partial@example.edu');
    const { code, state } = await consent(headers, [SCOPES.calendarListReadonly]);
    const res = await http().inject({
      method: 'POST',
      url: '/api/v1/auth/google/token',
      headers,
      payload: { code, state },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('missing_scope');
    expect((await http().inject({ url: '/api/v1/auth/google', headers })).json().status).toBe(
      'not_connected',
    );
  });

  it('connects, stores the refresh token only encrypted, and never shows or logs it', async () => {
    const headers = await signIn('alice@example.edu');
    const me = (await http().inject({ url: '/api/v1/me', headers })).json();
    const { code, state } = await consent(headers);
    const res = await http().inject({
      method: 'POST',
      url: '/api/v1/auth/google/token',
      headers,
      payload: { code, state },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      status: 'connected',
      features: { deadlines: true, calendarDiscovery: true, freeBusy: true, primaryCalendarSync: false },
    });

    const refreshTokens = [...emulator().state.refreshGrants.keys()];
    const envelope = await storedEnvelope(me.id);
    expect(envelope).toMatch(/^v1\./);
    for (const token of refreshTokens) {
      expect(envelope).not.toContain(token);
      expect(res.body).not.toContain(token);
      expect(logs.join('')).not.toContain(token);
    }
    expect(logs.join('')).not.toContain(code);

    // The same state cannot be used twice.
    const replay = await http().inject({
      method: 'POST',
      url: '/api/v1/auth/google/token',
      headers,
      payload: { code, state },
    });
    expect(replay.json().error.code).toBe('invalid_state');
  });

  it('rejects a forged state, and a state started by another user', async () => {
    const alice = await signIn('alice@example.edu');
    const bob = await signIn('bob@example.edu');
    const forged = await http().inject({
      method: 'POST',
      url: '/api/v1/auth/google/token',
      headers: alice,
      payload: { code: 'x', state: 'abc.def' },
    });
    expect(forged.json().error.code).toBe('invalid_state');
    const { code, state } = await consent(alice);
    const stolen = await http().inject({
      method: 'POST',
      url: '/api/v1/auth/google/token',
      headers: bob,
      payload: { code, state },
    });
    expect(stolen.statusCode).toBe(403);
    expect(stolen.json().error.code).toBe('state_user_mismatch');
    // Bob's attempt burned nothing: Alice finishes her own sign-in with the same state.
    const finished = await http().inject({
      method: 'POST',
      url: '/api/v1/auth/google/token',
      headers: alice,
      payload: { code, state },
    });
    expect(finished.statusCode).toBe(200);
    expect(finished.json().status).toBe('connected');
  });

  it('completes the browser redirect flow at the callback and says so', async () => {
    const headers = await signIn('carol@example.edu');
    const { code, state, cookie } = await consent(headers);
    const callback = `/api/v1/auth/google/callback?code=${encodeURIComponent(code)}&state=${encodeURIComponent(state)}`;
    const res = await http().inject({ url: callback, headers: { cookie } });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Google is connected');
    expect((await http().inject({ url: '/api/v1/auth/google', headers })).json().status).toBe('connected');
    const denied = await http().inject({ url: '/api/v1/auth/google/callback?error=access_denied&state=x' });
    expect(denied.statusCode).toBe(400);
    expect(denied.body).toContain('access_denied');
  });

  it("lists the user's calendars and answers availability with busy, free and unknown time in UTC", async () => {
    const headers = await signIn('alice@example.edu');
    const calendars = await http().inject({ url: '/api/v1/settings/calendars', headers });
    expect(calendars.statusCode).toBe(200);
    expect(
      calendars
        .json()
        .calendars.filter((c: { counted: boolean }) => c.counted)
        .map((c: { summary: string }) => c.summary)
        .sort(),
    ).toEqual(['Lab group', 'Work', DEMO_STUDENT_EMAIL].sort());
    const noOffset = await http().inject({
      url: '/api/v1/availability?from=2026-12-01T00:00:00&to=2026-12-02T00:00:00Z',
      headers,
    });
    expect(noOffset.statusCode).toBe(400);
    const from = new Date(Date.now()).toISOString();
    const to = new Date(Date.now() + 7 * 86_400_000).toISOString();
    const availability = await http().inject({
      url: `/api/v1/availability?from=${from}&to=${to}&minMinutes=30`,
      headers,
    });
    expect(availability.statusCode).toBe(200);
    const body = availability.json();
    expect(body.busy.length).toBeGreaterThan(0);
    expect(body.unknown).toEqual([]);
    for (const interval of [...body.busy, ...body.free]) expect(interval.start).toMatch(/Z$/);
  });

  it('marks the connection "reconnect needed" when Google revokes the grant, and says so', async () => {
    const headers = await signIn('dave@example.edu');
    const { code, state } = await consent(headers);
    expect(
      (
        await http().inject({
          method: 'POST',
          url: '/api/v1/auth/google/token',
          headers,
          payload: { code, state },
        })
      ).statusCode,
    ).toBe(200);
    emulator().revokeGrants(DEMO_STUDENT_EMAIL);
    emulator().expireAccessTokens();
    const first = await http().inject({ url: '/api/v1/settings/calendars', headers });
    expect(first.statusCode).toBe(409);
    expect(first.json().error.code).toBe('google_reconnect_needed');
    await http().inject({ url: '/api/v1/settings/calendars', headers });
    const status = (await http().inject({ url: '/api/v1/auth/google', headers })).json();
    expect(status.status).toBe('reconnect_needed');
    expect(status.message).toContain('connect Google again');
  });

  it('disconnects: revokes at Google and erases the token', async () => {
    const headers = await signIn('erin@example.edu');
    const me = (await http().inject({ url: '/api/v1/me', headers })).json();
    const { code, state } = await consent(headers);
    await http().inject({
      method: 'POST',
      url: '/api/v1/auth/google/token',
      headers,
      payload: { code, state },
    });
    const live = [...emulator().state.refreshGrants.values()].filter((g) => !g.revoked).length;
    const res = await http().inject({ method: 'DELETE', url: '/api/v1/auth/google', headers });
    expect(res.statusCode).toBe(204);
    expect([...emulator().state.refreshGrants.values()].filter((g) => !g.revoked).length).toBe(live - 1);
    expect(await storedEnvelope(me.id)).toBeNull();
    expect((await http().inject({ url: '/api/v1/auth/google', headers })).json().status).toBe('disconnected');
  });
});
